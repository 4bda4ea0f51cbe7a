"""VoiceXML events: the handler the selection rules pick for each throw, the spec's default
handlers, and the noinput/nomatch routes of a menu or field."""

from __future__ import annotations

from typing import Any

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.content import TERMINALS, Context, Part, split_if
from ivraudit.formats.vxml.dialogs import Scope
from ivraudit.formats.vxml.text import children_and_text
from ivraudit.model.errors import MenuError

#: Events whose default handler re-prompts: the item is visited again.
_RETRYING = ("noinput", "nomatch", "help", "maxspeechtimeout", "cancel")


class EventRouter:
    """Mixin of the VoiceXML builder: where the call goes when an event is thrown.

    A handler is compiled once per place it returns to; ``_handled`` remembers
    the node each one starts at, and ``_pending`` the node standing in for a
    handler that throws the event it handles.  The builder provides ``path``,
    ``root``, ``nodes``, ``taken``, ``make``, ``reserve``, ``note``, ``node_id``
    and ``compile_run``.
    """

    path: str
    nodes: dict[str, dict[str, Any]]
    taken: set[str]
    _handled: dict[tuple[Any, ...], str | None]
    _pending: dict[tuple[Any, ...], str]

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
            ctx.dialog, ctx.scope, ctx.owner, ctx.retry, retry, ctx.fia_index, ctx.choices, True
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
