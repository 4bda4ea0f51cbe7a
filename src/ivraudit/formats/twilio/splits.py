"""Split Based On... widgets that are not a menu's choices: branches (or steps the route decides).

Studio docs, *Split Based On... widget*: the split tests a value against its
transitions' conditions in order and takes the first that matches, else *No
Condition Matches*.  A split on ``{{widgets.X.Digits}}`` compares the answer to
gather X: its cases carry ``input: X``, so that a split reached right after the
caller answered another gather (the flow reads a stale answer) is reported
(MN009) rather than hidden.  A case that compares the digits with the finish key
of the gather answered (TwiML ``<Gather>``: ``finishOnKey`` ends the input and is
never in ``Digits``) can never hold: it stays, with ``never`` saying why (MN008).

Splits the route decides (see :mod:`.decisions`) keep only the transitions that
can be taken; one left, and the split is a step on to it -- unless the split
reads another gather's answer, where the branch stays so the fault is reported,
or a condition of it holds on no route into it (every copy's routes together, see
:mod:`.copies`): that condition can never hold, so it stays as a case with
``never`` saying why (MN008), and the branch with it.
"""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats.twilio.conditions import describe_match, subject
from ivraudit.formats.twilio.decisions import (
    Decision,
    condition_key,
    finish_key,
    needs_finish_key,
    split_subject,
    why_never,
)
from ivraudit.formats.twilio.flow import Flow, State, Transition
from ivraudit.formats.twilio.nodes import NodeTable

_INPUT_READ = re.compile(r"widgets\.([\w-]+)\.(?:Digits|SpeechResult)")


class Splits:
    """Converts the splits of one flow that stay widgets of their own."""

    def __init__(
        self,
        table: NodeTable,
        decisions: dict[str, Decision],
        answers: dict[str, str],
        kept: list[State],
    ) -> None:
        self.table = table
        self.flow: Flow = table.flow
        self.decisions = decisions
        #: Each split's decision on every route into it together (``decisions`` holds, while
        #: a copy of a widget is built, the decision on that copy's routes only).
        self.everywhere = dict(decisions)
        #: ``{gather: node id}`` for gathers that are an ask or a menu (what a case compares).
        self.answers = answers
        #: Gathers whose Digits or SpeechResult some widget reads.
        self.read = _inputs_read(kept)

    def convert(self, state: State) -> dict[str, Any]:
        table = self.table
        decision = self.decisions.get(state.name)
        tested = _tested_gather(state)
        after = self._stale(state, tested)
        asked = self.answers.get(tested) if after and tested else None
        never = self._never(state, decision, tested, after) or _unset_never(state, decision)
        if tested is not None and not after:
            never = {**self._dead(state), **never}
        transitions = state.transitions if decision is None else decision.possible
        if decision is not None and len(transitions) == 1 and not asked and not never:
            return self._decided(state, decision)
        cases: list[dict[str, Any]] = []
        node: dict[str, Any] = {"type": "branch", "cases": cases}
        for transition in state.transitions:
            if transition not in transitions and id(transition) not in never:
                continue
            target = self._target(state, transition)
            if transition.event == "noMatch":
                if "else" not in node:
                    node["else"] = target
                    table.positions[("nodes", state.node_id, "else")] = table.where(transition.path)
                continue
            place = ("nodes", state.node_id, "cases", len(cases))
            table.positions[place] = table.where(transition.path)
            case: dict[str, Any] = {"when": describe_match(state, transition), "next": target}
            if asked:
                case["input"] = asked
            if id(transition) in never:
                case["never"] = never[id(transition)]
            cases.append(case)
        node["note"] = "Studio split-based-on"
        if decision is not None:
            node["note"] += "; " + decided_note(state, decision)
            if "else" not in node and cases:
                holding = [case for case in cases if "never" not in case]
                if (asked or never) and holding:
                    # noMatch never runs: the last case that can hold is what is left
                    node["else"] = holding[-1]["next"]
                else:
                    node["else"] = cases.pop()["next"]
        return node

    def _target(self, state: State, transition: Transition) -> str:
        """Where a transition of the split leads; an empty one ends the flow, except the
        ``noMatch`` of a split on the number dialled (see :func:`dialled_number_split`)."""
        table = self.table
        if transition.next:
            return table.follow(transition)
        if transition.event != "noMatch" or not dialled_number_split(state):
            return table.end(state, transition)
        return table.unknown(
            f"{state.name}: another number",
            transition.path,
            reason="not-given",
            target="{{trigger.call.To}}",
            note=f"split '{state.name}' compares the number the caller dialled with the numbers "
            "of its cases: its empty noMatch runs only if the flow takes calls to a number they "
            "do not name, and which phone numbers send their calls to the flow is set on the "
            "numbers (Phone Numbers > Voice configuration), not in the flow",
        )

    def _decided(self, state: State, decision: Decision) -> dict[str, Any]:
        """A split that takes one transition on every route: a step on to it."""
        (transition,) = decision.possible
        table = self.table
        target = self._target(state, transition)
        table.positions[("nodes", state.node_id, "next")] = table.where(transition.path)
        return {"type": "action", "next": target, "note": decided_note(state, decision)}

    def _dead(self, split: State) -> dict[int, str]:
        """``{id(transition): why}`` for the match transitions of a split on a gather's
        Digits that no route into it takes (its decision on every route together, so a
        case one copy of the split never takes but another does is not among them)."""
        decision = self.everywhere.get(split.name)
        if decision is None:
            return {}
        found: dict[int, str] = {}
        for transition in decision.impossible:
            why = why_never(decision, transition) if transition.event == "match" else None
            if why is not None:
                found[id(transition)] = why
        return found

    def _stale(self, split: State, tested: str | None) -> list[str]:
        """The gathers whose key press (or speech) leads straight to a split on another
        gather's Digits, their own answer read nowhere in the flow: the split stands where
        their answer should be checked, and reads a stale one.  Empty when there are none."""
        if tested is None or tested not in self.answers:
            return []
        found = []
        for state in self.flow.states:
            if state.type != "gather-input-on-call" or state.name == tested:
                continue
            if state.name in self.read or state.name not in self.answers:
                continue
            answered = (t for t in state.transitions if t.event in ("keypress", "speech"))
            if any(t.next == split.name for t in answered):
                found.append(state.name)
        return found

    def _never(
        self, split: State, decision: Decision | None, tested: str | None, after: list[str]
    ) -> dict[int, str]:
        """``{id(transition): why}`` for the cases the route never takes because they compare
        the digits with a finish key (never in Digits): the tested gather's, or that of the
        gathers callers have just answered when the split reads another's."""
        if decision is None or tested is None:
            return {}
        keys: dict[str, list[str]] = {}
        for name in after or [tested]:
            key = finish_key(self.flow.by_name[name]) if name in self.flow.by_name else None
            if key is not None:
                keys.setdefault(key, []).append(name)
        found: dict[int, str] = {}
        for transition in decision.impossible:
            if transition.event != "match" or len(transition.conditions) != 1:
                continue
            value = condition_key(transition.conditions[0])
            held = [key for key in keys if value is not None and needs_finish_key(value, key)]
            if value is None or not held:
                continue
            who = " and ".join(f"'{name}'" for name in keys[held[0]])
            what = (
                f"'{value}' is the finish key of {who}"
                if value == held[0]
                else f"'{value}' needs '{held[0]}', the finish key of {who}"
            )
            if after:
                why = (
                    f"{what}, which callers have just answered: Studio ends the input when it "
                    f"is pressed and never passes it on in Digits (and {decision.why})"
                )
            else:
                why = (
                    f"{what}: Studio ends the input when it is pressed and never passes it on "
                    "in Digits"
                )
            found[id(transition)] = why
        return found


