"""Splits decided by what the route already holds: the digits a gather read, or nothing.

Studio docs, *Split Based On... widget*: the split tests a value (here
``{{widgets.X.Digits}}``) against its transitions' conditions in order and takes
the first that matches, else ``No Condition Matches``.  Studio docs, *Gather
Input On Call*: ``Digits`` is what the caller keyed at gather X, the last time X
ran; a widget that never ran renders as empty text in Liquid, and so does a
variable nobody sets (``{{become}}``).  TwiML ``<Gather>``: the ``finishOnKey``
key ends the input and is never part of ``Digits``.

So a split on ``{{widgets.X.Digits}}`` reached where X is not the gather the
caller just answered is decided by what X read on the routes there: a forward
pass over the flow carries, for each gather X that splits test, the set of
values ``X.Digits`` may hold (empty text before X runs, the keys a split on X
let through, or anything after X runs).  The pass is linear in widgets and
transitions times the (small) number of values each split names.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass

from ivraudit.formats.twilio.conditions import INPUT_VALUE, subject
from ivraudit.formats.twilio.flow import Flow, State, Transition

#: Any input at all (what X.Digits holds after X ran and nothing narrowed it).
ANY = "\x00any"
#: Liquid roots Studio defines; ``{{name}}`` with any other root renders as empty text.
_ROOTS = frozenset({"flow", "widgets", "trigger", "contact"})
#: Liquid literals: ``{{true}}`` renders as "true", not as a variable nobody set.
_LITERALS = frozenset({"true", "false", "nil", "null", "empty", "blank"})
_BARE = r"\{\{\s*([A-Za-z_][\w-]*)(?:\.[\w.-]+)?\s*\}\}"

Values = frozenset[str]


@dataclass
class Decision:
    """Which transitions of a split can be taken, and what decides it."""

    possible: list[Transition]
    impossible: list[Transition]
    why: str
    #: The gather whose Digits the split tests, and what they can be on the routes
    #: decided (empty: not told).
    gather: str = ""
    values: Values = frozenset()


def finish_key(gather: State) -> str | None:
    """The key that ends a gather's input (never in its Digits), if any."""
    value = gather.properties.get("finish_on_key")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


#: A regex body with no operator: literal characters and escaped ones (``\\*``).
_LITERAL_REGEX = re.compile(r"\^?((?:[^\\.^$*+?()\[\]{}|]|\\[^A-Za-z0-9])*)\$?")


def needs_finish_key(key: str, finish: str | None) -> bool:
    """Whether a menu key (``1#``, or a regex ``/^#$/``) only matches input holding the finish
    key, which never arrives in Digits (TwiML ``<Gather>`` finishOnKey), so it never holds.

    A regex is read only when it is a literal (anchors aside); any other stays possible.
    """
    if not finish:
        return False
    if len(key) > 2 and key.startswith("/") and key.endswith("/"):
        found = _LITERAL_REGEX.fullmatch(key[1:-1])
        if found is None:
            return False
        key = re.sub(r"\\(.)", r"\1", found.group(1))
    return finish.lower() in key.lower()


def condition_key(condition: dict) -> str | None:
    """The key an ``equal_to`` or ``regex`` condition names (a regex as ``/.../``), else None."""
    kind, value = condition.get("type"), condition.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    if kind == "equal_to":
        return value.strip()
    return f"/{value.strip()}/" if kind == "regex" else None


def split_subject(split: State) -> tuple[str, str | None] | None:
    """``("digits", X)`` when every condition tests ``{{widgets.X.Digits}}``, ``("unset", name)``
    when every condition tests a Liquid variable Studio never defines, else None."""
    found: set[tuple[str, str | None]] = set()
    for transition in split.transitions:
        if transition.event != "match":
            continue
        if not transition.conditions:
            return None
        for condition in transition.conditions:
            text = subject(split, condition).strip()
            value = INPUT_VALUE.fullmatch(text)
            if value is not None:
                if value.group(2) != "Digits":
                    return None
                found.add(("digits", value.group(1)))
                continue
            bare = re.fullmatch(_BARE, text)
            if bare is None or bare.group(1) in _ROOTS or bare.group(1) in _LITERALS:
                return None
            found.add(("unset", text))
    return found.pop() if len(found) == 1 else None


