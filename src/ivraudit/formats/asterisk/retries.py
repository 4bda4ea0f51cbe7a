"""Hand-built retry counters: the wait that asks again is a menu (or a question) with
retries, and where the counter lets the caller go is its ``retries_exhausted``.

A dialplan counts the caller's wrong keys and silences itself::

    same => n(ask),Read(DIGITS,enter-number,3)
    same => n,GotoIf($[${LEN(${DIGITS})} = 0]?silent)
    same => n,GotoIf($[${DIGITS} <= 19]?good)
    same => n(wrong),Set(WRONG=$[${WRONG} + 1])
    same => n,GotoIf($[${WRONG} < 3]?again:goodbye,1)
    same => n(again),Playback(pm-invalid-option)
    same => n,Goto(ask)

The counter test (a ``counters`` entry of the pool, found by :func:`.jumps.retry_counter`)
is not a choice of the caller: its failing arm is reached only when the caller's
errors ran the count out.  So the menu's ``no_match`` (or ``no_input``) goes to the
counter's way back, ``retries`` is the count's limit, and ``retries_exhausted`` is the
failing arm: the rules read an exit on caller errors there, not a refusal of service.
"""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats.asterisk.nodes import TARGET_FIELDS, Pool, node_targets, reachable_ids

#: The arms of a question's branch that test for no digits at all (its silence).
_EMPTY = re.compile(r'LEN\(\$\{\w+\}\)\}?\s*==?\s*0\b|"\$\{\w+\}"\s*==?\s*""|ISNULL\(')
#: Most nodes of a subroutine's exit copied to where it is called from.
MAX_EXIT_NODES = 40
#: Most retry messages between an error route and its counter.
MAX_MESSAGES = 4

Counted = tuple[str, str, int]


def counted_retries(pool: Pool) -> None:
    """Menus and questions whose wrong key or silence goes to a retry counter get the
    counter's retries.

    ``Set(n=$[${n}+1])`` then ``GotoIf($[${n} < 3]?again:goodbye)``: the caller is asked
    again, and after the retries the call goes to ``goodbye``.  The menu's ``no_match``
    (or ``no_input``) goes to ``again``, and ``goodbye`` is its ``retries_exhausted``: an
    exit on caller errors, not a refusal.  Two counters (wrong keys and silence) that
    end in the same place after their prompts share it.  A question (a ``Read()`` of
    several digits) checks its answer in the branch after it: the arms of that branch
    that go to a counter -- the empty answer (``LEN(${X})=0``: silence) and what no case
    accepts (a wrong answer) -- are its ``no_input`` and ``no_match``.
    """
    if not pool.counters:
        return
    arrivals = _arrivals(pool)
    used: dict[str, str] = {}
    for node in list(pool.nodes.values()):
        if "retries_exhausted" in node:
            continue
        if node.get("type") == "menu":
            _menu(pool, node, used)
        elif node.get("type") == "ask":
            _question(pool, node, arrivals, used)
    _wrong_answers(pool, used)


def _wrong_answers(pool: Pool, used: dict[str, str]) -> None:
    """A branch that sends the caller's answer to a menu's own counter counts a wrong
    answer: it goes back the way the counter does, and the menu's ``retries_exhausted``
    stands for the counter's exit.

    FreePBX's ``[from-did-direct-ivr]``, included in an IVR, takes every number keyed
    (``_X.``) and sends one that names no extension to the IVR's ``i``
    (``GotoIf($[${DIALPLAN_EXISTS(from-did-direct,${EXTEN},1)} = 0]?i,1)``), where
    ``INVALID_LOOPCOUNT`` counts it; its ``Goto(${DIGITS}${IVREXT},1)`` does the same for
    an extension the IVR lacks.  That hang-up is reached only after the retries ran out:
    DE005's, not a refusal of what the caller chose (issue 14).
    """
    if not used:
        return
    for node in pool.nodes.values():
        if node.get("type") != "branch":
            continue
        for case in node.get("cases", ()):
            if case.get("next") in used:
                case["next"] = used[case["next"]]
        otherwise = node.get("else")
        if isinstance(otherwise, str) and otherwise in used:
            node["else"] = used[otherwise]


def _menu(pool: Pool, node: dict[str, Any], used: dict[str, str]) -> None:
    found: list[tuple[str, Found]] = []
    for field in ("no_match", "no_input"):
        target = node.get(field)
        counter = _counter_after(pool, target) if isinstance(target, str) else None
        if counter is not None:
            found.append((field, counter))
    if not found:
        return
    for field, counter in _sharing_an_end(pool, found):
        first = node[field]
        node[field] = _ask_again(pool, counter)
        used.setdefault(counter.node, counter.again)
        node["retries"] = max(node.get("retries") or 0, counter.retries)
        # A key sent to the same counter (GotoIf(${KEY}=*?wrong)) is a wrong key too.
        options = node.get("options") or {}
        for key in [key for key, target in options.items() if target in (counter.node, first)]:
            del options[key]
    node["retries_exhausted"] = found[0][1].leave


