"""Studio widgets to ivraudit nodes: one node per widget, one edge per transition.

A Gather Input On Call widget followed by a Split Based On... that tests its
``Digits`` (or ``SpeechResult``) becomes one ``menu`` whose options are the
split's conditions; a gather whose input is not split on by value becomes an
``ask``.  A transition with no next widget ends the flow, and Studio then hangs
up: where that end is a route the caller takes (a key, a split case, a
widget's success or failure) it leads to an explicit hangup node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ivraudit.formats._build import build_menu, unique_id
from ivraudit.formats.twilio.conditions import (
    INPUT_VALUE,
    Choice,
    choices_of,
    describe_match,
    digit_count,
    inputs_tested,
    menu_like,
    subject,
)
from ivraudit.formats.twilio.flow import Flow, State, Transition, other_channel_states
from ivraudit.model.errors import Position
from ivraudit.model.menu import Menu

_INPUT_REFERENCE = re.compile(r"widgets\.([\w-]+)\.(?:Digits|SpeechResult)")
_VARIABLE_REFERENCE = re.compile(r"flow\.variables\.([\w-]+)")
#: A key or phrase that stands for "any input at all".
ANY_INPUT = "/.+/"

#: Events after which the caller has already hung up: nothing they hear follows.
_CALLER_GONE = frozenset({"hangup"})

#: Transfers: whether a person answers, and a word for the target.
_TRANSFERS = {
    "connect-call-to": True,
    "send-to-flex": True,
    "enqueue-call": True,
    "add-twiml-redirect": False,
    "connect-virtual-agent": False,
}

#: Action widgets: which events are the success route (next) and which the failure (error).
#: Events not listed go to next.
_ACTION_EVENTS: dict[str, dict[str, str]] = {
    "run-function": {"success": "next", "fail": "error"},
    "make-http-request": {"success": "next", "failed": "error"},
    "run-subflow": {"completed": "next", "failed": "error"},
    "send-message": {"sent": "next", "failed": "error"},
    "record-call": {"success": "next", "failed": "error"},
    "set-variables": {"next": "next"},
    "fork-stream": {"next": "next"},
    "send-and-wait-for-reply": {
        "incomingMessage": "next",
        "timeout": "error",
        "deliveryFailure": "error",
    },
    "capture-payments": {
        "success": "next",
        "maxFailedAttempts": "error",
        "providerError": "error",
        "payInterrupted": "error",
        "validationError": "error",
        "hangup": "error",
    },
    "make-outgoing-call-v2": {
        "answered": "next",
        "busy": "error",
        "noAnswer": "error",
        "failed": "error",
    },
}


@dataclass
class _GatherPlan:
    """How a gather becomes a menu: the splits it takes its choices from."""

    digit_split: State | None = None
    speech_split: State | None = None
    digit_choices: list[Choice] | None = None
    speech_choices: list[Choice] | None = None

    @property
    def is_menu(self) -> bool:
        return self.digit_choices is not None or self.speech_choices is not None

    def absorbed(self) -> Iterator[tuple[State, str]]:
        """The splits folded into the menu, with the gather event that leads to each."""
        if self.digit_choices is not None and self.digit_split is not None:
            yield self.digit_split, "keypress"
        if self.speech_choices is not None and self.speech_split is not None:
            yield self.speech_split, "speech"


def build(flow: Flow) -> Menu:
    """The flow as a validated Menu."""
    return _Builder(flow).run()


class _Builder:
    """Builds one flow's nodes, positions and synthetic nodes (flow ends, event branches)."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.taken: set[str] = set()
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.missing: dict[str, str] = {}
        self.ends: dict[str, str] = {}
        self.plans: dict[str, _GatherPlan] = {}
        self.collects: dict[str, str] = {}
        self.landing = _landing_variables(flow)

    # -- the flow -------------------------------------------------------------------------------

    def run(self) -> Menu:
        flow = self.flow
        assert flow.trigger is not None
        skipped = other_channel_states(flow)
        kept = [s for s in flow.states if s is not flow.trigger and s.name not in skipped]
        for state in kept:
            state.node_id = unique_id(state.name, self.taken)
        # The Trigger is no node: a transition back to it goes nowhere (ST001).
        self.missing[flow.trigger.name] = unique_id(flow.trigger.name, self.taken)
        for state in kept:
            if state.type == "gather-input-on-call":
                plan = self.plans[state.name] = self._plan(state)
                if _gather_mode(state, plan) == "ask":
                    self.collects[state.name] = self.landing.get(state.name, state.name)
        folded = self._folded_splits(kept)
        start = self.target(flow.start) if flow.start else None
        for state in kept:
            if state.name not in folded:
                self._emit(state)
        return build_menu(
            flow.document,
            nodes=self.nodes,
            start=start,
            positions=self.positions,
            id=flow.name,
            title=flow.title,
        )

    def _emit(self, state: State) -> None:
        """Add a widget's node, then the synthetic nodes its conversion made."""
        node = self._convert(state)
        self.nodes[state.node_id] = node
        self.positions[("nodes", state.node_id)] = self.where(state.path)
        for key in ("say", "play"):
            if key in node:
                place = ("nodes", state.node_id, key)
                self.positions[place] = self.where((*state.path, "properties", key))
        self.nodes.update(self.pending)
        self.pending.clear()

    def _folded_splits(self, kept: list[State]) -> set[str]:
        """Splits that exist only as the choices of menus (no other widget goes to them)."""
        folding: dict[str, set[tuple[str, str]]] = {}
        for gather, plan in self.plans.items():
            for split, event in plan.absorbed():
                folding.setdefault(split.name, set()).add((gather, event))
        if not folding:
            return set()
        folded = set(folding)
        folded.discard(self.flow.start or "")
        for state in kept:
            for transition in state.transitions:
                name = transition.next
                if name in folded and (state.name, transition.event) not in folding[name]:
                    folded.discard(name)
        return folded

    def where(self, path: tuple[Any, ...]) -> Position:
        """The position of a path inside the flow."""
        found = self.flow.document.locate(self.flow.path(*path))
        return found or Position(self.flow.document.path, 1, 1)

    def target(self, name: str) -> str:
        """The node id a transition's ``next`` names (a missing widget keeps its name)."""
        state = self.flow.by_name.get(name)
        if state is not None and state.node_id:
            return state.node_id
        if name not in self.missing:
            self.missing[name] = unique_id(name, self.taken)
        return self.missing[name]

    def end(self, state: State, transition: Transition | None) -> str:
        """The hangup node standing for the flow ending at one of ``state``'s transitions."""
        if state.name not in self.ends:
            node_id = unique_id(f"{state.name}: end of flow", self.taken)
            self.ends[state.name] = node_id
            event = f" ('{transition.event}')" if transition else ""
            note = (
                f"the flow ends here: a transition of '{state.name}'{event} leads to no "
                "widget, so Studio hangs up the call"
            )
            self._add_pending(node_id, {"type": "hangup", "note": note}, transition or state)
        return self.ends[state.name]

    def _add_pending(self, node_id: str, node: dict[str, Any], at: Transition | State) -> None:
        self.pending.append((node_id, node))
        self.positions[("nodes", node_id)] = self.where(at.path)

    def route(
        self,
        state: State,
        field: str,
        transitions: list[Transition],
        *,
        after: bool,
    ) -> str | None:
        """Where a group of transitions leads, as one target for the node's ``field``.

        ``after`` is for events that fire when the call's purpose is over (a
        transfer or a recording has ended, or the caller hung up): an empty one
        ends nothing the caller hears.  Otherwise an empty transition is the
        flow ending.  Several different targets go through a branch on the event.
        """
        entries: list[tuple[Transition, str | None]] = []
        for transition in transitions:
            if transition.next:
                entries.append((transition, self.target(transition.next)))
            elif not after and transition.event not in _CALLER_GONE:
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
                    "when": f"event {transition.event}",
                    "next": target if target is not None else self.end(state, transition),
                }
            )
            self.positions[("nodes", node_id, "cases", index)] = self.where(transition.path)
        note = f"the '{field}' route of Studio widget '{state.name}', by the event that fired"
        self._add_pending(node_id, {"type": "branch", "cases": cases, "note": note}, state)
        return node_id

    # -- widgets --------------------------------------------------------------------------------

    def _convert(self, state: State) -> dict[str, Any]:
        kind = state.type
        if kind == "gather-input-on-call":
            return self._gather(state, self.plans[state.name])
        if kind == "split-based-on":
            return self._split(state)
        if kind == "say-play":
            return self._say_play(state)
        if kind in _TRANSFERS:
            return self._transfer(state)
        if kind == "record-voicemail":
            return self._voicemail(state)
        return self._action(state)

    def _say_play(self, state: State) -> dict[str, Any]:
        node = _prompt(state)
        digits = state.text("digits")
        notes = [f"plays the DTMF tones {digits}"] if digits else []
        if not any(transition.next for transition in state.transitions):
            notes.append("the flow ends after this message: Studio hangs up the call")
            return {"type": "hangup", **node, "note": "; ".join(notes)}
        node = {"type": "say", **node}
        node["next"] = self.route(state, "next", state.transitions, after=False)
        if notes:
            node["note"] = "; ".join(notes)
        return node

    def _split(self, state: State) -> dict[str, Any]:
        cases: list[dict[str, str]] = []
        node: dict[str, Any] = {"type": "branch", "cases": cases}
        for transition in state.transitions:
            target = (
                self.target(transition.next) if transition.next else self.end(state, transition)
            )
            if transition.event == "noMatch" and "else" not in node:
                node["else"] = target
                self.positions[("nodes", state.node_id, "else")] = self.where(transition.path)
                continue
            place = ("nodes", state.node_id, "cases", len(cases))
            self.positions[place] = self.where(transition.path)
            cases.append({"when": describe_match(state, transition), "next": target})
        node["note"] = "Studio split-based-on"
        return node

    def _transfer(self, state: State) -> dict[str, Any]:
        human = _TRANSFERS[state.type]
        node: dict[str, Any] = {"type": "transfer", "human": human}
        target, note = _transfer_target(state)
        if target:
            node["target"] = target
        node["note"] = note
        if human:
            passes = self._passes(state)
            if passes:
                node["passes"] = passes
        fail = self.route(state, "fail", state.transitions, after=True)
        if fail is not None:
            node["fail"] = fail
        return node

    def _voicemail(self, state: State) -> dict[str, Any]:
        note = "Studio record-voicemail"
        if state.properties.get("transcribe") in (True, "true"):
            note += " (transcribed)"
        node: dict[str, Any] = {"type": "voicemail", "note": note}
        after = self.route(state, "next", state.transitions, after=True)
        if after is not None:
            node["next"] = after
        return node

    def _action(self, state: State) -> dict[str, Any]:
        table = _ACTION_EVENTS.get(state.type, {})
        groups: dict[str, list[Transition]] = {"next": [], "error": []}
        for transition in state.transitions:
            groups[table.get(transition.event, "next")].append(transition)
        node: dict[str, Any] = {"type": "action", "note": _action_note(state)}
        for field, transitions in groups.items():
            found = self.route(state, field, transitions, after=False)
            if found is not None:
                node[field] = found
        return node

    # -- gathers --------------------------------------------------------------------------------

    def _plan(self, gather: State) -> _GatherPlan:
        """Which splits on this gather's input make it a menu (pure: nothing is built)."""
        plan = _GatherPlan()
        keys_to = self._own_split(gather, gather.on("keypress"))
        said_to = self._own_split(gather, gather.on("speech"))
        if keys_to and said_to and keys_to[0] is said_to[0]:
            choices = choices_of(keys_to[0], digit_count(gather))
            if choices is not None and menu_like(gather, choices):
                plan.digit_split = plan.speech_split = keys_to[0]
                plan.digit_choices = [c for c in choices if not c.speech]
                plan.speech_choices = [c for c in choices if c.speech]
            return plan
        if keys_to and keys_to[1] == {"Digits"}:
            choices = choices_of(keys_to[0], digit_count(gather))
            if choices is not None and menu_like(gather, choices):
                plan.digit_split, plan.digit_choices = keys_to[0], choices
        if said_to and said_to[1] == {"SpeechResult"}:
            choices = choices_of(said_to[0], None)
            same_errors = plan.digit_split is None or _no_match(plan.digit_split) == _no_match(
                said_to[0]
            )
            if choices is not None and same_errors:
                plan.speech_split, plan.speech_choices = said_to[0], choices
        return plan

    def _own_split(
        self, gather: State, transition: Transition | None
    ) -> tuple[State, set[str]] | None:
        """The split a gather event leads to, when it tests only this gather's input."""
        if transition is None or not transition.next:
            return None
        split = self.flow.by_name.get(transition.next)
        if split is None or split.type != "split-based-on" or not split.node_id:
            return None
        kinds: set[str] = set()
        matches = 0
        for item in split.transitions:
            if item.event == "noMatch":
                continue
            if item.event != "match" or len(item.conditions) != 1:
                return None
            found = INPUT_VALUE.fullmatch(subject(split, item.conditions[0]).strip())
            if found is None or found.group(1) != gather.name:
                return None
            kinds.add(found.group(2))
            matches += 1
        return (split, kinds) if matches else None

    def _gather(self, gather: State, plan: _GatherPlan) -> dict[str, Any]:
        mode = _gather_mode(gather, plan)
        if mode == "menu":
            return self._menu(gather, plan)
        keys, said, silence = gather.on("keypress"), gather.on("speech"), gather.on("timeout")
        node = _prompt(gather)
        if keys is not None and keys.next:
            on_keys = self.target(keys.next)
            self.positions[("nodes", gather.node_id, "next")] = self.where(keys.path)
        else:
            on_keys = self.end(gather, keys)
        if mode == "say":
            node.update(type="say", next=on_keys)
            node["note"] = (
                "Studio gather-input-on-call whose key press, speech and timeout all go to "
                f"'{_next(keys)}': the caller's input does not change the route"
            )
            return node
        if mode == "either":
            assert said is not None and said.next
            node.update(type="menu", options={ANY_INPUT: on_keys})
            node["speech"] = {ANY_INPUT: self.target(said.next)}
            self.positions[("nodes", gather.node_id, "speech")] = self.where(said.path)
            node["note"] = (
                "Studio gather-input-on-call: any key press and any speech go on, each its "
                "own way; no input is invalid here"
            )
        else:
            node.update(type="ask", collects=self.collects[gather.name], next=on_keys)
            node["note"] = self._ask_note(gather, _next(keys))
        node["no_match"] = on_keys
        self._timeouts(gather, node, silence)
        return node

    def _menu(self, gather: State, plan: _GatherPlan) -> dict[str, Any]:
        node = {"type": "menu", **_prompt(gather)}
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        splits = list(dict.fromkeys(split.name for split, _ in plan.absorbed()))
        if len(splits) == 1:
            notes = [f"Studio gather-input-on-call with split '{splits[0]}'"]
        else:
            notes = [
                f"Studio gather-input-on-call with splits '{splits[0]}' (keys) and "
                f"'{splits[1]}' (speech)"
            ]
        for split, choices in (
            (plan.digit_split, plan.digit_choices),
            (plan.speech_split, plan.speech_choices),
        ):
            if split is not None and choices is not None:
                self._add_choices(gather, split, choices, options, speech, notes)
        self._catch_alls(gather, plan, options, speech)
        node["options"], node["speech"] = options, speech
        split = plan.digit_split if plan.digit_choices is not None else plan.speech_split
        assert split is not None
        no_match = split.on("noMatch")
        if no_match is not None and no_match.next:
            node["no_match"] = self.target(no_match.next)
            self.positions[("nodes", gather.node_id, "no_match")] = self.where(no_match.path)
        notes.extend(_finish_key_notes(gather, options))
        node["note"] = "; ".join(notes)
        self._timeouts(gather, node, gather.on("timeout"))
        return node

    def _catch_alls(
        self,
        gather: State,
        plan: _GatherPlan,
        options: dict[str, str],
        speech: dict[str, str],
    ) -> None:
        """Keys (or speech) that no split of the menu tests go on as any-input routes.

        Input that goes to the other split matches none of its conditions: that is
        the menu's no_match, not a route of its own.
        """
        keys, said = gather.on("keypress"), gather.on("speech")
        keys_elsewhere = keys is not None and keys.next != _name(plan.speech_split)
        if plan.digit_choices is None and keys is not None and keys_elsewhere:
            on_keys = self.target(keys.next) if keys.next else self.end(gather, keys)
            options[ANY_INPUT] = on_keys
            self.positions[("nodes", gather.node_id, "options", ANY_INPUT)] = self.where(keys.path)
        speech_elsewhere = said is not None and said.next != _name(plan.digit_split)
        if plan.speech_choices is None and said is not None and said.next and speech_elsewhere:
            speech[ANY_INPUT] = self.target(said.next)
            self.positions[("nodes", gather.node_id, "speech", ANY_INPUT)] = self.where(said.path)

    def _add_choices(
        self,
        gather: State,
        split: State,
        choices: list[Choice],
        options: dict[str, str],
        speech: dict[str, str],
        notes: list[str],
    ) -> None:
        for choice in choices:
            transition = choice.transition
            if transition.next:
                target = self.target(transition.next)
            else:
                target = self.end(split, transition)
            table, field = (speech, "speech") if choice.speech else (options, "options")
            for key in choice.keys:
                if key in table:
                    notes.append(
                        f"'{key}' is matched again by a later condition of split "
                        f"'{split.name}' (to '{transition.next or 'the end of the flow'}'), "
                        "which Studio never takes"
                    )
                    continue
                table[key] = target
                place = ("nodes", gather.node_id, field, key)
                self.positions[place] = self.where(transition.path)

    def _timeouts(self, gather: State, node: dict[str, Any], silence: Transition | None) -> None:
        # No timeout transition: Studio ends the flow and the call drops, which is the
        # platform-disconnect default, so no_input stays unset.
        if silence is not None and silence.next:
            node["no_input"] = self.target(silence.next)
            self.positions[("nodes", gather.node_id, "no_input")] = self.where(silence.path)
        seconds = _seconds(gather.properties.get("timeout"))
        if seconds is not None:
            node["timeout"] = seconds

    def _ask_note(self, gather: State, keyed_to: str | None) -> str:
        count = digit_count(gather)
        what = f"{count} digit{'s' if count != 1 else ''}" if count else "keys"
        if _next(gather.on("speech")):
            what += " or speech"
        note = f"Studio gather-input-on-call: reads {what}"
        if gather.name in self.landing:
            note += f", stored in flow variable '{self.landing[gather.name]}'"
        split = self.flow.by_name.get(keyed_to or "")
        if split is not None and split.type == "split-based-on":
            tested = inputs_tested(split)
            if gather.name in tested:
                note += f", checked by split '{split.name}'"
            elif tested:
                others = ", ".join(f"'{name}'" for name in tested)
                note += (
                    f"; the next split '{split.name}' tests the input of {others}, "
                    "not what is keyed here"
                )
        return note + "; Studio passes any input on, so no input is invalid here"

    def _passes(self, state: State) -> list[str]:
        """The gathered values a transfer hands on (in its attributes or other properties)."""
        passes: list[str] = []
        variables = set(self.landing.values())
        for text in _strings(state.properties):
            for found in _INPUT_REFERENCE.finditer(text):
                name = self.collects.get(found.group(1)) or self.landing.get(found.group(1))
                if name and name not in passes:
                    passes.append(name)
            for found in _VARIABLE_REFERENCE.finditer(text):
                name = found.group(1)
                if name in variables and name not in passes:
                    passes.append(name)
        return passes


