"""Twilio Studio flow definitions, read into checked widgets (states) and transitions.

A flow definition is ``{"description", "states": [...], "initial_state", "flags"}``;
each state is a widget ``{"name", "type", "transitions": [{"event", "next",
"conditions"}], "properties"}``.  This module checks that shape, reports what
is wrong with file, line and column, and finds the flow's voice entry.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ivraudit.formats._parse import Document
from ivraudit.model.errors import MenuError, NotAMenuError, Position
from ivraudit.model.menu import Notice

#: The Trigger event that starts a flow for an incoming phone call.
VOICE_EVENT = "incomingCall"
#: The Trigger event that starts a flow run as a subflow of another flow.
PARENT_EVENT = "incomingParent"
#: Trigger events that start a flow without a caller: a REST API execution (such as an
#: outbound call) and messages.  A voice part reached only from them is not a caller's line.
OTHER_EVENTS = ("incomingRequest", "incomingMessage", "incomingConversationMessage")

#: Widgets that only work on a phone call: a flow with any of them is a voice flow.
VOICE_WIDGETS = frozenset(
    {
        "gather-input-on-call",
        "say-play",
        "connect-call-to",
        "record-voicemail",
        "enqueue-call",
        "capture-payments",
        "record-call",
        "fork-stream",
        "connect-virtual-agent",
        "add-twiml-redirect",
        "make-outgoing-call-v2",
    }
)

#: State types of the first (2017-2018) Studio export format, which this importer does not read.
_OLD_TYPES = frozenset({"InitialState", "Gather", "Say", "EnqueueCall", "Split"})


@dataclass
class Transition:
    """One transition of a widget: the event, where it goes (or None), its conditions."""

    event: str
    next: str | None
    conditions: list[dict[str, Any]]
    path: tuple[Any, ...]


@dataclass
class State:
    """One widget of the flow, checked."""

    name: str
    type: str
    properties: dict[str, Any]
    transitions: list[Transition]
    path: tuple[Any, ...]
    node_id: str = ""

    def on(self, event: str) -> Transition | None:
        """The first transition for ``event``, if the widget has one."""
        for transition in self.transitions:
            if transition.event == event:
                return transition
        return None

    def text(self, key: str) -> str | None:
        """A property as non-empty text (numbers are written out), else None."""
        value = self.properties.get(key)
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value
        return None


@dataclass
class Flow:
    """A checked flow definition: its widgets in file order and where calls enter."""

    document: Document
    prefix: tuple[Any, ...]
    title: str | None
    name: str | None
    states: list[State]
    by_name: dict[str, State] = field(default_factory=dict)
    start: str | None = None
    trigger: State | None = None
    #: The Trigger event the menu starts at (``incomingCall``, ``incomingParent``, ...).
    entry_event: str = VOICE_EVENT
    #: The flow's own SID, when the file carries it (a Flow resource of the REST API).
    sid: str | None = None

    def path(self, *parts: Any) -> tuple[Any, ...]:
        """A document path inside this flow."""
        return (*self.prefix, *parts)

    def notices(self) -> list[Notice]:
        """Keys written twice in this flow's JSON: Studio keeps the last value (ST004)."""
        return [
            Notice(
                Position(self.document.path, duplicate.line, duplicate.column), duplicate.message
            )
            for duplicate in self.document.duplicates
            if duplicate.path[: len(self.prefix)] == self.prefix
        ]


def is_definition(value: Any) -> bool:
    """Whether a parsed value looks like a Studio flow definition."""
    if not isinstance(value, dict) or not isinstance(value.get("states"), list):
        return False
    if "initial_state" in value:
        return True
    return any(
        isinstance(state, dict) and state.get("type") in ("trigger", "InitialState")
        for state in value["states"]
    )


def read_flow(
    document: Document, prefix: tuple[Any, ...], definition: dict[str, Any], name: str | None
) -> Flow:
    """Check a flow definition's shape and find its voice entry, or raise MenuError."""
    raw_states = definition.get("states")
    if not isinstance(raw_states, list):
        raise document.error((*prefix, "states"), "'states' must be a list of widgets")
    description = definition.get("description")
    title = description.strip() if isinstance(description, str) and description.strip() else None
    flow = Flow(document, prefix, title or name, name, [])
    for index, raw in enumerate(raw_states):
        state = _read_state(flow, index, raw)
        first = flow.by_name.get(state.name)
        if first is not None:
            line = document.locate(flow.path(*first.path)) or None
            where = f" (first at line {line.line})" if line else ""
            raise document.error(
                flow.path(*state.path, "name"),
                f"duplicate widget name '{state.name}'{where}",
                "Studio widget names are unique; rename one of them",
            )
        flow.by_name[state.name] = state
        flow.states.append(state)
    _refuse_old_format(flow)
    _find_entry(flow, definition.get("initial_state"))
    return flow