def _question(
    pool: Pool, node: dict[str, Any], arrivals: dict[str, int], used: dict[str, str]
) -> None:
    """A ``Read()`` of an answer, checked by the branch right after it."""
    dispatch = node.get("next")
    branch = pool.nodes.get(dispatch) if isinstance(dispatch, str) else None
    if branch is None or branch.get("type") != "branch" or arrivals.get(dispatch or "") != 1:
        return
    arms: list[tuple[str, dict[str, Any], str]] = [
        ("no_input" if _EMPTY.search(case.get("when", "")) else "no_match", case, "next")
        for case in branch.get("cases", ())
    ]
    if isinstance(branch.get("else"), str):
        arms.append(("no_match", branch, "else"))
    found: list[tuple[str, Found]] = []
    holders: dict[int, tuple[dict[str, Any], str]] = {}
    for field, holder, key in arms:
        counter = _counter_after(pool, holder[key])
        if counter is not None:
            holders[id(counter)] = (holder, key)
            found.append((field, counter))
    if not found:
        return
    for field, counter in _sharing_an_end(pool, found):
        holder, key = holders[id(counter)]
        holder[key] = _ask_again(pool, counter)
        used.setdefault(counter.node, counter.again)
        node.setdefault(field, holder[key])
        node["retries"] = max(node.get("retries") or 0, counter.retries)
    node["retries_exhausted"] = found[0][1].leave


class Found:
    """A counter an error route leads to: the route's first node, the retry messages
    on the way, the counter node and its ``(again, leave, retries)``."""

    def __init__(self, first: str, messages: list[str], node: str, counted: Counted) -> None:
        self.first = first
        self.messages = messages
        self.node = node
        self.again, self.leave, self.retries = counted


def _counter_after(pool: Pool, target: str) -> Found | None:
    """The counter ``target`` leads to, straight or after retry messages."""
    messages: list[str] = []
    current = target
    for _ in range(MAX_MESSAGES + 1):
        if current in pool.counters:
            return Found(target, messages, current, pool.counters[current])
        node = pool.nodes.get(current)
        if node is None or node.get("type") != "say" or current in messages:
            return None
        messages.append(current)
        following = node.get("next")
        if not isinstance(following, str):
            return None
        current = following
    return None


def _ask_again(pool: Pool, found: Found) -> str:
    """Point the error route at the way back: the counter itself is skipped (the retry
    messages before it still play).  Returns the route's first node."""
    if not found.messages:
        return found.again
    pool.nodes[found.messages[-1]]["next"] = found.again
    return found.first


def _sharing_an_end(pool: Pool, found: list[tuple[str, Found]]) -> list[tuple[str, Found]]:
    """The counters that end where the first one does (after their prompts)."""
    exhausted = found[0][1].leave
    end = _after_prompts(pool, exhausted)
    return [
        (field, counter)
        for field, counter in found
        if counter.leave == exhausted or _after_prompts(pool, counter.leave) == end
    ]


def _after_prompts(pool: Pool, node_id: str) -> str:
    seen = {node_id}
    while pool.nodes.get(node_id, {}).get("type") == "say":
        following = pool.nodes[node_id].get("next")
        if not isinstance(following, str) or following in seen:
            break
        seen.add(following)
        node_id = following
    return node_id


def _arrivals(pool: Pool) -> dict[str, int]:
    """How many nodes lead to each node."""
    counts: dict[str, int] = {}
    for node in pool.nodes.values():
        for target in dict.fromkeys(node_targets(node)):
            counts[target] = counts.get(target, 0) + 1
    return counts


# -- counters inside a subroutine -----------------------------------------------------------