#: The incoming-call variables holding the number the caller dialled (Studio docs, Trigger
#: (Start) widget, *Trigger Variables*: ``trigger.call.To``; TwiML's ``Called`` is the same).
_DIALLED = re.compile(r"\{\{\s*trigger\.call\.(?:To|Called)\s*\}\}")


def dialled_number_split(split: State) -> bool:
    """Whether every condition of the split tests the number the caller dialled.

    The caller cannot choose it: it is one of the phone numbers whose Voice
    configuration sends calls to this flow, and those are set on the numbers, not
    in the flow.  A split on it picks the line (a language or a service per
    number), and its ``noMatch`` runs only for a number the flow does not name.
    """
    conditions = [c for t in split.transitions if t.event == "match" for c in t.conditions]
    return bool(conditions) and all(
        _DIALLED.fullmatch(subject(split, condition).strip()) for condition in conditions
    )


def _inputs_read(states: list[State]) -> set[str]:
    """The gathers whose input any widget's properties or conditions refer to."""
    found: set[str] = set()
    for state in states:
        stack: list[Any] = [state.properties, [t.conditions for t in state.transitions]]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                found.update(_INPUT_READ.findall(item))
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _unset_never(split: State, decision: Decision | None) -> dict[int, str]:
    """``{id(transition): why}`` for the cases of a split whose conditions test a Liquid
    name no Studio namespace holds (``{{become}}``): it renders as empty text, so a case
    that empty text does not satisfy never holds.  They stay, so that MN008 reports them."""
    found = split_subject(split)
    if decision is None or found is None or found[0] != "unset":
        return {}
    return {id(t): decision.why for t in decision.impossible if t.event == "match"}


def _tested_gather(split: State) -> str | None:
    found = split_subject(split)
    if found is None or found[0] != "digits":
        return None
    return found[1]


def decided_note(state: State, decision: Decision) -> str:
    taken = ", ".join(_transition_words(state, t) for t in decision.possible)
    never = ", ".join(_transition_words(state, t) for t in decision.impossible)
    return (
        f"Studio split-based-on '{state.name}', decided: {decision.why}; it takes {taken}, "
        f"never {never}"
    )


def _transition_words(state: State, transition: Transition) -> str:
    where = f"to '{transition.next}'" if transition.next else "to the end of the flow"
    if transition.event == "noMatch":
        return f"noMatch ({where})"
    return f"'{describe_match(state, transition)}' ({where})"