def _holds(condition: dict, value: str) -> bool | None:
    """Whether a condition holds for a value (Studio compares trimmed, without case)."""
    kind, expected = condition.get("type"), condition.get("value")
    if isinstance(expected, int) and not isinstance(expected, bool):
        expected = str(expected)
    if kind in ("is_blank", "is_not_blank"):
        return (value == "") == (kind == "is_blank")
    if not isinstance(expected, str):
        return None
    left, right = value.strip().lower(), expected.strip().lower()
    items = [item.strip() for item in right.split(",") if item.strip()]
    tests = {
        "equal_to": lambda: left == right,
        "not_equal_to": lambda: left != right,
        "matches_any_of": lambda: left in items,
        "does_not_match_any_of": lambda: left not in items,
        "contains": lambda: right in left,
        "does_not_contain": lambda: right not in left,
        "starts_with": lambda: left.startswith(right),
        "does_not_start_with": lambda: not left.startswith(right),
    }
    test = tests.get(kind)  # type: ignore[arg-type]
    return test() if test is not None else None


def _exact_keys(transition: Transition) -> list[str] | None:
    """The values a case lets through when it is one equal_to / matches_any_of condition."""
    if len(transition.conditions) != 1:
        return None
    condition = transition.conditions[0]
    kind, expected = condition.get("type"), condition.get("value")
    if isinstance(expected, int) and not isinstance(expected, bool):
        expected = str(expected)
    if not isinstance(expected, str):
        return None
    if kind == "equal_to":
        return [expected.strip().lower()]
    if kind == "matches_any_of":
        return [item.strip().lower() for item in expected.split(",") if item.strip()]
    return None


def outcomes(split: State, values: Values, finish: str | None) -> dict[int, Values]:
    """``{transition index: values taking it}`` for a split on one subject."""
    found: dict[int, set[str]] = {}
    for value in values:
        for index, transition in enumerate(split.transitions):
            if transition.event != "match":
                continue
            if value == ANY:
                keys = _exact_keys(transition)
                if keys is not None and finish is not None:
                    keys = [key for key in keys if not needs_finish_key(key, finish)]
                    if not keys:
                        continue  # only keys holding the finish key, which never arrives
                elif len(transition.conditions) == 1:
                    key = condition_key(transition.conditions[0])
                    if key is not None and needs_finish_key(key, finish):
                        continue
                found.setdefault(index, set()).update(keys if keys is not None else [ANY])
                continue
            results = [_holds(condition, value) for condition in transition.conditions]
            if all(result is True for result in results):
                found.setdefault(index, set()).add(value)
                break
            if any(result is None for result in results) and not any(
                result is False for result in results
            ):
                found.setdefault(index, set()).add(value)  # may hold: go on too
        else:
            for index, transition in enumerate(split.transitions):
                if transition.event == "noMatch":
                    found.setdefault(index, set()).add(value)
                    break
    return {index: frozenset(items) for index, items in found.items()}