def counted_in_subroutines(
    pools: list[Pool],
    subflows: dict[str, tuple[Pool, str]],
    reach: dict[str, set[str]],
) -> None:
    """Menus whose wrong key or silence calls a subroutine that counts the errors.

    ``GoSub(play-error,s,1(wrong))`` then ``Goto(menu)``, where ``[play-error]`` counts
    (``Set(n=$[${n}+1])``, ``GotoIf($[${n} < 13]?:goodbye)``), plays the message and
    returns (app_stack's Gosub/Return: docs.asterisk.org "Gosub").  The call at that
    error route becomes the subroutine from after the count (the message, the return),
    and the counter's failing arm -- a message and a hang-up, built in the subroutine --
    is copied to the menu as its ``retries_exhausted``.  An exit that returns or calls
    further is left as it is.
    """
    for pool in pools:
        arrivals = _arrivals(pool)
        for node in list(pool.nodes.values()):
            if node.get("type") not in ("menu", "ask") or "retries_exhausted" in node:
                continue
            calls = [
                (call, found, field)
                for field, call in _error_routes(pool, node, arrivals)
                for found in [_counting_call(pool, call, subflows)]
                if found is not None
            ]
            if not calls:
                continue
            # Two counters (wrong keys, silence) share the exit when it is the same one.
            first_exit = calls[0][1][2]
            calls = [each for each in calls if _same_exit(each[1][2], first_exit)]
            exit_id = _copy_exit(pool, calls[0][0], *first_exit)
            if exit_id is None:
                continue
            for call, (key, counted, _), field in calls:
                node.setdefault(field, call)
                callee, _ = subflows[key]
                after = f"{key} after the retry count"
                if after not in subflows:
                    subflows[after] = (callee, counted[0])
                    reach[after] = reachable_ids(callee, counted[0])
                pool.nodes[call]["menu"] = after
                node["retries"] = max(node.get("retries") or 0, counted[2])
            node["retries_exhausted"] = exit_id


def _error_routes(
    pool: Pool, node: dict[str, Any], arrivals: dict[str, int]
) -> list[tuple[str, str]]:
    """(field, first node) of the routes a wrong answer or silence takes: a menu's
    ``no_match``/``no_input``; for a question, the arms of the branch that checks its
    answer (the empty answer is its silence, the rest wrong answers)."""
    routes = [
        (field, node[field])
        for field in ("no_match", "no_input")
        if isinstance(node.get(field), str)
    ]
    if node.get("type") != "ask":
        return routes
    dispatch = node.get("next")
    branch = pool.nodes.get(dispatch) if isinstance(dispatch, str) else None
    if branch is None or branch.get("type") != "branch" or arrivals.get(dispatch or "") != 1:
        return routes
    for case in branch.get("cases", ()):
        field = "no_input" if _EMPTY.search(case.get("when", "")) else "no_match"
        routes.append((field, case["next"]))
    if isinstance(branch.get("else"), str):
        routes.append(("no_match", branch["else"]))
    return routes


def _counting_call(
    pool: Pool, call: str, subflows: dict[str, tuple[Pool, str]]
) -> tuple[str, Counted, tuple[Pool, str]] | None:
    """(subflow key, the counter, (callee, its exit)) when ``call`` is a subflow node
    whose subroutine starts with a retry counter."""
    node = pool.nodes.get(call)
    key = node.get("menu") if node is not None and node.get("type") == "subflow" else None
    if not isinstance(key, str) or key not in subflows:
        return None
    callee, start = subflows[key]
    counted = callee.counters.get(start)
    if counted is None:
        return None
    return key, counted, (callee, counted[1])


def _same_exit(one: tuple[Pool, str], other: tuple[Pool, str]) -> bool:
    """Whether two subroutine exits are the same steps (one build, or two builds of
    the same place that made the same nodes)."""
    if one == other:
        return True
    (pool, start), (other_pool, other_start) = one, other
    if start != other_start:
        return False
    nodes = reachable_ids(pool, start)
    return nodes == reachable_ids(other_pool, other_start) and all(
        pool.nodes[each] == other_pool.nodes[each] for each in nodes
    )


def _copy_exit(pool: Pool, call: str, callee: Pool, leave: str) -> str | None:
    """Copy the subroutine's exit (messages and a hang-up) to ``pool``, named as the
    graph names a subroutine's nodes at a call (``call/node``)."""
    nodes = reachable_ids(callee, leave)
    if len(nodes) > MAX_EXIT_NODES or any(
        callee.nodes[each].get("type") in ("return", "subflow") for each in nodes
    ):
        return None
    names: dict[str, str] = {}
    for each in sorted(nodes):
        names[each], _ = pool.claim(("retry exit", call, each), f"{call}/{each}")
    for each in sorted(nodes):
        copy = dict(callee.nodes[each])
        for field in TARGET_FIELDS:
            if isinstance(copy.get(field), str):
                copy[field] = names.get(copy[field], copy[field])
        if "options" in copy:
            copy["options"] = {k: names.get(v, v) for k, v in copy["options"].items()}
        if "cases" in copy:
            copy["cases"] = [
                {**case, "next": names.get(case["next"], case["next"])} for case in copy["cases"]
            ]
        pool.nodes[names[each]] = copy
    for path, where in list(callee.where.items()):
        if len(path) >= 2 and path[1] in names:
            pool.where[(path[0], names[path[1]], *path[2:])] = where
    return names[leave]
