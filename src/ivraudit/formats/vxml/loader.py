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
import re
from dataclasses import dataclass, field
from typing import Any

from ivraudit.formats._build import build_menu, unique_id
from ivraudit.formats._parse import Document
from ivraudit.formats._xml import XmlElement
from ivraudit.formats.registry import Format, NearMiss
from ivraudit.formats.vxml.content import END, IGNORED, ContentCompiler, Context, Part, Target
from ivraudit.formats.vxml.fields import FieldReader
from ivraudit.formats.vxml.text import (
    Expressions,
    children_and_text,
    grammar_mode,
    prompt_of,
    prompt_parts,
    seconds,
    split_uri,
)
from ivraudit.model.errors import MenuError, NotAMenuError, Position
from ivraudit.model.menu import Menu

FORM_ITEMS = ("block", "field", "record", "transfer", "subdialog", "object", "initial")
HANDLERS = ("catch", "noinput", "nomatch", "error", "help")
#: Form children that declare rather than run.
_DECLARATIONS = frozenset(
    [
        "var",
        "script",
        "property",
        "grammar",
        "filled",
        "link",
        "data",
        "meta",
        "metadata",
        "catch",
        "noinput",
        "nomatch",
        "error",
        "help",
    ]
)
_RETRYING = ("noinput", "nomatch", "help", "maxspeechtimeout", "cancel")
_KEY = re.compile(r"[0-9A-D*#]{1,20}")


@dataclass
class Scope:
    """Where event handlers, links and properties are looked up: an element and its parents."""

    element: XmlElement
    parent: Scope | None
    owner: str
    handlers: list[XmlElement] = field(init=False)
    links: list[XmlElement] = field(init=False)
    properties: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        children = self.element.children
        self.handlers = [child for child in children if child.tag in HANDLERS]
        self.links = [child for child in children if child.tag == "link"]
        self.properties = {}
        for child in children:
            name = child.get("name")
            if child.tag == "property" and name and child.get("value") is not None:
                self.properties[name] = str(child.get("value"))

    def chain(self) -> list[Scope]:
        scopes: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        return scopes

    def property(self, name: str) -> str | None:
        for scope in self.chain():
            if name in scope.properties:
                return scope.properties[name]
        return None

    def modes(self) -> set[str]:
        return set((self.property("inputmodes") or "dtmf voice").split())


@dataclass
class Item:
    """A form item: its element, node id, entry (its cond guard, if any) and content."""

    element: XmlElement
    kind: str
    index: int
    id: str
    entry: str
    guard: str | None
    name: str | None
    parts: list[Part]


@dataclass
class Dialog:
    """A <form> or <menu>: its node id, items and scope."""

    element: XmlElement
    id: str
    scope: Scope
    items: list[Item] = field(default_factory=list)
    by_name: dict[str, int] = field(default_factory=dict)


def detect(root: Any) -> bool:
    """Whether the XML is a VoiceXML document (root element ``<vxml>``, whatever the suffix)."""
    return isinstance(root, XmlElement) and root.tag == "vxml"