def decide(flow: Flow, kept: list[State]) -> dict[str, Decision]:
    """Splits on a gather's Digits (or an unset variable) that some transitions never take."""
    names = {state.name for state in kept}
    subjects = {s.name: split_subject(s) for s in kept if s.type == "split-based-on"}
    tracked = sorted({x for kind, x in filter(None, subjects.values()) if kind == "digits"})
    if not tracked and not any(kind == "unset" for kind, _ in filter(None, subjects.values())):
        return {}
    gathers = {name for name in tracked if name in flow.by_name}
    start: dict[str, Values] = {name: frozenset({""}) for name in tracked}
    state_in: dict[str, dict[str, Values]] = {}
    queue: deque[str] = deque()
    if flow.start in names:
        state_in[flow.start] = dict(start)
        queue.append(flow.start)
    while queue:
        name = queue.popleft()
        widget = flow.by_name[name]
        here = state_in[name]
        for transition, out in flow_out(widget, here, subjects.get(name), gathers):
            target = transition.next
            if target is None or target not in names:
                continue
            known = state_in.get(target)
            merged = out if known is None else merge_values(known, out)
            if known is None or merged != known:
                state_in[target] = merged
                queue.append(target)
    decisions: dict[str, Decision] = {}
    for name, found in subjects.items():
        if found is None or name not in state_in:
            continue
        split = flow.by_name[name]
        kind, what = found
        values = frozenset({""}) if kind == "unset" else state_in[name][what or ""]
        finish = (
            finish_key(flow.by_name[what]) if kind == "digits" and what in flow.by_name else None
        )
        taken = outcomes(split, values, finish)
        possible = [t for i, t in enumerate(split.transitions) if i in taken]
        impossible = [t for i, t in enumerate(split.transitions) if i not in taken]
        if impossible:
            decisions[name] = Decision(
                possible,
                impossible,
                why_decided(kind, what, values, finish),
                (what or "") if kind == "digits" else "",
                values,
            )
    return decisions


def flow_out(
    widget: State,
    here: dict[str, Values],
    tested: tuple[str, str | None] | None,
    gathers: set[str],
) -> list[tuple[Transition, dict[str, Values]]]:
    """Each transition of a widget that can be taken, with the values that travel along it."""
    if widget.name in gathers:
        after = {**here, widget.name: frozenset({ANY})}
        return [(transition, after) for transition in widget.transitions]
    if tested is None or tested[0] != "digits" or tested[1] not in here:
        return [(transition, here) for transition in widget.transitions]
    what = tested[1] or ""
    taken = outcomes(widget, here[what], None)
    return [
        (transition, {**here, what: taken[index]})
        for index, transition in enumerate(widget.transitions)
        if index in taken
    ]


def merge_values(left: dict[str, Values], right: dict[str, Values]) -> dict[str, Values]:
    """The values either of two routes can carry, per gather."""
    merged = {}
    for name in left:
        values = left[name] | right.get(name, frozenset())
        merged[name] = frozenset({ANY}) if ANY in values else values
    return merged


def why_never(decision: Decision, transition: Transition) -> str | None:
    """Why a match transition of a split decided on the route never holds: its condition
    meets none of the values the split sees there, or an earlier transition takes those
    it meets.  None when a value is "any keys" (only a finish key rules a case out then,
    which :class:`~.splits.Splits` tells itself) or the transition has no condition."""
    values = decision.values
    if not decision.gather or not values or ANY in values or not transition.conditions:
        return None
    seen = why_decided("digits", decision.gather, values, None)
    # A value the condition may meet (it holds, or ivraudit cannot evaluate it: a regex)
    # goes to an earlier transition; "does not hold" only where it surely does not.
    met = sorted(
        value
        for value in values
        if all(_holds(condition, value) is not False for condition in transition.conditions)
    )
    if met:
        shown = " or ".join("(never ran: empty)" if v == "" else repr(v) for v in met)
        return f"{seen}, and an earlier transition takes {shown} first"
    tests = []
    for condition in transition.conditions:
        value = condition.get("value")
        shown = "" if value is None else " " + json.dumps(value, ensure_ascii=False)[:200]
        tests.append(f"{condition.get('type') or '?'}{shown}")
    which = "it" if len(values) == 1 else "any of them"
    return f"{seen}, and {' and '.join(tests)} does not hold for {which}"


def why_decided(kind: str, what: str | None, values: Values, finish: str | None) -> str:
    """What decides a split, in words (for its note and for MN008's ``never``)."""
    if kind == "unset":
        return (
            f"{what} names no Studio variable (Studio's Liquid variables are flow.*, "
            "widgets.*, trigger.* and contact.*), so it renders as empty text"
        )
    shown = sorted(
        "(never ran: empty)" if v == "" else "any keys" if v == ANY else repr(v) for v in values
    )
    text = f"on every route here, {{{{widgets.{what}.Digits}}}} is {' or '.join(shown)}"
    if finish:
        text += f"; '{finish}' is the finish key of '{what}' and never arrives in its Digits"
    return text