# -- helpers ----------------------------------------------------------------------------------


def _name(state: State | None) -> str | None:
    return state.name if state is not None else None


def _next(transition: Transition | None) -> str | None:
    return transition.next if transition is not None else None


def _gather_mode(gather: State, plan: _GatherPlan) -> str:
    """``menu`` (choices from splits), ``say`` (every input goes the same way), ``either``
    (keys one way, speech another) or ``ask`` (a value the caller keys in)."""
    if plan.is_menu:
        return "menu"
    keyed_to = _next(gather.on("keypress"))
    said_to = _next(gather.on("speech"))
    if keyed_to and _next(gather.on("timeout")) == keyed_to and said_to in (None, keyed_to):
        return "say"
    if said_to and said_to != keyed_to:
        return "either"
    return "ask"


def _prompt(state: State) -> dict[str, Any]:
    node: dict[str, Any] = {}
    say, play = state.text("say"), state.text("play")
    if say:
        node["say"] = say
    if play:
        node["play"] = play
    return node


def _no_match(split: State) -> str | None:
    transition = split.on("noMatch")
    return transition.next if transition else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= 3600 else None


def _finish_key_notes(gather: State, options: dict[str, str]) -> list[str]:
    finish = gather.properties.get("finish_on_key")
    if gather.properties.get("stop_gather") is False or not isinstance(finish, str):
        return []
    if finish.strip() and finish.strip() in options:
        return [
            f"'{finish.strip()}' is the finish key: Studio ends the input when it is pressed "
            f"and does not pass it on, so option '{finish.strip()}' cannot be chosen"
        ]
    return []


