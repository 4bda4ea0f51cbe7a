"""Out-of-hours routes that are not written as GotoIfTime at the point they branch.

Dialplans often check the time once, remember the answer in a channel variable
and test it later (``n(FORADEATENDIMENTO),Set(ATENDIMENTO=0)`` on the closed side of
``GotoIfTime(...)``, then ``GotoIf($["${ATENDIMENTO}" = "0"]?FORA-DE-ATENDIMENTO)``
in each department).  Such a GotoIf is an hours check: its side for the value set
when closed is the closed route.  And a hangup that callers reach only on closed or
holiday routes ends an out-of-hours call (DE006 judges it), not a refused service.

Likewise a hangup reached only on the blocked side of a ``BLACKLIST()`` test (FreePBX's
``app-blacklist-check``: ``GotoIf($["${BLACKLIST()}"="1"]?blacklisted)``) turns away a
caller the owner put on the blacklist, on purpose: not a service refused to callers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING

from ivraudit.formats.asterisk.apps import closed_label, closed_then
from ivraudit.formats.asterisk.match import app_args
from ivraudit.formats.asterisk.nodes import node_targets
from ivraudit.formats.asterisk.targets import Loc

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.nodes import Pool
    from ivraudit.formats.asterisk.walker import Walker

#: How many bookkeeping priorities after a closed label are read for a ``Set``.
_LOOKAHEAD = 12
_FLAG_TEST = re.compile(r'^\$\[\s*"?\$\{(\w+)\}"?\s*(==|=|!=)\s*"?([\w.-]*)"?\s*\]$')
_LITERAL = re.compile(r"^[\w.-]+$")
#: A test of Asterisk's BLACKLIST() function (func_blacklist: 1 when the caller ID is in
#: the astdb family ``blacklist``), and the value it is compared with.
_BLACKLIST = re.compile(
    r'^\$\[\s*"?\$\{BLACKLIST\(\)\}"?\s*(==|=|!=)\s*"?([01])"?\s*\]$|^\$\{BLACKLIST\(\)\}$',
    re.IGNORECASE,
)
#: Fields of a node that make it more than a step on the way (a message, bookkeeping).
_BRANCHING = frozenset({"error", "fail", "options", "cases", "else", "collects"})


def closed_flags(walker: Walker) -> dict[str, set[str]]:
    """``{variable: values}`` set by a literal ``Set(VAR=value)`` right at the closed
    (or holiday) side of a GotoIfTime, before the route moves on."""
    flags: dict[str, set[str]] = {}
    targets = walker.targets
    for context in targets.contexts.values():
        for extension in context.extensions.values():
            for step in extension.steps.values():
                if step.app.strip().lower() != "gotoiftime":
                    continue
                here = Loc(context.name, step)
                kind = walker.kind(here)
                if kind.tag != "gotoiftime":
                    continue
                if closed_then(kind):
                    label = kind.then
                elif kind.otherwise and closed_label(kind.otherwise):
                    label = kind.otherwise
                else:
                    continue
                side = targets.goto(here, label or "")
                if isinstance(side, Loc):
                    _collect(walker, side, flags)
    return flags


def _collect(walker: Walker, start: Loc, flags: dict[str, set[str]]) -> None:
    current: Loc | str = start
    for _ in range(_LOOKAHEAD):
        if not isinstance(current, Loc):
            return
        step = current.step
        if walker.kind(current).tag not in ("pass", "action"):
            return
        if step.app.strip().lower() == "set":
            args = app_args(step.data)
            name, equals, value = (args[0] if args else "").partition("=")
            if equals and _LITERAL.match(name.strip()) and _LITERAL.match(value.strip()):
                flags.setdefault(name.strip(), set()).add(value.strip())
        current = walker.successor(current)


def closed_when_true(cond: str, flags: dict[str, set[str]]) -> bool | None:
    """Whether a GotoIf on a closed flag jumps when closed (True), when open (False),
    or does not test one (None)."""
    test = _FLAG_TEST.match(cond.strip())
    if test is None:
        return None
    name, operator, value = test.groups()
    if value not in flags.get(name, ()):
        return None
    return operator != "!="


def _reach(
    pool: Pool,
    starts: Iterable[str],
    onward: Callable[[str], Iterable[str]] | None = None,
    avoid: Collection[str] = (),
) -> set[str]:
    """The nodes of ``pool`` reached from ``starts`` (``onward`` gives a node's next
    nodes, by default all its targets), never entering those in ``avoid``."""
    onward = onward or (lambda node_id: node_targets(pool.nodes[node_id]))
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id in avoid or node_id not in pool.nodes:
            continue
        seen.add(node_id)
        stack.extend(onward(node_id))
    return seen


def mark_closed_hangups(pool: Pool, starts: list[str]) -> None:
    """Give reason ``closed`` to the hangups of ``pool`` that no route from ``starts``
    reaches without passing the closed or holiday side of an hours check."""

    def open_side(node_id: str) -> list[str]:
        node = pool.nodes[node_id]
        if node.get("type") == "hours":
            return [target for target in (node.get("open"),) if isinstance(target, str)]
        return node_targets(node)

    open_reach = _reach(pool, starts, open_side)
    closed_sides = [
        side
        for node_id in open_reach
        if pool.nodes[node_id].get("type") == "hours"
        for side in (pool.nodes[node_id].get("closed"), pool.nodes[node_id].get("holiday"))
        if isinstance(side, str)
    ]
    closed_reach = _reach(pool, closed_sides, avoid=open_reach)
    closed_reach.update(_closed_messages(pool))
    for node_id in closed_reach:
        node = pool.nodes[node_id]
        if node.get("type") == "hangup" and not node.get("reason"):
            node["reason"] = "closed"


def _closed_messages(pool: Pool) -> set[str]:
    """The hangups the closed or holiday side of an hours check runs straight into,
    past messages only: what is played there is the out-of-hours announcement, so the
    hangup ends an out-of-hours call, whichever other route also leads to it."""
    found: set[str] = set()
    for node in pool.nodes.values():
        if node.get("type") != "hours":
            continue
        for side in (node.get("closed"), node.get("holiday")):
            current = side
            for _ in range(_LOOKAHEAD):
                step = pool.nodes.get(current) if isinstance(current, str) else None
                if step is None:
                    break
                if step.get("type") == "hangup":
                    found.add(current)  # type: ignore[arg-type]
                    break
                if step.get("type") not in ("say", "action") or set(step) & _BRANCHING:
                    break
                current = step.get("next")
    return found


def _blocked_side(node: dict) -> str | None:
    """The target a branch on ``BLACKLIST()`` takes for a blacklisted caller, if it is one."""
    if node.get("type") != "branch" or len(node.get("cases", ())) != 1:
        return None
    case = node["cases"][0]
    test = _BLACKLIST.match(str(case.get("when", "")).strip())
    if test is None:
        return None
    operator, value = test.groups()
    when_true = operator is None or ((operator != "!=") == (value == "1"))
    side = case.get("next") if when_true else node.get("else")
    return side if isinstance(side, str) else None


def mark_blacklisted_hangups(pool: Pool, starts: list[str]) -> None:
    """Give reason ``completed`` (with a note) to the hangups of ``pool`` that callers
    reach only on the blocked side of a ``BLACKLIST()`` test: the intended rejection of
    a blacklisted caller, not a refused service."""
    blocked = {
        node_id: side
        for node_id, node in pool.nodes.items()
        if (side := _blocked_side(node)) is not None
    }
    if not blocked:
        return

    def allowed_side(node_id: str) -> list[str]:
        targets = node_targets(pool.nodes[node_id])
        return [target for target in targets if target != blocked.get(node_id)]

    allowed = _reach(pool, starts, allowed_side)
    rejected = _reach(pool, blocked.values(), avoid=allowed)
    for node_id in rejected:
        node = pool.nodes[node_id]
        if node.get("type") == "hangup" and node.get("reason") != "closed":
            node["reason"] = "completed"
            note = "a caller on the blacklist (BLACKLIST()) is turned away on purpose"
            node["note"] = f"{node['note']}; {note}" if node.get("note") else note


def _silent(node: dict) -> bool:
    return not node.get("say") and not node.get("play")


def mark_rejected_at_the_door(pool: Pool, entries: list[str], others: list[str]) -> None:
    """Give reason ``completed`` (with a note) to the silent hangups of ``pool`` that
    calls reach only at the door: from an entry's start through silent decisions alone
    (the number dialled, a value of the call), before the caller has heard anything or
    chosen anything.  Such a hangup rejects calls to a number no service answers
    (``exten => s,1,Hangup`` for calls with no number, what a dispatch on the number
    dialled leaves over, a route whose Dial is commented out): the caller chose nothing,
    so no choice of theirs is refused.  ``others``: subroutine starts in the pool.

    Also a silent hangup every way into which is a key of a menu (``exten => #,1,Hangup``):
    the caller asked to end the call."""

    def silent_decision(node_id: str) -> bool:
        node = pool.nodes[node_id]
        return node.get("type") == "branch" and _silent(node)

    def through_silence(node_id: str) -> list[str]:
        return node_targets(pool.nodes[node_id]) if silent_decision(node_id) else []

    door = _reach(pool, entries, through_silence)
    past_the_door = [
        target
        for node_id in door
        if not silent_decision(node_id)
        for target in node_targets(pool.nodes[node_id])
    ]
    inside = _reach(pool, [*others, *past_the_door])
    for node_id in door - inside:
        _reject(
            pool.nodes[node_id],
            "the call is turned away before it hears or chooses anything "
            "(a number no service answers)",
        )
    keyed: dict[str, bool] = {}
    for node in pool.nodes.values():
        options = {target for target in node.get("options", {}).values() if isinstance(target, str)}
        for target in node_targets(node):
            if target in pool.nodes and pool.nodes[target].get("type") == "hangup":
                keyed[target] = keyed.get(target, True) and target in options
    for node_id, only_keys in keyed.items():
        if only_keys and node_id not in door:
            _reject(
                pool.nodes[node_id],
                "the caller pressed a key that only hangs up: they asked to end the call",
            )


def _reject(node: dict, note: str) -> None:
    if node.get("type") != "hangup" or node.get("reason") or not _silent(node):
        return
    node["reason"] = "completed"
    node["note"] = f"{node['note']}; {note}" if node.get("note") else note
