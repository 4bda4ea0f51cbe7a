"""A VoiceXML <form>: its items' node ids, planned before any content is read, then each
<block>, <field>, <record>, <transfer>, <subdialog>, <object> and <initial> in the order the
form interpretation algorithm visits them."""

from __future__ import annotations

import os
from typing import Any

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.conditions import complementary
from ivraudit.formats.vxml.content import END, IGNORED, TERMINALS, Context, Part, Target
from ivraudit.formats.vxml.dialogs import Dialog, Item, Scope
from ivraudit.formats.vxml.documents import locate
from ivraudit.formats.vxml.text import children_and_text, prompt_of, prompt_parts, split_uri
from ivraudit.model.errors import MenuError

#: The children of a <form> that the form interpretation algorithm visits.
FORM_ITEMS = ("block", "field", "record", "transfer", "subdialog", "object", "initial")
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


class FormReader:
    """Mixin of the VoiceXML builder: converts a <form>, item by item.

    The builder provides ``path``, ``base_dir``, ``expressions``, ``make``,
    ``reserve``, ``note``, ``node_id``, ``compile_run``, ``field``,
    ``resolve_event``, ``select`` and ``input_routes``.
    """

    path: str
    base_dir: str
    nodes: dict[str, dict[str, Any]]
    taken: set[str]

    def plan_items(self, dialog: Dialog) -> None:
        """Give each item of a form its node id (and one for its cond guard), in document order."""
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
        left_at: Item | None = None
        for item in items:
            if left_at is not None:
                # Never visited: the FIA leaves the form at an earlier block.
                self.nodes.pop(item.id, None)
                if item.guard is not None:
                    self.nodes.pop(item.guard, None)
                continue
            following = item.index + 1
            cont: Target = items[following].entry if following < len(items) else END
            if item.guard is not None:
                self.guard(dialog, item, cont)
            if item.kind in ("block", "implicit"):
                self.block(dialog, item, cont)
            else:
                self.input_item(dialog, item, cont)
            if self.leaves_form(dialog, item) and following < len(items):
                left_at = item
                skipped = ", ".join(f"'{other.name or other.id}'" for other in items[following:])
                self.note(
                    item.id,
                    f"so the FIA never visits the items after it ({skipped}): ivraudit makes "
                    "no nodes for them",
                )

    def context(self, dialog: Dialog, item: Item, scope: Scope, cont: Target) -> Context:
        return Context(dialog, scope, item.id, item.id, cont, item.index + 1)

    def guard(self, dialog: Dialog, item: Item, cont: Target) -> None:
        assert item.guard is not None
        ctx = self.context(dialog, item, dialog.scope, cont)
        cond = item.element.get("cond") or ""
        holds = self.conditions.decide(cond, dialog.element)
        if holds is not None:
            onward = item.id if holds else self.node_id(ctx, cont)
            node = {
                "type": "say",
                "note": f'cond "{cond}" {"always" if holds else "never"} holds '
                f"({self.conditions.because(cond, dialog.element)}): goes on to '{onward}'",
                "next": onward,
            }
            self.make(item.guard, node, item.element, reserved=True)
            return
        node = {
            "type": "branch",
            "cases": [{"when": cond, "next": item.id}],
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
        holds = self.conditions.decide(cond, dialog.element) if cond else None
        why = self.conditions.because(cond, dialog.element)
        if holds:
            self.note(item.id, f'cond "{cond}" always holds ({why})')
        if not cond or holds:
            self.compile_run(item.parts, ctx, cont, item.id, item.element, reserved=True)
            return
        if holds is False:
            onward = self.node_id(ctx, cont)
            note = (
                f'cond "{cond}" never holds ({why}): the FIA skips '
                f"this <block> and goes on to '{onward}'"
            )
            node = {"type": "say", "note": note, "next": onward}
            self.make(item.id, node, item.element, reserved=True)
            return
        if self.complemented(dialog, item, before=True):
            # The previous <block>'s cond is this one's negation: in document order the
            # FIA only gets here when that cond failed, so this cond holds.
            self.note(item.id, f'cond "{cond}" holds here: it negates the previous <block>\'s')
            self.compile_run(item.parts, ctx, cont, item.id, item.element, reserved=True)
            return
        self.make(item.id, {"type": "branch"}, item.element, reserved=True)
        body = self.compile_run(item.parts, ctx, cont, f"{item.id}:body", item.element)
        self.nodes[item.id].update(
            cases=[{"when": cond, "next": self.node_id(ctx, body)}],
            note="the FIA runs this <block> only when its cond holds",
            **{"else": self.node_id(ctx, cont)},
        )

    def complemented(self, dialog: Dialog, item: Item, *, before: bool = False) -> bool:
        """Whether the previous (``before``) or next form item is a <block> whose cond
        negates this block's."""
        other_index = item.index - 1 if before else item.index + 1
        if not 0 <= other_index < len(dialog.items):
            return False
        other = dialog.items[other_index]
        if other.kind != "block":
            return False
        return complementary(item.element.get("cond") or "", other.element.get("cond") or "")

    def leaves_form(self, dialog: Dialog, item: Item) -> bool:
        """Whether a <block> whose cond always holds always leaves the form (its content ends
        in a transition), so that the FIA never visits the items after it."""
        if item.kind != "block" or self.revisits:
            return False
        cond = (item.element.get("cond") or "").strip()
        if not cond or not self.conditions.decide(cond, dialog.element):
            return False
        return any(isinstance(part, XmlElement) and part.tag in TERMINALS for part in item.parts)

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
        inner = Context(
            ctx.dialog, scope, node_id, node_id, after, ctx.fia_index, ctx.choices, ctx.in_handler
        )
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
        dynamic = source is None and element.get("srcexpr") is not None
        if dynamic:
            source = self.expressions.evaluate(element.get("srcexpr"))
        place = split_uri(source, self.path) if source else None
        where = locate(self.estate, self.path, source) if place and place.document else None
        if where is not None and where.path is not None:
            node: dict[str, Any] = {
                "type": "subflow",
                "menu": os.path.relpath(where.path, self.linked.base).replace(os.sep, "/"),
                "next": self.node_id(ctx, after),
            }
            if place is not None and place.dialog:
                node["note"] = (
                    f"runs dialog '{place.dialog}' of {source}; ivraudit starts the subflow at "
                    "its first dialog"
                )
            self.make(item.id, node, element, reserved=True)
            return
        if place is not None and place.document is None:
            node = {
                "type": "action",
                "note": f"runs dialog '{place.dialog}' of this document as a subdialog, "
                "then goes on",
                "next": self.node_id(ctx, after),
                "error": self.resolve_event(ctx, "error.badfetch", element),
            }
            self.make(item.id, node, element, reserved=True)
            return
        # Not read: the subdialog may return (then <filled> and the next item run), or
        # end the call, or transfer it, where ivraudit cannot see.
        if where is None:
            target = "{" + str(element.get("srcexpr")) + "}"
            why = "worked out during the call"
            reason = "run-time"
        else:
            target = str(source)
            why = where.why
            reason = "not-given"
        name = item.name or item.id
        self.make(item.id, {"type": "branch"}, element, reserved=True)
        unknown = {
            "type": "unknown",
            "reason": reason,
            "target": target,
            "note": f"the subdialog {target} ({why}) is not read: what it does is unknown",
        }
        inside = self.make(f"{item.id}:src", unknown, element)
        self.nodes[item.id].update(
            cases=[{"when": f"subdialog '{name}' returns", "next": self.node_id(ctx, after)}],
            note=f"<subdialog src> {target}: {why}",
            **{"else": inside},
        )


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
