"""The nodes of one Studio flow as they are built: node ids, positions, where transitions lead,
and the hangup (flow end) and event branch nodes that routing adds."""

from __future__ import annotations

from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats.twilio.flow import Flow, State, Transition
from ivraudit.model.errors import Position

#: Events after which the caller has already hung up: nothing they hear follows.
_CALLER_GONE = frozenset({"hangup"})

#: What an event means, where its name alone misleads (Studio docs, *Send to Flex* and
#: *Enqueue Call*, Transitions: "Task Created" is ``callComplete``).
_EVENT_MEANINGS = {
    "callComplete": " (the call left the queue: after the agent's call, not a failure)",
    "failedToEnqueue": " (the call could not be queued)",
    "callFailure": " (the call failed: a technical error)",
}


class NodeTable:
    """Node dicts and their positions for one flow, and the synthetic nodes routing adds."""

    def __init__(self, flow: Flow, *, returns: bool = False) -> None:
        self.flow = flow
        #: A subflow (entered at incomingParent): where the flow ends, Studio goes back
        #: to the parent flow's Run Subflow widget ('completed'), so an end is a return.
        self.returns = returns
        self.taken: set[str] = set()
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.missing: dict[str, str] = {}
        self.ends: dict[str, str] = {}
        #: ``{id(transition): node id}`` while one copy of a widget is built: where each of
        #: its transitions (and those of the widgets folded into it) leads on that copy's routes.
        self.via: dict[int, str] = {}

    def name_states(self, kept: list[State]) -> None:
        """Give each kept widget its node id, before any transition is resolved."""
        for state in kept:
            state.node_id = unique_id(state.name, self.taken)
        assert self.flow.trigger is not None
        # The Trigger is no node: a transition back to it goes nowhere (ST001).
        self.missing[self.flow.trigger.name] = unique_id(self.flow.trigger.name, self.taken)

    def add(self, state: State, node: dict[str, Any]) -> None:
        """Add a widget's node, then the synthetic nodes its conversion made."""
        self.nodes[state.node_id] = node
        self.positions[("nodes", state.node_id)] = self.where(state.path)
        for key in ("say", "play"):
            if key in node:
                place = ("nodes", state.node_id, key)
                self.positions[place] = self.where((*state.path, "properties", key))
        self.nodes.update(self.pending)
        self.pending.clear()

    def where(self, path: tuple[Any, ...]) -> Position:
        """The position of a path inside the flow."""
        found = self.flow.document.locate(self.flow.path(*path))
        return found or Position(self.flow.document.path, 1, 1)

    def follow(self, transition: Transition) -> str:
        """The node id a transition leads to (it has a ``next``): the copy of the widget the
        route there reaches, when widgets are copied per route (see :mod:`.copies`)."""
        assert transition.next is not None
        found = self.via.get(id(transition))
        return found if found is not None else self.target(transition.next)

    def target(self, name: str) -> str:
        """The node id a transition's ``next`` names (a missing widget keeps its name)."""
        state = self.flow.by_name.get(name)
        if state is not None and state.node_id:
            return state.node_id
        if name not in self.missing:
            self.missing[name] = unique_id(name, self.taken)
        return self.missing[name]

    def end(self, state: State, transition: Transition | None) -> str:
        """The node standing for the flow ending at one of ``state``'s transitions: a
        hangup, or in a subflow a return to the parent flow."""
        if state.name not in self.ends:
            event = f" ('{transition.event}')" if transition else ""
            if self.returns:
                node_id = unique_id(f"{state.name}: end of subflow", self.taken)
                node = {
                    "type": "return",
                    "note": f"the subflow ends here: a transition of '{state.name}'{event} "
                    "leads to no widget, so Studio goes back to the parent flow's Run Subflow "
                    "widget ('completed')",
                }
            else:
                node_id = unique_id(f"{state.name}: end of flow", self.taken)
                node = {
                    "type": "hangup",
                    "note": f"the flow ends here: a transition of '{state.name}'{event} leads "
                    "to no widget, so Studio hangs up the call",
                }
            self.ends[state.name] = node_id
            self._add_pending(node_id, node, transition or state)
        return self.ends[state.name]

    def unknown(
        self, name: str, at: tuple[Any, ...], *, reason: str, target: str | None, note: str
    ) -> str:
        """An ``unknown`` node named ``name``: a route that leaves what the flow says, at the
        flow path ``at``; added with the widget whose conversion asks for it."""
        node_id = unique_id(name, self.taken)
        node = {"type": "unknown", "reason": reason, "target": target, "note": note}
        self.pending.append((node_id, node))
        self.positions[("nodes", node_id)] = self.where(at)
        return node_id

    def _add_pending(self, node_id: str, node: dict[str, Any], at: Transition | State) -> None:
        self.pending.append((node_id, node))
        self.positions[("nodes", node_id)] = self.where(at.path)

    def route(
        self,
        state: State,
        field: str,
        transitions: list[Transition],
        *,
        after: bool | frozenset[str],
    ) -> str | None:
        """Where a group of transitions leads, as one target for the node's ``field``.

        ``after`` is for events that fire when the call's purpose is over (a
        transfer or a recording has ended, or the caller hung up): an empty one
        ends nothing the caller hears.  ``True`` says so of every event of the
        group, a set of event names of those only.  Otherwise an empty transition
        is the flow ending.  In a subflow every empty transition is its end (the
        caller goes back to the parent's Run Subflow widget, which goes on at
        ``completed``), except a ``hangup`` event.  Several different targets go
        through a branch on the event: one event of a widget fires each time it
        runs, so the last of them is that branch's ``else``.
        """
        entries: list[tuple[Transition, str | None]] = []
        for transition in transitions:
            quiet = after if isinstance(after, bool) else transition.event in after
            quiet = quiet and not self.returns
            if transition.next:
                entries.append((transition, self.follow(transition)))
            elif not quiet and transition.event not in _CALLER_GONE:
                entries.append((transition, None))
        if not entries:
            return None
        targets = list(dict.fromkeys(target for _, target in entries))
        self.positions[("nodes", state.node_id, field)] = self.where(entries[0][0].path)
        if len(targets) == 1:
            transition, target = entries[0]
            return target if target is not None else self.end(state, transition)
        return self._fan_out(state, field, entries)

    def _fan_out(
        self, state: State, field: str, entries: list[tuple[Transition, str | None]]
    ) -> str:
        node_id = unique_id(f"{state.name} ({field})", self.taken)
        cases = []
        for index, (transition, target) in enumerate(entries):
            cases.append(
                {
                    "when": f"event {transition.event}{_EVENT_MEANINGS.get(transition.event, '')}",
                    "next": target if target is not None else self.end(state, transition),
                }
            )
            self.positions[("nodes", node_id, "cases", index)] = self.where(transition.path)
        # Studio fires exactly one of a widget's events each time it runs, and an event left
        # out above is one after which the caller has gone or was served: so when this route
        # is taken, one of these events fired, and the last is what is left (no silence).
        last = cases.pop()
        self.positions[("nodes", node_id, "else")] = self.positions.pop(
            ("nodes", node_id, "cases", len(cases))
        )
        note = (
            f"the '{field}' route of Studio widget '{state.name}', by the event that fired "
            f"(one always does: the last, '{entries[-1][0].event}', is the else)"
        )
        node = {"type": "branch", "cases": cases, "else": last["next"], "note": note}
        self._add_pending(node_id, node, state)
        return node_id


def prompt_fields(state: State) -> dict[str, Any]:
    """A widget's ``say`` and ``play`` properties as node fields."""
    node: dict[str, Any] = {}
    say, play = state.text("say"), state.text("play")
    if say:
        node["say"] = say
    if play:
        node["play"] = play
    return node
