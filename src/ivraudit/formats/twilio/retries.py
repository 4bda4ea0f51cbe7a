"""Retry counters built by hand around a menu, read as the menu's retries.

Studio has no retry count on Gather Input On Call.  Studio docs, *Set Variables
widget*: variables "are available to the global context of your Studio Flow",
"for instance, you can use variables to increment counters"; *Split Based On...*:
``Less Than`` compares numbers.  So teams count a menu's errors by hand:

    menu (gather + its split) --noMatch / timeout--> set_retry (Set Variables:
    retry = {{flow.variables.retry | plus: 1}}) --> split_retry (retry less_than 3)
        match   --> invalid message (Say/Play) --> menu
        noMatch --> goodbye

That is exactly a menu with ``no_match`` (and ``no_input``) to the invalid message,
``retries: 2`` (N - 1: the counter starts empty, so the third error ends the
tries) and ``retries_exhausted`` to the goodbye; the counter and its split are
folded into the menu.  Only that shape is folded: a counter other widgets also
reach, a split with other cases, or a message that goes anywhere but back to the
same menu stay widgets as they are, so the graph keeps what the flow does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivraudit.formats.twilio.flow import Flow, State, Transition

#: ``{{flow.variables.V | plus: 1}}`` inside a Set Variables value (an ``{% if %}`` around it
#: to start at 1 is the same count).
_PLUS_ONE = r"\{\{\s*flow\.variables\.{name}\s*\|\s*plus\s*:\s*1\s*\}\}"
_VARIABLE = re.compile(r"\{\{\s*flow\.variables\.([\w-]+)\s*\}\}")


@dataclass
class RetryLoop:
    """One hand-built retry counter around a menu."""

    menu: str
    counter: State
    split: State
    variable: str
    limit: int
    again: Transition
    exhausted: Transition
    #: Other Set Variables widgets that also set the variable (a counter shared with them).
    shared: list[str] = field(default_factory=list)

    @property
    def retries(self) -> int:
        return max(self.limit - 1, 0)

    def note(self) -> str:
        text = (
            f"errors counted by hand: Set Variables '{self.counter.name}' adds 1 to "
            f"flow.variables.{self.variable}, split '{self.split.name}' re-prompts while it is "
            f"less than {self.limit}, so {self.retries} retries"
        )
        if self.shared:
            others = ", ".join(f"'{name}'" for name in self.shared)
            text += (
                f"; {others} also set{'s' if len(self.shared) == 1 else ''} "
                f"flow.variables.{self.variable}, so callers who erred there first get fewer tries"
            )
        return text


def find_loops(
    flow: Flow, kept: list[State], menus: dict[str, set[tuple[str, str]]]
) -> dict[str, RetryLoop]:
    """``{counter widget name: loop}`` for every retry counter that only a menu's errors reach.

    ``menus`` maps each gather that is a menu to its error transitions, as
    ``(widget, event)``: its own ``timeout`` and the ``noMatch`` of the splits folded
    into it.
    """
    into: dict[str, list[tuple[State, Transition]]] = {}
    for state in kept:
        for transition in state.transitions:
            if transition.next:
                into.setdefault(transition.next, []).append((state, transition))
    loops: dict[str, RetryLoop] = {}
    for counter in kept:
        loop = _loop_at(flow, counter, menus, into)
        if loop is not None:
            loop.shared = [
                state.name
                for state in kept
                if state is not counter
                and state.type == "set-variables"
                and loop.variable in _variables_set(state)
            ]
            loops[counter.name] = loop
    return loops


def _loop_at(
    flow: Flow,
    counter: State,
    menus: dict[str, set[tuple[str, str]]],
    into: dict[str, list[tuple[State, Transition]]],
) -> RetryLoop | None:
    if counter.type != "set-variables":
        return None
    variable = _increment(counter)
    if variable is None:
        return None
    onward = [t for t in counter.transitions if t.next]
    if len(onward) != 1:
        return None
    split = flow.by_name.get(onward[0].next or "")
    if split is None or split.type != "split-based-on":
        return None
    if [source.name for source, _ in into.get(split.name, [])] != [counter.name]:
        return None  # other widgets reach the split: it is more than this counter's test
    test = _less_than(split, variable)
    if test is None:
        return None
    again, exhausted, limit = test
    menu = _back_to(flow, again)
    if menu is None or menu not in menus:
        return None
    sources = into.get(counter.name, [])
    if not sources or any((s.name, t.event) not in menus[menu] for s, t in sources):
        return None  # the counter also counts something else than this menu's errors
    return RetryLoop(menu, counter, split, variable, limit, again, exhausted)


def _increment(counter: State) -> str | None:
    """The variable a Set Variables widget adds 1 to, when that is all it does."""
    items = counter.properties.get("variables")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        return None
    name, value = items[0].get("key"), items[0].get("value")
    if not isinstance(name, str) or not isinstance(value, str):
        return None
    name = name.strip()
    if not re.fullmatch(r"[\w-]+", name):
        return None
    if re.search(_PLUS_ONE.replace("{name}", re.escape(name)), value) is None:
        return None
    return name


def _less_than(split: State, variable: str) -> tuple[Transition, Transition, int] | None:
    """``(match, noMatch, N)`` for a split whose one case is ``flow.variables.V less_than N``."""
    matches = [t for t in split.transitions if t.event == "match"]
    misses = [t for t in split.transitions if t.event == "noMatch"]
    if len(matches) != 1 or len(misses) != 1 or len(split.transitions) != 2:
        return None
    (condition,) = matches[0].conditions or [None]
    if not isinstance(condition, dict) or condition.get("type") != "less_than":
        return None
    arguments = condition.get("arguments")
    tested = arguments[0] if isinstance(arguments, list) and arguments else split.text("input")
    found = _VARIABLE.fullmatch(tested.strip()) if isinstance(tested, str) else None
    if found is None or found.group(1) != variable:
        return None
    value = condition.get("value")
    text = str(value).strip() if isinstance(value, (int, str)) else ""
    if not text.isdigit() or not 1 <= int(text) <= 101:
        return None
    return matches[0], misses[0], int(text)


def _back_to(flow: Flow, again: Transition) -> str | None:
    """The gather the retry route goes back to: at once, or after one Say/Play."""
    target = flow.by_name.get(again.next or "")
    if target is None:
        return None
    if target.type == "gather-input-on-call":
        return target.name
    if target.type != "say-play":
        return None
    onward = {t.next for t in target.transitions if t.next}
    if len(onward) != 1 or len(target.transitions) != 1:
        return None
    back = flow.by_name.get(onward.pop() or "")
    return back.name if back is not None and back.type == "gather-input-on-call" else None


def _variables_set(state: State) -> set[str]:
    items = state.properties.get("variables")
    if not isinstance(items, list):
        return set()
    return {
        item["key"].strip()
        for item in items
        if isinstance(item, dict) and isinstance(item.get("key"), str)
    }
