"""``MACRO_OFFSET``: where a Macro's caller goes on when the macro has set it.

"If MACRO_OFFSET is set at termination, Macro will attempt to continue at priority
MACRO_OFFSET + N + 1 if such a step exists, and N + 1 otherwise" (docs.asterisk.org,
Dialplan Applications *Macro*; app_macro.c reads it with ``sscanf("%d")`` when the macro
ends normally, in its own context, and checks that the caller's extension has that
priority).  Macro clears it on entry, so only what the macro's own context sets counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivraudit.formats.asterisk.match import has_variables
from ivraudit.formats.asterisk.nodes import Pool, branch_node
from ivraudit.formats.asterisk.parse import Context, Step
from ivraudit.formats.asterisk.targets import Loc, Unknown
from ivraudit.formats.asterisk.writes import assigned_name

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.flow import Flow

_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+)")
#: An application other than Set that assigns MACRO_OFFSET: what it sets is not read.
_ASSIGNS = re.compile(r"\bMACRO_OFFSET\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class Offsets:
    """What a macro's context sets ``MACRO_OFFSET`` to."""

    #: the numbers it may be set to
    numbers: tuple[int, ...]
    #: whether some assignment is known only at run time
    run_time: bool
    #: the one number it holds on every way out of the macro (set once, before any jump)
    always: int | None


def macro_offsets(context: Context) -> Offsets | None:
    """The ``Set(MACRO_OFFSET=...)`` of a macro's context; None when it sets none.

    A value with variables is known only at run time; one that is not a number (or
    empty) leaves the caller at N + 1, as sscanf fails.  ``always`` is known only for
    the simplest, common case: one assignment, to a number, at a priority of ``s`` that
    every call passes (priorities 1.. before it only do things such as Set or NoOp:
    nothing that jumps or ends)."""
    found: list[tuple[str, int, str]] = []
    for key, extension in context.extensions.items():
        for step in extension.steps.values():
            if step.app.strip().lower() != "set":
                if _ASSIGNS.search(step.data):  # ExecIf(...?Set(MACRO_OFFSET=..)), MSet
                    found.append((key, step.number, "${?}"))
                continue
            target, equals, value = step.data.partition("=")
            if equals and assigned_name(target) == "MACRO_OFFSET":
                found.append((key, step.number, value.strip()))
    if not found:
        return None
    numbers: set[int] = set()
    run_time = False
    for _, _, value in found:
        if has_variables(value):
            run_time = True
            continue
        number = _LEADING_NUMBER.match(value)
        if number is not None:
            numbers.add(int(number.group(1)))
    always = None
    if len(found) == 1 and not run_time and numbers:
        name, number, _ = found[0]
        extension = context.extensions.get(name)
        if name == "s" and extension is not None and _passed(extension.steps, number):
            always = next(iter(numbers))
    return Offsets(tuple(sorted(numbers)), run_time, always)


#: Applications that neither jump nor end the call nor wait for the caller.
_PLAIN = frozenset(["set", "noop", "answer", "verbose", "log", "mset", "setvar", "progress"])


def _passed(steps: dict[int, Step], number: int) -> bool:
    """Whether every call through ``s`` reaches priority ``number`` (only plain
    applications before it, numbered 1, 2, ... without a gap)."""
    for earlier in range(1, number):
        step = steps.get(earlier)
        if step is None or step.app.strip().lower() not in _PLAIN:
            return False
    return number in steps


def offset_following(
    flow: Flow, pool: Pool, loc: Loc, node_id: str, context: str, following: str
) -> str:
    """Where the caller of the macro of ``context`` (called at ``loc``) goes on when it
    returns: ``following`` (priority N + 1), or priority N + offset + 1 of the calling
    extension for each ``MACRO_OFFSET`` the macro may set, where that priority exists; a
    value set at run time is an ``unknown`` way on."""
    place = flow.targets.contexts.get(context)
    offsets = macro_offsets(place) if place is not None else None
    if offsets is None:
        return following
    steps = loc.step.exten.steps
    ways: dict[int, str] = {}
    for number in offsets.numbers:
        step = steps.get(loc.step.number + number + 1)
        ways[number] = flow.enter(pool, Loc(loc.chan, step)) if step else following
    if offsets.always is not None:
        return ways[offsets.always]
    cases = [(f"the macro set MACRO_OFFSET to {number}", way) for number, way in ways.items()]
    where = loc.step.where
    if offsets.run_time:
        helper, new = pool.claim(("helper", node_id, "offset"), f"{node_id}:offset")
        if new:
            unknown = Unknown("the macro sets MACRO_OFFSET at run time", "run-time")
            pool.add(helper, unknown.node(), where)
        cases.append(("the macro set MACRO_OFFSET at run time", helper))
    node = branch_node(cases, following, "where the caller goes on after the macro")
    if node.get("type") != "branch":
        return str(node["next"])
    helper, new = pool.claim(("helper", node_id, "returns"), f"{node_id}:returns")
    if new:
        pool.add(helper, node, where)
    return helper
