"""VoiceXML 2.0/2.1 documents as ivraudit menus.

Each ``<menu>`` is a menu node; each ``<form>`` is its items in order, visited as
the form interpretation algorithm (FIA) visits them: ``<block>`` runs its
content, ``<field>`` asks (or, when its choices are fixed and ``<filled>`` only
branches on them, offers a menu), ``<record>`` takes a message, ``<transfer>``
hands the call over, ``<subdialog>`` runs another document.  Events go to the
handler the VoiceXML selection rules pick (innermost scope, highest ``count``
not above the counter); with none, the spec's defaults apply (section 5.2.5):
``noinput``/``nomatch`` re-prompt, everything else exits.  A form that runs out
of items with no transition ends the call.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any

from ivraudit.formats._build import build_menu, unique_id
from ivraudit.formats._parse import Document
from ivraudit.formats._xml import XmlElement
from ivraudit.formats.registry import Format, NearMiss
from ivraudit.formats.vxml.checks import declared_names
from ivraudit.formats.vxml.conditions import Conditions
from ivraudit.formats.vxml.content import END, ContentCompiler, Context, Target
from ivraudit.formats.vxml.dialogs import Dialog, Scope
from ivraudit.formats.vxml.documents import locate, read, role_of
from ivraudit.formats.vxml.events import EventRouter
from ivraudit.formats.vxml.fields import FieldReader
from ivraudit.formats.vxml.forms import FormReader
from ivraudit.formats.vxml.header import document_about, document_title
from ivraudit.formats.vxml.menus import MenuReader
from ivraudit.formats.vxml.text import Expressions, split_uri
from ivraudit.model.errors import MenuError, NotAMenuError, Position
from ivraudit.model.menu import Menu

#: Marks a target a linked document names in another document (not one of its own ids).
_ELSEWHERE = "\x00"
#: Fields of a node dict that name another node.
_TARGET_FIELDS = ("next", "no_input", "no_match", "retries_exhausted", "fail", "error", "else")


def detect(root: Any) -> bool:
    """Whether the XML is a VoiceXML document (root element ``<vxml>``, whatever the suffix)."""
    return isinstance(root, XmlElement) and root.tag == "vxml"


class _Builder(ContentCompiler, FieldReader, EventRouter, MenuReader, FormReader):
    """One document's conversion: the nodes made so far and the dialogs they come from.

    Each concern is a mixin (content, fields, events, menus, forms); this class
    keeps the state they share, makes the nodes and plans the dialogs' ids.
    """

    def __init__(self, document: Document, linked: Linked | None = None) -> None:
        self.document = document
        self.path = document.path
        self.root: XmlElement = document.value
        self.estate = document.estate if linked is None else linked.top.estate
        self.base_dir = os.path.dirname(os.path.abspath(document.path))
        self.expressions = Expressions.of_document(self.root)
        self.conditions = Conditions.of_document(self.root)
        self.never_conds: dict[int, tuple[str, str | None]] = {}
        self.declared = declared_names(self.root)
        self.undeclared_exits = {}
        #: A subdialog document: its dialogs end in <return> to the caller.
        self.returns = any(element.tag == "return" for element in self.root.iter())
        #: Whether anything sends the FIA back to a form item (nextitem, expritem, clear).
        self.revisits = any(
            element.tag == "clear"
            or element.get("nextitem") is not None
            or element.get("expritem") is not None
            or (element.tag == "assign" and (element.get("expr") or "").strip() == "undefined")
            for element in self.root.iter()
        )
        self.linked = linked if linked is not None else Linked(self)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.taken: set[str] = set()
        self.notes: dict[str, list[str]] = {}
        self.scope = Scope(self.root, None, "document")
        self.dialogs: dict[str, Dialog] = {}
        self.first_dialog: str | None = None
        self._handled: dict[tuple[Any, ...], str | None] = {}
        self._pending: dict[tuple[Any, ...], str] = {}

    # -- nodes ------------------------------------------------------------------------------

    def at(self, element: XmlElement) -> Position:
        return Position(self.path, element.line, element.column)

    def position(self, node_id: str, element: XmlElement, *path: Any) -> None:
        self.positions[("nodes", node_id, *path)] = self.at(element)

    def make(
        self, name: str, node: dict[str, Any], element: XmlElement, *, reserved: bool = False
    ) -> str:
        node_id = name if reserved else unique_id(name, self.taken)
        self.nodes[node_id] = {key: value for key, value in node.items() if value is not None}
        self.position(node_id, element)
        return node_id

    def reserve(self, wanted: str) -> str:
        return unique_id(wanted, self.taken)

    def note(self, node_id: str, text: str) -> None:
        notes = self.notes.setdefault(node_id, [])
        if text not in notes:
            notes.append(text)

    def node_id(self, ctx: Context, target: Target) -> str:
        if target is END:
            return self.end_node(ctx.dialog)
        assert isinstance(target, str)
        return target

    def end_node(self, dialog: Dialog) -> str:
        wanted = f"{dialog.id}:end"
        if wanted not in self.nodes:
            node = {
                "type": "hangup",
                "note": "the form ends with no transition: the VoiceXML interpreter exits",
            }
            self.taken.add(wanted)
            self.make(wanted, node, dialog.element, reserved=True)
        return wanted

    # -- the document -----------------------------------------------------------------------

    def build(self) -> Menu:
        self.plan_document()
        self.build_dialogs()
        self.linked.merge_all()
        role, reason = role_of(self.estate, self.path, self.root)
        return build_menu(
            self.document,
            nodes=self.nodes,
            start=self.first_dialog,
            positions=self.positions,
            title=document_title(self.document.text, self.root),
            role=role,  # type: ignore[arg-type]
            role_reason=reason,
        ).with_about(document_about(self.document.text))

    def plan_document(self) -> None:
        dialogs = [child for child in self.root.children if child.tag in ("form", "menu")]
        if not dialogs:
            raise NotAMenuError(
                self.path,
                self.root.line,
                self.root.column,
                "VoiceXML document with no <form> or <menu>: it only declares shared "
                "variables, scripts or handlers (an application root document?), so there "
                "is no phone menu to audit",
            )
        self.plan(dialogs)

    def build_dialogs(self) -> None:
        for dialog in self.dialogs.values():
            if dialog.element.tag == "menu":
                self.menu(dialog)
            else:
                self.form(dialog)
        application = (self.root.get("application") or "").strip()
        if application and self.first_dialog is not None:
            self.note(
                self.first_dialog,
                f"the application root document {application} is not read: its handlers, "
                "links and variables are not applied",
            )
        for node_id, texts in self.notes.items():
            node = self.nodes.get(node_id)
            if node is not None:
                node["note"] = "; ".join(filter(None, [node.get("note"), *texts]))

    def plan(self, elements: list[XmlElement]) -> None:
        """Give every dialog and form item its node id before any content is read."""
        named = [(element, (element.get("id") or "").strip()) for element in elements]
        for element, dialog_id in named:
            if dialog_id in self.taken:
                first = self.dialogs[dialog_id].element.line
                raise MenuError(
                    self.path,
                    element.line,
                    element.column,
                    f"duplicate dialog id '{dialog_id}' (first at line {first})",
                    "dialog ids must be unique in a document",
                )
            if dialog_id:
                self.taken.add(dialog_id)
                self.dialogs[dialog_id] = Dialog(element, dialog_id, Scope(element, None, ""))
        ordered: list[Dialog] = []
        for number, (element, dialog_id) in enumerate(named, start=1):
            if not dialog_id:
                dialog_id = self.reserve(f"{element.tag}{number}")
                self.dialogs[dialog_id] = Dialog(element, dialog_id, Scope(element, None, ""))
            dialog = self.dialogs[dialog_id]
            dialog.scope = Scope(element, self.scope, dialog_id)
            ordered.append(dialog)
        self.dialogs = {dialog.id: dialog for dialog in ordered}
        self.first_dialog = ordered[0].id
        for dialog in ordered:
            if dialog.element.tag == "form":
                self.plan_items(dialog)

    # -- targets ----------------------------------------------------------------------------

    def dialog_target(self, dialog_id: str | None) -> str:
        """The node a dialog starts at; an unknown id stays as written (ST001 reports it)."""
        if dialog_id is None:
            return self.first_dialog or ""
        return dialog_id

    def item_entry(self, dialog: Dialog, index: int) -> str:
        return dialog.items[index].entry

    def item_target(self, ctx: Context, name: str, element: XmlElement) -> str:
        index = ctx.dialog.by_name.get(name)
        if index is not None:
            return ctx.dialog.items[index].id
        if name in self.dialogs:
            self.note(
                ctx.owner,
                f'goto nextitem="{name}" (line {element.line}) names a dialog, not an item of '
                f"'{ctx.dialog.id}': VoiceXML 2.x throws error.badfetch there; ivraudit follows "
                "it to the dialog, as some platforms do",
            )
        return name

    def document_target(self, uri: str) -> str | None:
        """The node a URI to another document of the estate leads to, or None (unknown)."""
        where = locate(self.estate, self.path, uri)
        if where.path is None:
            return None
        return self.linked.target(self, where.path, where.fragment)

    def uri_target(self, uri: str) -> str | None:
        """The node a URI leads to: a dialog of this document, or one of another document
        of the estate; None when that document is not read."""
        place = split_uri(uri, self.path)
        if place.document is None:
            return self.dialog_target(place.dialog)
        return self.document_target(uri)

    def handoff(
        self,
        uri: str,
        note: str | None,
        name: str,
        element: XmlElement,
        spoken: dict[str, str],
        *,
        reserved: bool = False,
        reason: str = "not-given",
    ) -> str:
        """A transition to another document that is not followed: an unknown node."""
        if note is None:
            why = locate(self.estate, self.path, uri).why
            note = f"goes to the VoiceXML document {uri}: {why}"
        node = {"type": "unknown", "reason": reason, "target": uri, **spoken, "note": note}
        return self.make(name, node, element, reserved=reserved)


class Linked:
    """The documents one conversion follows: the document converted, then each document of
    the estate it leads to (by ``goto``, ``submit``, ``choice``, ``link``), read once each.

    A linked document's nodes join the menu under ``file#id`` (the URI VoiceXML itself
    would write), so documents that lead back to each other are one graph with a loop;
    the queue keeps the reading iterative however long the chain of documents.
    """

    def __init__(self, top: _Builder) -> None:
        self.top = top
        self.base = os.path.dirname(os.path.realpath(top.path))
        self.builders: dict[str, _Builder] = {os.path.realpath(top.path): top}
        self.prefixes: dict[int, str] = {id(top): ""}
        self.issued: dict[int, dict[str, str]] = {}
        self.queue: deque[_Builder] = deque()

    def target(self, source: _Builder, path: str, fragment: str | None) -> str | None:
        builder = self.builders.get(path)
        if builder is None:
            document = read(self.top.estate, path) if self.top.estate is not None else None
            if document is None:
                return None
            builder = _Builder(document, self)
            try:
                builder.plan_document()
            except MenuError:
                return None
            self.builders[path] = builder
            shown = os.path.relpath(path, self.base).replace(os.sep, "/")
            self.prefixes[id(builder)] = f"{shown}#"
            self.queue.append(builder)
        local = fragment or builder.first_dialog or ""
        found = self.global_id(builder, local)
        return found if source is self.top else _ELSEWHERE + found

    def global_id(self, builder: _Builder, local: str) -> str:
        if builder is self.top:
            return local
        issued = self.issued.setdefault(id(builder), {})
        if local not in issued:
            issued[local] = unique_id(self.prefixes[id(builder)] + local, self.top.taken)
        return issued[local]

    def merge_all(self) -> None:
        merged: set[str] = set()
        while self.queue:
            builder = self.queue.popleft()
            try:
                builder.build_dialogs()
            except MenuError as error:
                self._unreadable(builder, error)
                continue
            merged.update(self._merge(builder))
        if merged:
            self._drop_unreached(merged)

    def _drop_unreached(self, merged: set[str]) -> None:
        """Keep only the nodes of other documents that this document's routes reach (the
        rest belongs to those documents, audited on their own)."""
        nodes = self.top.nodes
        stack = [node_id for node_id in nodes if node_id not in merged]
        seen = set(stack)
        while stack:
            node = nodes.get(stack.pop(), {})
            for target in _targets(node):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        for node_id in merged - seen:
            del nodes[node_id]

    def _merge(self, builder: _Builder) -> list[str]:
        top = self.top

        def rename(value: str) -> str:
            if value.startswith(_ELSEWHERE):
                return value[len(_ELSEWHERE) :]
            return self.global_id(builder, value)

        for local, node in builder.nodes.items():
            renamed = dict(node)
            for field in _TARGET_FIELDS:
                if isinstance(renamed.get(field), str):
                    renamed[field] = rename(renamed[field])
            for field in ("options", "speech"):
                if isinstance(renamed.get(field), dict):
                    renamed[field] = {key: rename(value) for key, value in renamed[field].items()}
            if isinstance(renamed.get("cases"), list):
                renamed["cases"] = [
                    {**case, "next": rename(case["next"])} for case in renamed["cases"]
                ]
            top.nodes[self.global_id(builder, local)] = renamed
        for key, position in builder.positions.items():
            top.positions[(key[0], self.global_id(builder, key[1]), *key[2:])] = position
        return [self.global_id(builder, local) for local in builder.nodes]

    def _unreadable(self, builder: _Builder, error: MenuError) -> None:
        for local, node_id in self.issued.get(id(builder), {}).items():
            node = {
                "type": "unknown",
                "reason": "unsupported",
                "target": self.prefixes[id(builder)] + local,
                "note": f"ivraudit cannot read this document: {error.message}",
            }
            self.top.nodes[node_id] = node
            self.top.positions[("nodes", node_id)] = Position(builder.path, 1, 1)


def _targets(node: dict[str, Any]) -> list[str]:
    found = [node[field] for field in _TARGET_FIELDS if isinstance(node.get(field), str)]
    for field in ("options", "speech"):
        found.extend(node.get(field, {}).values())
    found.extend(case["next"] for case in node.get("cases", []))
    return found


def convert(document: Document) -> Menu:
    """Convert a VoiceXML document to a Menu."""
    return _Builder(document).build()


#: The formats this platform reads, in the order detection tries them.
FORMATS: tuple[Format, ...] = (
    Format(
        name="vxml",
        title="VoiceXML 2.x document",
        kind="xml",
        suffixes=(".vxml", ".xml"),
        detect=detect,
        convert=convert,
    ),
)

#: Explanations for files that look like this platform's but are refused.
NEAR_MISSES: tuple[NearMiss, ...] = ()
