"""Gather Input On Call widgets: a gather whose input a split tests by value becomes one ``menu``
of the split's conditions; otherwise it is an ``ask``, a ``say``, or a menu of any input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ivraudit.formats.twilio.conditions import (
    INPUT_VALUE,
    Choice,
    choices_of,
    digit_count,
    inputs_tested,
    menu_like,
    subject,
)
from ivraudit.formats.twilio.decisions import Decision, finish_key, needs_finish_key
from ivraudit.formats.twilio.flow import State, Transition
from ivraudit.formats.twilio.nodes import NodeTable, prompt_fields
from ivraudit.formats.twilio.retries import RetryLoop

#: A key or phrase that stands for "any input at all".
ANY_INPUT = "/.+/"


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


class Gathers:
    """The flow's gathers: the splits each folds into a menu, what each collects, their nodes.

    ``landing`` maps a gather to the flow variable its input is stored in.
    """

    def __init__(self, table: NodeTable, landing: dict[str, str]) -> None:
        self.table = table
        self.flow = table.flow
        self.landing = landing
        self.plans: dict[str, _GatherPlan] = {}
        self.collects: dict[str, str] = {}
        #: Splits some of whose transitions no route takes (see :mod:`.decisions`).
        self.decisions: dict[str, Decision] = {}
        #: Hand-built retry counters, by counter widget (see :mod:`.retries`).
        self.loops: dict[str, RetryLoop] = {}

    def answers(self) -> dict[str, str]:
        """``{gather: node id}`` for the gathers that are an ask or a menu: what callers answer."""
        return {
            name: self.flow.by_name[name].node_id
            for name, plan in self.plans.items()
            if _gather_mode(self.flow.by_name[name], plan) in ("ask", "menu")
        }

    def error_transitions(self, folded: set[str]) -> dict[str, set[tuple[str, str]]]:
        """``{menu gather: its error transitions}``: its timeout, its folded splits' noMatch."""
        found: dict[str, set[tuple[str, str]]] = {}
        for name, plan in self.plans.items():
            if not plan.is_menu:
                continue
            errors = found[name] = {(name, "timeout")}
            for split, _ in plan.absorbed():
                if split.name in folded:
                    errors.add((split.name, "noMatch"))
        return found

    def plan(self, gather: State) -> None:
        """Decide how a gather converts; every widget must have its node id already."""
        plan = self.plans[gather.name] = self._plan(gather)
        if _gather_mode(gather, plan) == "ask":
            self.collects[gather.name] = self.landing.get(gather.name, gather.name)

    def inlined(self, folded: set[str]) -> Callable[[State, Transition], bool]:
        """Whether a transition leads to a widget built into its widget's node: a folded
        widget, or the split a menu takes its choices from (by that gather event)."""
        absorbed = {
            (gather, event, split.name)
            for gather, plan in self.plans.items()
            for split, event in plan.absorbed()
        }

        def inlined(state: State, transition: Transition) -> bool:
            target = transition.next or ""
            return target in folded or (state.name, transition.event, target) in absorbed

        return inlined

    def folded_splits(self, kept: list[State]) -> set[str]:
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

    def convert(self, gather: State) -> dict[str, Any]:
        """The gather's node, by the plan made for it."""
        plan = self.plans[gather.name]
        mode = _gather_mode(gather, plan)
        if mode == "menu":
            return self._menu(gather, plan)
        table = self.table
        keys, said, silence = gather.on("keypress"), gather.on("speech"), gather.on("timeout")
        node = prompt_fields(gather)
        if keys is not None and keys.next:
            on_keys = table.follow(keys)
            table.positions[("nodes", gather.node_id, "next")] = table.where(keys.path)
        else:
            on_keys = table.end(gather, keys)
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
            node["speech"] = {ANY_INPUT: table.follow(said)}
            table.positions[("nodes", gather.node_id, "speech")] = table.where(said.path)
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
        node = {"type": "menu", **prompt_fields(gather)}
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
        node["note"] = "; ".join(notes)
        if no_match is not None and no_match.next:
            self._error_route(gather, node, "no_match", no_match)
        elif self.table.returns:
            # Studio docs, Run Subflow widget: 'Completed' fires when the subflow's
            # execution ends, so an invalid key with nowhere to go returns to the parent.
            node["no_match"] = self.table.end(split, no_match)
        self._timeouts(gather, node, gather.on("timeout"))
        return node

    def _error_route(
        self, gather: State, node: dict[str, Any], field: str, transition: Transition
    ) -> None:
        """A menu's no_match or no_input; through a retry counter, its retries (see
        :mod:`.retries`): the field goes to the invalid message, the rest is retries."""
        table = self.table
        assert transition.next is not None
        table.positions[("nodes", gather.node_id, field)] = table.where(transition.path)
        loop = self.loops.get(transition.next)
        if loop is None or loop.menu != gather.name:
            node[field] = table.follow(transition)
            return
        assert loop.again.next is not None
        node[field] = table.follow(loop.again)
        if "retries" in node:
            return  # the other error event counts on the same counter
        node["retries"] = loop.retries
        exhausted = loop.exhausted
        if exhausted.next:
            node["retries_exhausted"] = table.follow(exhausted)
        else:
            node["retries_exhausted"] = table.end(loop.split, exhausted)
        table.positions[("nodes", gather.node_id, "retries_exhausted")] = table.where(
            exhausted.path
        )
        node["note"] = "; ".join(part for part in (node.get("note"), loop.note()) if part)

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
        table = self.table
        keys, said = gather.on("keypress"), gather.on("speech")
        keys_elsewhere = keys is not None and keys.next != _name(plan.speech_split)
        if plan.digit_choices is None and keys is not None and keys_elsewhere:
            on_keys = table.follow(keys) if keys.next else table.end(gather, keys)
            options[ANY_INPUT] = on_keys
            table.positions[("nodes", gather.node_id, "options", ANY_INPUT)] = table.where(
                keys.path
            )
        speech_elsewhere = said is not None and said.next != _name(plan.digit_split)
        if plan.speech_choices is None and said is not None and said.next and speech_elsewhere:
            speech[ANY_INPUT] = table.follow(said)
            table.positions[("nodes", gather.node_id, "speech", ANY_INPUT)] = table.where(said.path)

    def _add_choices(
        self,
        gather: State,
        split: State,
        choices: list[Choice],
        options: dict[str, str],
        speech: dict[str, str],
        notes: list[str],
    ) -> None:
        table = self.table
        finish = finish_key(gather)
        for choice in choices:
            transition = choice.transition
            goes = transition.next or "the end of the flow"
            keyed, field = (speech, "speech") if choice.speech else (options, "options")
            keys = []
            for key in choice.keys:
                if not choice.speech and needs_finish_key(key, finish):
                    what = (
                        f"'{key}' is the finish key"
                        if key == finish
                        else f"'{key}' needs the finish key '{finish}'"
                    )
                    notes.append(
                        f"{what}: Studio ends the input when it is pressed "
                        "and never passes it on in Digits, so the condition of split "
                        f"'{split.name}' on '{key}' (to '{goes}') never holds"
                    )
                elif key in keyed or key in keys:
                    notes.append(
                        f"'{key}' is matched again by a later condition of split "
                        f"'{split.name}' (to '{goes}'), which Studio never takes"
                    )
                else:
                    keys.append(key)
            if not keys:
                continue  # a route Studio never takes is not built
            target = table.follow(transition) if transition.next else table.end(split, transition)
            for key in keys:
                keyed[key] = target
                place = ("nodes", gather.node_id, field, key)
                table.positions[place] = table.where(transition.path)

    def _timeouts(self, gather: State, node: dict[str, Any], silence: Transition | None) -> None:
        table = self.table
        # No timeout transition: Studio ends the flow and the call drops, which is the
        # platform-disconnect default, so no_input stays unset.  In a subflow the end of
        # its execution is the parent's Run Subflow 'Completed' (Studio docs, Run Subflow
        # widget): silence returns to the parent flow.
        if silence is not None and silence.next:
            if node.get("type") == "menu":
                self._error_route(gather, node, "no_input", silence)
            else:
                node["no_input"] = table.follow(silence)
                table.positions[("nodes", gather.node_id, "no_input")] = table.where(silence.path)
        elif table.returns:
            node["no_input"] = table.end(gather, silence)
            if silence is not None:
                table.positions[("nodes", gather.node_id, "no_input")] = table.where(silence.path)
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