def _read_state(flow: Flow, index: int, raw: Any) -> State:
    document = flow.document
    path = ("states", index)
    if not isinstance(raw, dict):
        raise document.error(
            flow.path(*path), f"widget {index + 1} must be an object with 'name' and 'type'"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise document.error(
            flow.path(*path), f"widget {index + 1} has no 'name'", "give every widget a name"
        )
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind.strip():
        raise document.error(flow.path(*path), f"widget '{name}' has no 'type'", "e.g. 'say-play'")
    properties = raw.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise document.error(
            flow.path(*path, "properties"), f"'properties' of widget '{name}' must be an object"
        )
    transitions = _read_transitions(flow, path, name, raw.get("transitions"))
    return State(name, kind.strip(), properties, transitions, path)


def _read_transitions(flow: Flow, path: tuple[Any, ...], name: str, raw: Any) -> list[Transition]:
    document = flow.document
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise document.error(
            flow.path(*path, "transitions"), f"'transitions' of widget '{name}' must be a list"
        )
    transitions = []
    for index, item in enumerate(raw):
        where = (*path, "transitions", index)
        if not isinstance(item, dict):
            raise document.error(
                flow.path(*where), f"transition {index + 1} of widget '{name}' must be an object"
            )
        event = item.get("event")
        if not isinstance(event, str) or not event:
            raise document.error(
                flow.path(*where),
                f"transition {index + 1} of widget '{name}' has no 'event'",
                'e.g. {"event": "audioComplete", "next": "main_menu"}',
            )
        target = item.get("next")
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            target = str(target)
        if target is not None and not isinstance(target, str):
            raise document.error(
                flow.path(*where, "next"),
                f"'next' of the '{event}' transition of widget '{name}' must be a widget name",
            )
        conditions = item.get("conditions")
        if conditions is None:
            conditions = []
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            raise document.error(
                flow.path(*where, "conditions"),
                f"'conditions' of the '{event}' transition of widget '{name}' must be a list "
                "of objects",
            )
        # Studio matches names exactly; a blank next is no next.
        target = target if target and target.strip() else None
        transitions.append(Transition(event, target, conditions, where))
    return transitions


def _refuse_old_format(flow: Flow) -> None:
    for state in flow.states:
        if state.type in _OLD_TYPES:
            where = flow.document.locate(flow.path(*state.path, "type"))
            line, column = (where.line, where.column) if where else (1, 1)
            raise NotAMenuError(
                flow.document.path,
                line,
                column,
                f"Twilio Studio flow in the first Studio export format (widget type "
                f"'{state.type}'): ivraudit reads the current flow definition, whose widget "
                "types are 'trigger', 'gather-input-on-call', 'say-play', ...",
                "open the flow in Studio and copy its JSON again (Trigger widget, Show Flow "
                "JSON), or fetch it with the Studio v2 REST API",
            )


def _find_entry(flow: Flow, initial_state: Any) -> None:
    """Set the flow's trigger and start, or raise NotAMenuError for a flow calls never enter."""
    trigger = flow.by_name.get(initial_state) if isinstance(initial_state, str) else None
    if trigger is None or trigger.type != "trigger":
        trigger = next((state for state in flow.states if state.type == "trigger"), None)
    if trigger is None:
        raise flow.document.error(
            flow.path("states"),
            "the flow has no Trigger widget (a widget of type 'trigger')",
            "a Studio flow starts at its Trigger; export the whole flow from Studio",
        )
    flow.trigger = trigger
    call = trigger.on(VOICE_EVENT)
    if call is not None and call.next:
        flow.start = call.next
        return
    for event in (PARENT_EVENT, *OTHER_EVENTS):
        # A subflow that a voice flow runs (reached), else a voice part that an API
        # execution or a message starts, such as an outbound call (internal).
        other = trigger.on(event)
        if other is not None and other.next and _has_voice_widgets(flow, [other.next]):
            flow.start, flow.entry_event = other.next, event
            return
    where = flow.document.locate(flow.path(*(call.path if call else trigger.path)))
    line, column = (where.line, where.column) if where else (1, 1)
    if not _has_voice_widgets(flow, flow.by_name):
        raise NotAMenuError(
            flow.document.path,
            line,
            column,
            "SMS-only Studio flow: it has no voice entry (the Trigger's incomingCall "
            "transition leads nowhere), so there is no phone menu to audit",
        )
    raise NotAMenuError(
        flow.document.path,
        line,
        column,
        "Studio flow with no voice entry: the Trigger's incomingCall transition leads "
        "nowhere, so no incoming call reaches its voice widgets and there is no phone menu "
        "to audit",
        "connect the Trigger's Incoming Call transition to the first widget of the call",
    )


def _has_voice_widgets(flow: Flow, names: Iterable[str]) -> bool:
    return any(flow.by_name[name].type in VOICE_WIDGETS for name in reach(flow, names))


def reach(flow: Flow, names: Iterable[str]) -> set[str]:
    """The widgets reachable from ``names`` along transitions (names that exist only)."""
    seen: set[str] = set()
    queue = deque(name for name in names if name in flow.by_name)
    seen.update(queue)
    while queue:
        state = flow.by_name[queue.popleft()]
        for transition in state.transitions:
            target = transition.next
            if target is not None and target in flow.by_name and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def other_channel_states(flow: Flow) -> set[str]:
    """Widgets that only the Trigger's non-call events reach (an SMS or API part of the flow).

    They belong to another channel, not to the phone menu, so they are left out
    of it; widgets nothing reaches stay in, for ST002 to report.
    """
    assert flow.trigger is not None
    others = [
        transition.next
        for transition in flow.trigger.transitions
        if transition.next and transition.next != flow.start
    ]
    if not others:
        return set()
    voice = reach(flow, [flow.start] if flow.start else [])
    other = reach(flow, others)
    orphans = [s.name for s in flow.states if s.name not in voice and s.name not in other]
    kept = voice | reach(flow, [name for name in orphans if name != flow.trigger.name])
    return other - kept - {flow.trigger.name}


def error_at(flow: Flow, path: tuple[Any, ...], message: str, hint: str | None = None) -> MenuError:
    """A MenuError at a path inside the flow."""
    return flow.document.error(flow.path(*path), message, hint)