class _Builder(ContentCompiler, FieldReader):
    def __init__(self, document: Document) -> None:
        self.document = document
        self.path = document.path
        self.root: XmlElement = document.value
        self.base_dir = os.path.dirname(os.path.abspath(document.path))
        self.expressions = Expressions.of_document(self.root)
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
        return build_menu(
            self.document, nodes=self.nodes, start=self.first_dialog, positions=self.positions
        )

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

    def plan_items(self, dialog: Dialog) -> None:
        for index, (kind, element, parts) in enumerate(_form_items(dialog.element)):
            name = (element.get("name") or "").strip() or None if kind != "implicit" else None
            cond = (element.get("cond") or "").strip() if kind != "implicit" else ""
            first = index == 0
            guard = None
            if kind in ("block", "implicit"):
                item_id = (
                    dialog.id if first else self.reserve(name or f"{dialog.id}:block{index + 1}")
                )
            elif first and not cond:
                item_id = dialog.id
            else:
                wanted = name or f"{dialog.id}:{kind}{index + 1}"
                if name and name in self.taken:
                    wanted = f"{dialog.id}.{name}"
                item_id = self.reserve(wanted)
                if cond:
                    guard = dialog.id if first else self.reserve(f"{item_id}:cond")
            item = Item(element, kind, index, item_id, guard or item_id, guard, name, parts)
            dialog.items.append(item)
            if name is not None:
                if name in dialog.by_name:
                    first_line = dialog.items[dialog.by_name[name]].element.line
                    raise MenuError(
                        self.path,
                        element.line,
                        element.column,
                        f"duplicate form item name '{name}' (first at line {first_line})",
                        "form item names must be unique in a form",
                    )
                dialog.by_name[name] = index

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

    def handoff(
        self,
        uri: str,
        note: str | None,
        name: str,
        element: XmlElement,
        spoken: dict[str, str],
        *,
        reserved: bool = False,
    ) -> str:
        """A transition to another document: a hand-off to another automated flow."""
        if note is None:
            note = f"goes to the VoiceXML document {uri}"
            place = split_uri(uri, self.path)
            if place.local_path is not None:
                local = os.path.join(self.base_dir, place.local_path)
                found = os.path.isfile(local)
                note += (
                    " (next to this file; ivraudit audits it on its own)"
                    if found
                    else " (not found next to this file)"
                )
        node = {"type": "transfer", "target": uri, "human": False, **spoken, "note": note}
        return self.make(name, node, element, reserved=reserved)

    # -- events -----------------------------------------------------------------------------

    def handlers_for(self, scope: Scope, event: str) -> list[tuple[XmlElement, Scope, int]]:
        """Handlers that catch ``event``, innermost scope first, in document order."""
        found: list[tuple[XmlElement, Scope, int]] = []
        for level in scope.chain():
            for handler in level.handlers:
                if any(_catches(name, event) for name in _events_of(handler)):
                    found.append((handler, level, self.count_of(handler)))
        return found

    def count_of(self, handler: XmlElement) -> int:
        text = (handler.get("count") or "1").strip()
        if not text.isdigit() or int(text) < 1:
            raise MenuError(
                self.path,
                handler.line,
                handler.column,
                f'count="{text}" is not a whole number of 1 or more',
                'write count="1", count="2", ...',
            )
        return int(text)

    def select(self, scope: Scope, event: str, count: int) -> tuple[XmlElement, Scope, int] | None:
        """The handler VoiceXML picks for the ``count``-th ``event`` (section 5.2.4)."""
        eligible = [found for found in self.handlers_for(scope, event) if found[2] <= count]
        if not eligible:
            return None
        best = max(found[2] for found in eligible)
        return next(found for found in eligible if found[2] == best)

    def resolve_event(self, ctx: Context, event: str, where: XmlElement, count: int = 1) -> str:
        """Where the call goes when ``event`` is thrown for the ``count``-th time."""
        chosen = self.select(ctx.scope, event, count)
        if chosen is None:
            return self.default_handler(ctx, event)
        handler, level, handler_count = chosen
        retry = ctx.retry if ctx.retry is not None else ctx.fia_cont
        falls = _falls_through(handler)
        key = (
            id(handler),
            ctx.dialog.id if _bound_to_dialog(handler) else None,
            retry if falls else None,
        )
        owner = ctx.owner if falls else level.owner
        name = f"{owner}:{_label(handler)}" + (f"#{handler_count}" if handler_count > 1 else "")
        if key in self._handled:
            done = self._handled[key]
            if done is not None:
                return done
            # The handler throws the event it handles: the call loops here.
            if key not in self._pending:
                self._pending[key] = self.reserve(name)
            return self._pending[key]
        self._handled[key] = None
        handler_ctx = Context(
            ctx.dialog, ctx.scope, ctx.owner, ctx.retry, retry, ctx.fia_index, ctx.choices
        )
        target = self.compile_run(children_and_text(handler), handler_ctx, retry, name, handler)
        result = self.node_id(handler_ctx, target)
        pending = self._pending.pop(key, None)
        if pending is not None:
            note = "the handler throws the event it handles"
            node = {"type": "say", "note": note, "next": result}
            self.make(pending, node, handler, reserved=True)
        self._handled[key] = result
        return result

    def default_handler(self, ctx: Context, event: str) -> str:
        if event.split(".")[0] in _RETRYING:
            return self.node_id(ctx, ctx.retry or ctx.fia_cont)
        wanted = "default:error" if event.startswith("error") else f"default:{event}"
        if wanted not in self.nodes:
            self.taken.add(wanted)
            node: dict[str, Any] = {"type": "hangup"}
            if event.startswith("error"):
                node["reason"] = "error"
                node["note"] = (
                    "no <error> or <catch> handles this error: VoiceXML's default handler "
                    "exits the interpreter"
                )
            else:
                node["note"] = (
                    f"no <catch> handles '{event}': VoiceXML's default handler exits the "
                    "interpreter"
                )
            self.make(wanted, node, self.root, reserved=True)
        return wanted

    def input_routes(self, ctx: Context, node_id: str, element: XmlElement) -> dict[str, Any]:
        """no_input, no_match, retries and retries_exhausted of a menu or field.

        The first handler VoiceXML picks is the retry route; when handlers escalate
        with ``count``, the last one is where the call goes when retries run out.
        """
        routes: dict[str, Any] = {}
        last: dict[str, str] = {}
        most = 1
        for event, via in (("noinput", "no_input"), ("nomatch", "no_match")):
            counts = sorted({found[2] for found in self.handlers_for(ctx.scope, event)})
            routes[via] = self.resolve_event(ctx, event, element, 1)
            if not counts:
                self.note(node_id, f"no <{event}> handler: VoiceXML re-prompts (platform default)")
            top = counts[-1] if counts else 1
            last[event] = self.resolve_event(ctx, event, element, top) if top > 1 else routes[via]
            most = max(most, top)
            skipped = [count for count in counts if 1 < count < top]
            for count in skipped:
                self.note(
                    node_id,
                    f"the {event} handler for count {count} is not modelled "
                    "(only the first and the last are)",
                )
        if most > 1:
            routes["retries"] = most - 1
            if last["noinput"] == last["nomatch"]:
                routes["retries_exhausted"] = last["noinput"]
            else:
                node = {
                    "type": "branch",
                    "cases": [{"when": "the caller said nothing", "next": last["noinput"]}],
                    "else": last["nomatch"],
                    "note": "noinput and nomatch escalate to different handlers",
                }
                routes["retries_exhausted"] = self.make(f"{node_id}:exhausted", node, element)
        return routes

    def link_routes(self, ctx: Context, node_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """Keys and phrases of the <link>s active at this item: ``(options, speech)``."""
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        modes = ctx.scope.modes()
        for level in ctx.scope.chain():
            for link in level.links:
                target = self.link_target(ctx, link)
                key = "".join((link.get("dtmf") or "").split()).upper()
                if key and "dtmf" in modes and _KEY.fullmatch(key):
                    options.setdefault(key, target)
                    self.position(node_id, link, "options", key)
                if "voice" in modes:
                    for phrase in _grammar_phrases(link):
                        speech.setdefault(phrase, target)
                        self.position(node_id, link, "speech", phrase)
        return options, speech

    def link_target(self, ctx: Context, link: XmlElement) -> str:
        event = link.get("event") or self.expressions.evaluate(link.get("eventexpr"))
        if event:
            return self.resolve_event(ctx, event.strip(), link)
        uri = link.get("next") or self.expressions.evaluate(link.get("expr"))
        if uri is None:
            raise MenuError(
                self.path,
                link.line,
                link.column,
                "<link> has no next, expr, event or eventexpr",
                'say where it goes, e.g. next="#main"',
            )
        place = split_uri(uri, self.path)
        if place.document is None:
            return self.dialog_target(place.dialog)
        wanted = f"link:{uri}"
        if wanted in self.nodes:
            return wanted
        return self.handoff(uri, None, wanted, link, {})

    # -- menus ------------------------------------------------------------------------------

    def menu(self, dialog: Dialog) -> None:
        element = dialog.element
        modes = dialog.scope.modes()
        choices = self.menu_choices(element)
        listed = [(words, key or "") for words, key, _ in choices]
        # A menu is its own only item: handlers that end without a transition visit it again.
        ctx = Context(dialog, dialog.scope, dialog.id, dialog.id, dialog.id, 0, listed)
        self.taken.add(dialog.id)
        self.make(dialog.id, {"type": "menu"}, element, reserved=True)
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        for words, key, choice in choices:
            phrases = _grammar_phrases(choice) or ([words] if words else [])
            if key is None and not phrases:
                raise MenuError(
                    self.path,
                    choice.line,
                    choice.column,
                    "<choice> has no dtmf, text or grammar: callers cannot pick it",
                    'add dtmf="1" or the words a caller says',
                )
            target = self.choice_target(ctx, choice, key or (phrases[0] if phrases else "choice"))
            if key is not None and "dtmf" in modes:
                if key in options:
                    raise MenuError(
                        self.path,
                        choice.line,
                        choice.column,
                        f"dtmf '{key}' is given to two choices of menu '{dialog.id}'",
                        "give each choice its own key",
                    )
                options[key] = target
                self.position(dialog.id, choice, "options", key)
            if "voice" in modes:
                for phrase in phrases:
                    speech.setdefault(phrase, target)
                    self.position(dialog.id, choice, "speech", phrase)
        link_options, link_speech = self.link_routes(ctx, dialog.id)
        for key, target in link_options.items():
            options.setdefault(key, target)
        for phrase, target in link_speech.items():
            speech.setdefault(phrase, target)
        prompt = prompt_of(prompt_parts(element), self.expressions, ctx.choices)
        node: dict[str, Any] = {"type": "menu", **prompt.fields()}
        node["options"] = options
        node["speech"] = speech
        node.update(self.input_routes(ctx, dialog.id, element))
        node["timeout"] = seconds(dialog.scope.property("timeout"))
        self.nodes[dialog.id].update(
            {key: value for key, value in node.items() if value is not None}
        )

    def menu_choices(self, element: XmlElement) -> list[tuple[str, str | None, XmlElement]]:
        """``(words, key, element)`` of each <choice>; dtmf="true" numbers the rest 1 to 9."""
        numbered = (element.get("dtmf") or "").strip() == "true"
        next_number = 1
        found: list[tuple[str, str | None, XmlElement]] = []
        for choice in element.findall("choice"):
            key = choice.get("dtmf")
            if key is not None:
                key = "".join(key.split()).upper()
                if not _KEY.fullmatch(key):
                    raise MenuError(
                        self.path,
                        choice.line,
                        choice.column,
                        f"dtmf '{choice.get('dtmf')}' is not DTMF keys",
                        "use up to 20 of 0-9, *, #, A-D",
                    )
            elif numbered and next_number <= 9:
                key = str(next_number)
                next_number += 1
            words = " ".join(
                part if isinstance(part, str) else part.all_text()
                for part in children_and_text(choice)
                if isinstance(part, str) or part.tag != "grammar"
            )
            found.append((" ".join(words.split()), key, choice))
        return found

    def choice_target(self, ctx: Context, choice: XmlElement, label: str) -> str:
        event = choice.get("event") or self.expressions.evaluate(choice.get("eventexpr"))
        if event:
            return self.resolve_event(ctx, event.strip(), choice)
        uri = choice.get("next")
        if uri is None and choice.get("expr") is not None:
            uri = self.expressions.evaluate(choice.get("expr"))
            if uri is None:
                note = (
                    f"goes where the expression {choice.get('expr')} says, "
                    "worked out during the call"
                )
                return self.handoff(
                    "{" + str(choice.get("expr")) + "}",
                    note,
                    f"{ctx.dialog.id}:{label}",
                    choice,
                    {},
                )
        if uri is None:
            raise MenuError(
                self.path,
                choice.line,
                choice.column,
                "<choice> has no next, expr or event",
                'say where it goes, e.g. next="#sales"',
            )
        place = split_uri(uri, self.path)
        if place.document is None:
            return self.dialog_target(place.dialog)
        return self.handoff(uri.strip(), None, f"{ctx.dialog.id}:{label}", choice, {})

    # -- forms ------------------------------------------------------------------------------

    def form(self, dialog: Dialog) -> None:
        items = dialog.items
        if not items:
            node = {"type": "hangup", "note": "empty form: the VoiceXML interpreter exits"}
            self.taken.add(dialog.id)
            self.make(dialog.id, node, dialog.element, reserved=True)
            return
        for item in items:  # reserve ids in document order, so nodes list in that order
            self.taken.add(item.id)
            self.taken.add(item.entry)
            if item.guard is not None:
                self.nodes[item.guard] = {}
            self.nodes[item.id] = {}
        for item in items:
            following = item.index + 1
            cont: Target = items[following].entry if following < len(items) else END
            if item.guard is not None:
                self.guard(dialog, item, cont)
            if item.kind in ("block", "implicit"):
                self.block(dialog, item, cont)
            else:
                self.input_item(dialog, item, cont)

    def context(self, dialog: Dialog, item: Item, scope: Scope, cont: Target) -> Context:
        return Context(dialog, scope, item.id, item.id, cont, item.index + 1)

    def guard(self, dialog: Dialog, item: Item, cont: Target) -> None:
        assert item.guard is not None
        ctx = self.context(dialog, item, dialog.scope, cont)
        node = {
            "type": "branch",
            "cases": [{"when": item.element.get("cond") or "", "next": item.id}],
            "else": self.node_id(ctx, cont),
            "note": f"the FIA visits <{item.kind}> '{item.name or item.id}' only when its "
            "cond holds",
        }
        self.make(item.guard, node, item.element, reserved=True)

    def block(self, dialog: Dialog, item: Item, cont: Target) -> None:
        ctx = self.context(dialog, item, dialog.scope, cont)
        cond = (item.element.get("cond") or "").strip() if item.kind == "block" else ""
        if item.kind == "implicit":
            self.note(
                item.id,
                "executable content directly in <form> (not VoiceXML 2.x): read as a <block>",
            )
        if not cond:
            self.compile_run(item.parts, ctx, cont, item.id, item.element, reserved=True)
            return
        self.make(item.id, {"type": "branch"}, item.element, reserved=True)
        body = self.compile_run(item.parts, ctx, cont, f"{item.id}:body", item.element)
        self.nodes[item.id].update(
            cases=[{"when": cond, "next": self.node_id(ctx, body)}],
            note="the FIA runs this <block> only when its cond holds",
            **{"else": self.node_id(ctx, cont)},
        )

    def input_item(self, dialog: Dialog, item: Item, cont: Target) -> None:
        scope = Scope(item.element, dialog.scope, item.id)
        ctx = self.context(dialog, item, scope, cont)
        filled = self.filled_parts(dialog, item)
        if item.kind == "field":
            self.field(ctx, item, filled, cont)
            return
        after = (
            self.compile_run(filled, ctx, cont, f"{item.id}:filled", item.element)
            if filled
            else cont
        )
        if item.kind == "record":
            self.record(ctx, item, after)
        elif item.kind == "transfer":
            self.transfer_node(item.element, ctx, after, item.id, reserved=True, scope=scope)
        elif item.kind == "subdialog":
            self.subdialog(ctx, item, after)
        elif item.kind == "object":
            node = {
                "type": "action",
                "note": f"runs the platform object {item.element.get('classid') or ''}".rstrip(),
                "next": self.node_id(ctx, after),
                "error": self.resolve_event(ctx, "error.unsupported.objectname", item.element),
            }
            self.make(item.id, node, item.element, reserved=True)
        else:  # initial
            prompt = prompt_of(prompt_parts(item.element), self.expressions)
            node = {
                "type": "ask",
                **prompt.fields(),
                "next": self.node_id(ctx, after),
                "note": "mixed-initiative <initial>: the form's grammars may fill several "
                "fields at once",
                **self.input_routes(ctx, item.id, item.element),
            }
            self.make(item.id, node, item.element, reserved=True)

    def filled_parts(self, dialog: Dialog, item: Item) -> list[Part]:
        """The <filled> content that runs once this item is filled: its own, then the form's."""
        parts: list[Part] = []
        for filled in item.element.findall("filled"):
            parts.extend(children_and_text(filled))
        inputs = [other for other in dialog.items if other.kind not in ("block", "implicit")]
        for filled in dialog.element.findall("filled"):
            names = (filled.get("namelist") or "").split() or [
                other.name for other in inputs if other.name
            ]
            listed = [other for other in inputs if other.name in names]
            if not listed:
                continue
            if (filled.get("mode") or "all").strip() == "any":
                triggered = item in listed
            else:
                triggered = item is listed[-1]
            if triggered:
                parts.extend(children_and_text(filled))
        return parts

    def record(self, ctx: Context, item: Item, after: Target) -> None:
        prompt = prompt_of(prompt_parts(item.element), self.expressions)
        name = item.name or item.id
        node: dict[str, Any] = {
            "type": "voicemail",
            **prompt.fields(),
            "note": f"<record> into '{name}'",
        }
        self.make(item.id, node, item.element, reserved=True)
        silence = self.select(ctx.scope, "noinput", 1)
        if silence is None:
            self.nodes[item.id]["next"] = self.node_id(ctx, after)
            self.note(item.id, "no <noinput> handler: VoiceXML records again (platform default)")
            return
        result = {
            "type": "branch",
            "cases": [
                {"when": f"a message was recorded into '{name}'", "next": self.node_id(ctx, after)}
            ],
            "else": self.resolve_event(ctx, "noinput", item.element),
            "note": "else: the caller said nothing (noinput)",
        }
        self.nodes[item.id]["next"] = self.make(f"{item.id}:result", result, item.element)

    def transfer_node(
        self,
        element: XmlElement,
        ctx: Context,
        after: Target,
        name: str,
        *,
        reserved: bool = False,
        scope: Scope | None = None,
    ) -> str:
        """A <transfer>: a human transfer; blind ones fail to the error handler."""
        node_id = self.make(name, {"type": "transfer"}, element, reserved=reserved)
        scope = scope or Scope(element, ctx.scope, node_id)
        inner = Context(ctx.dialog, scope, node_id, node_id, after, ctx.fia_index, ctx.choices)
        destination = element.get("dest")
        if destination is None and element.get("destexpr") is not None:
            destination = self.expressions.evaluate(element.get("destexpr"))
            if destination is None:
                destination = "{" + str(element.get("destexpr")) + "}"
        kind = (element.get("type") or "").strip()
        bridged = (element.get("bridge") or "").strip() == "true" or kind in (
            "bridge",
            "consultation",
        )
        prompt = prompt_of(prompt_parts(element), self.expressions)
        node: dict[str, Any] = {"target": destination, "human": True, **prompt.fields()}
        if bridged:
            node["fail"] = self.node_id(ctx, after)
            node["note"] = (
                "bridged transfer: when it ends (busy, no answer, or either side hangs up) "
                "<filled> reads the outcome and the dialog goes on"
            )
        else:
            node["fail"] = self.resolve_event(inner, "error.connection", element)
            node["note"] = (
                "blind transfer: when it cannot connect, the platform throws error.connection"
            )
        self.nodes[node_id].update({key: value for key, value in node.items() if value is not None})
        return node_id

    def subdialog(self, ctx: Context, item: Item, after: Target) -> None:
        element = item.element
        source = element.get("src")
        if source is None and element.get("srcexpr") is not None:
            source = self.expressions.evaluate(element.get("srcexpr"))
        place = split_uri(source, self.path) if source else None
        if place is not None and place.local_path is not None:
            local = os.path.join(self.base_dir, place.local_path)
            if os.path.isfile(local):
                node: dict[str, Any] = {
                    "type": "subflow",
                    "menu": place.local_path,
                    "next": self.node_id(ctx, after),
                }
                if place.dialog:
                    node["note"] = (
                        f"runs dialog '{place.dialog}' of {place.local_path}; ivraudit starts "
                        "the subflow at its first dialog"
                    )
                self.make(item.id, node, element, reserved=True)
                return
        if place is None:
            what = f"the subdialog the expression {element.get('srcexpr')} names"
        elif place.document is None:
            what = f"dialog '{place.dialog}' of this document as a subdialog"
        elif place.local_path is None:
            what = f"the subdialog at {source} (not loaded)"
        else:
            what = f"the subdialog {source} (not found next to this file)"
        node = {
            "type": "action",
            "note": f"runs {what}, then goes on",
            "next": self.node_id(ctx, after),
            "error": self.resolve_event(ctx, "error.badfetch", element),
        }
        self.make(item.id, node, element, reserved=True)


def _form_items(form: XmlElement) -> list[tuple[str, XmlElement, list[Part]]]:
    """``(kind, element, parts)`` of each form item; loose executable content is grouped."""
    items: list[tuple[str, XmlElement, list[Part]]] = []
    loose: list[Part] = []

    def flush() -> None:
        elements = [part for part in loose if isinstance(part, XmlElement)]
        if any(element.tag not in IGNORED for element in elements):
            items.append(("implicit", elements[0], list(loose)))
        loose.clear()

    for part in children_and_text(form):
        if isinstance(part, str):
            if loose:
                loose.append(part)
            continue
        if part.tag in FORM_ITEMS:
            flush()
            parts = children_and_text(part) if part.tag == "block" else []
            items.append((part.tag, part, parts))
        elif part.tag not in _DECLARATIONS:
            loose.append(part)
    flush()
    return items


def _events_of(handler: XmlElement) -> list[str]:
    if handler.tag != "catch":
        return [handler.tag]
    return (handler.get("event") or "").split() or [""]


def _catches(name: str, event: str) -> bool:
    """A handler for ``error`` catches ``error.badfetch``; an empty name catches everything."""
    name = name.rstrip(".")
    return not name or event == name or event.startswith(name + ".")


def _label(handler: XmlElement) -> str:
    """A handler's name in node ids: its element, or the events a <catch> lists."""
    if handler.tag != "catch":
        return handler.tag
    return "+".join((handler.get("event") or "").split()) or "catch"


def _bound_to_dialog(handler: XmlElement) -> bool:
    """Whether a handler's transitions depend on the dialog it runs in (nextitem, clear)."""
    return any(
        element.tag == "clear"
        or element.get("nextitem") is not None
        or element.get("expritem") is not None
        or (element.tag == "assign" and (element.get("expr") or "").strip() == "undefined")
        for element in handler.iter()
    )


def _falls_through(handler: XmlElement) -> bool:
    """Whether a handler can end without a transition (then the item is visited again)."""
    return _may_fall_through(children_and_text(handler), 0)


def _may_fall_through(parts: list[Part], depth: int) -> bool:
    from ivraudit.formats.vxml.content import TERMINALS, split_if

    for part in parts:
        if not isinstance(part, XmlElement):
            continue
        if part.tag in TERMINALS:
            return False
        if part.tag == "if" and depth < 64:
            cases = split_if(part)
            has_else = any(cond is None for cond, _, _ in cases)
            if has_else and not any(
                _may_fall_through(case_parts, depth + 1) for _, case_parts, _ in cases
            ):
                return False
    return True


def _grammar_phrases(element: XmlElement) -> list[str]:
    """Words of the inline voice grammar items under ``element`` (<choice>, <link>)."""
    phrases: list[str] = []
    for grammar in element.findall("grammar"):
        if grammar_mode(grammar) != "voice" or grammar.get("src"):
            continue
        for item in grammar.iter("item"):
            if any(child.tag in ("item", "ruleref", "one-of") for child in item.children):
                continue
            words = " ".join(item.text.split())
            if words:
                phrases.append(words)
    return list(dict.fromkeys(phrases))


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