def _transfer_target(state: State) -> tuple[str | None, str]:
    text = state.text
    kind = state.type
    if kind == "connect-call-to":
        noun = text("noun") or "number"
        to = text("to") or text(noun)
        return (f"{noun}:{to}" if to else noun), f"Studio connect-call-to ({noun})"
    if kind == "enqueue-call":
        queue = text("queue_name")
        if queue:
            return f"queue:{queue}", "Studio enqueue-call"
        workflow = text("workflow_sid")
        return (f"workflow:{workflow}" if workflow else None), "Studio enqueue-call (TaskRouter)"
    if kind == "send-to-flex":
        workflow = text("workflow")
        return (f"flex:{workflow}" if workflow else "flex"), "Studio send-to-flex: a Flex task"
    if kind == "add-twiml-redirect":
        url = text("url")
        return (
            (f"twiml:{url}" if url else None),
            "Studio add-twiml-redirect: the call leaves the flow for the TwiML at this URL "
            "and comes back only through its transitions",
        )
    agent = text("connector_name") or text("configuration") or text("connector")
    return (
        (f"virtual-agent:{agent}" if agent else None),
        "Studio connect-virtual-agent: a virtual agent (bot) takes the call; 'return' brings "
        "it back to the flow",
    )


def _action_note(state: State) -> str:
    text = state.text
    kind = state.type
    details = {
        "run-function": lambda: text("url") or text("function_sid"),
        "make-http-request": lambda: " ".join(
            part for part in (text("method"), text("url")) if part
        ),
        "run-subflow": lambda: text("flow_sid"),
        "send-message": lambda: _short(text("body")),
        "send-and-wait-for-reply": lambda: _short(text("body")),
        "fork-stream": lambda: text("stream_url") or text("url"),
        "capture-payments": lambda: " ".join(
            part for part in (text("payment_amount"), text("currency")) if part
        ),
        "make-outgoing-call-v2": lambda: text("to"),
    }
    if kind == "set-variables":
        names = _variable_names(state)
        return f"Studio set-variables: {', '.join(names)}" if names else "Studio set-variables"
    if kind in details or kind in _ACTION_EVENTS:
        detail = details[kind]() if kind in details else None
        return f"Studio {kind}: {detail}" if detail else f"Studio {kind}"
    return f"Studio widget of type '{kind}', which ivraudit does not model: kept as an action"


def _variable_names(state: State) -> list[str]:
    items = state.properties.get("variables")
    if not isinstance(items, list):
        return []
    return [
        item["key"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"]
    ]


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


def _landing_variables(flow: Flow) -> dict[str, str]:
    """``{gather: variable}``: the flow variable (or function parameter) a gather's input lands in.

    Set Variables widgets are read first; Run Function and HTTP parameters after.
    """
    found: dict[str, str] = {}
    for kinds, key in (
        (("set-variables",), "variables"),
        (("run-function", "make-http-request"), "parameters"),
    ):
        for state in flow.states:
            if state.type not in kinds:
                continue
            items = state.properties.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                if not isinstance(item, dict):
                    continue
                name, value = item.get("key"), item.get("value")
                if not (isinstance(name, str) and name.strip() and isinstance(value, str)):
                    continue
                reference = _INPUT_REFERENCE.search(value)
                if reference is not None:
                    found.setdefault(reference.group(1), name.strip())
    return found


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
