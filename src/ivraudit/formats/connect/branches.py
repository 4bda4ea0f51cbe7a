"""Blocks that pick a route without the caller: Check hours of operation as an ``hours`` node,
and the condition checks (attributes, queue status, staffing, loops, percentages) as ``branch``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ivraudit.formats.connect.actions import Action, Route
from ivraudit.formats.connect.blocks import param_text, title_of
from ivraudit.formats.connect.constants import Constant, literals_meeting, success_routes
from ivraudit.formats.connect.nodes import NodeTable, describe_condition, error_cases, unique_id

#: Blocks that decide between routes without the caller: they become ``branch`` nodes.
BRANCH_TYPES = frozenset(
    {
        "Compare",
        "CheckMetricData",
        "CheckStaffing",
        "CheckQueueStatus",
        "Loop",
        "DistributeByPercentage",
        "CheckVoiceId",
        "CheckOutboundCallStatus",
    }
)


def hours_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Open and closed from the True/False conditions; overrides are the holiday route."""
    node: dict[str, Any] = {"type": "hours"}
    hours = param_text(action.params.get("HoursOfOperationId"))
    shown = action.meta.get("Hours")
    shown = shown.get("text") if isinstance(shown, dict) else None
    node["schedule"] = shown or hours or "the hours of operation of the working queue"
    routes: dict[str, Route] = {}
    others: list[tuple[str, Route | None]] = []
    for condition in action.conditions:
        value = condition.operands[0].lower() if condition.operands else ""
        name = {"true": "open", "false": "closed"}.get(value)
        if name is not None and name not in routes:
            routes[name] = condition.route
        else:
            others.append((describe_condition(action, condition), condition.route))
    opened = table.route(routes.get("open"))
    closed = table.route(routes.get("closed"))
    holiday = table.fanout(action, node_id, "override", others, None)
    leftovers = [
        case
        for case in error_cases(action)
        if table.route(case[1]) not in (opened, closed, holiday)
    ]
    if action.next is not None and table.route(action.next) not in (opened, closed, holiday):
        leftovers.append(("NextAction", action.next))
    closed = table.fanout(action, node_id, "closed or error", leftovers, closed)
    for field, target in (("open", opened), ("closed", closed), ("holiday", holiday)):
        if target is not None:
            node[field] = target
    table.position(node_id, "open", routes.get("open"))
    table.position(node_id, "closed", routes.get("closed"))
    return node


def branch_node(
    table: NodeTable,
    action: Action,
    node_id: str,
    never: dict[int, str] | None = None,
    matched: Route | None = None,
) -> dict[str, Any]:
    """Conditions in order become cases; the no-match route is ``else``.

    ``never`` gives why a condition (by ``id`` of its route) can never hold; ``matched``,
    when every value the block can see meets a condition, is the last condition route
    taken: No match is then no route, and that route stands as ``else``."""
    never = never or {}
    loop = action.type == "Loop"
    staffing = action.type == "CheckStaffing"
    count = param_text(action.params.get("LoopCount"))
    else_route = action.error("NoMatchingCondition")
    skipped = set()
    if matched is not None:
        skipped = {id(else_route), id(action.next)}
        else_route = matched
    cases: list[tuple[str, Route]] = []
    for condition in action.conditions:
        last = ("DoneLooping",) if loop else ("False",)
        if (loop or staffing) and condition.operands == last and else_route is None:
            else_route = condition.route
            continue
        when = describe_condition(action, condition)
        if loop and condition.operands == ("ContinueLooping",):
            rounds = f" (loop count {count})" if count else ""
            when = f"loop: ContinueLooping{rounds}"
        cases.append((when, condition.route))
    if else_route is None:
        else_route = action.next or action.error("NoMatchingError")
    otherwise = table.route(else_route)
    targets = {otherwise, *(table.route(route) for _, route in cases)}
    for name, route in action.errors:
        if id(route) in skipped:
            continue
        if route is not else_route and table.route(route) not in targets:
            cases.append((f"error {name}", route))
            targets.add(table.route(route))
    following = None if id(action.next) in skipped else action.next
    if following is not None and table.route(following) not in targets:
        cases.append(("NextAction", following))
    node: dict[str, Any] = {"type": "branch", "cases": []}
    for when, route in cases:
        target = table.route(route)
        if target is None:
            continue
        written = table.source.locate(route.path)
        table.positions[("nodes", node_id, "cases", len(node["cases"]), "next")] = written
        table.positions[("nodes", node_id, "cases", len(node["cases"]), "when")] = written
        case: dict[str, Any] = {"when": when, "next": target}
        if id(route) in never:
            case["never"] = never[id(route)]
        node["cases"].append(case)
    if otherwise is not None:
        node["else"] = otherwise
        table.position(node_id, "else", else_route)
    return node


def literal_compare_node(
    table: NodeTable, action: Action, node_id: str, constant: Constant, actions: dict[str, Action]
) -> dict[str, Any]:
    """A Check contact attributes block on an attribute only set to literals upstream: the
    conditions none of them takes stay, never holding (MN008 tells each); the route the
    literals take is what is left.  One literal whose condition is the block's only one
    decides it: a step on to the route it takes."""
    told = _set_upstream(table, constant, actions)
    taken = list(constant.takes.values())
    no_match = action.error("NoMatchingCondition") or action.next
    met = {id(condition) for condition in taken if condition is not None}
    never = _never_held(action, constant, told, met)
    if len(constant.takes) == 1 and not never:
        condition = taken[0]
        route = condition.route if condition is not None else no_match
        if route is None:
            return branch_node(table, action, node_id)
        words = describe_condition(action, condition) if condition else "No match"
        node: dict[str, Any] = {
            "type": "action",
            "note": f"Check contact attributes decided: {told}, so it always takes "
            f"'{words}' (to '{table.route(route)}').",
        }
        node["next"] = table.route(route)
        table.position(node_id, "next", route)
        return node
    holding = [condition for condition in action.conditions if id(condition) in met]
    matched = holding[-1].route if None not in taken and holding else None
    return branch_node(table, action, node_id, never, matched)


def _never_held(action: Action, constant: Constant, told: str, met: set[int]) -> dict[int, str]:
    """``{id(route): why}`` for the conditions no literal takes: none meets them, or an
    earlier condition takes the literals that do (conditions are checked in order)."""
    literals = list(constant.takes)
    never: dict[int, str] = {}
    for condition in action.conditions:
        if id(condition) in met:
            continue
        words = describe_condition(action, condition)
        meeting = literals_meeting(condition, literals)
        if meeting:
            shown = " and ".join(repr(value) for value in meeting)
            never[id(condition.route)] = f"{told}, and an earlier condition takes {shown} first"
        else:
            which = "it" if len(literals) == 1 else "any of them"
            never[id(condition.route)] = f"{told}, and {words} does not hold for {which}"
    return never


def _set_upstream(table: NodeTable, constant: Constant, actions: dict[str, Action]) -> str:
    """Which blocks set the tested attribute to which literal: why a check is decided."""
    setters = []
    for value, ident in constant.writers:
        setter = actions[ident]
        line = table.source.locate(setter.path).line
        setters.append(f"{value!r} by {title_of(setter)} block '{table.ref(ident)}' (line {line})")
    subject = constant.subject
    return f"{subject} is set to {' and '.join(setters)} on every route here"


def decide_per_writer(
    table: NodeTable,
    actions: dict[str, Action],
    constants: dict[str, Constant],
    guarded: set[str],
) -> None:
    """Route by route, a Check contact attributes block that several literals reach: the
    route straight from a Set contact attributes block that wrote one goes on to a copy of
    the check decided for that literal, so no route takes a condition its own literal
    cannot meet (a caller who pressed 1 for 'gold' never meets "No match").  The check
    itself stays, with the conditions no literal meets (MN008's), for the other routes;
    when every route into it comes straight from such a block, the first of them keeps
    it, narrowed to its own literal's condition.  Blocks between the Set and the check (a
    prompt) are not copied: those routes keep the check as it is."""
    if not any(len(constant.takes) > 1 for constant in constants.values()):
        return
    into: dict[str, int] = {}
    for action in actions.values():
        for route in [*success_routes(action), *(route for _, route in action.errors)]:
            into[route.target] = into.get(route.target, 0) + 1
    for ident, constant in constants.items():
        if len(constant.takes) < 2 or ident in guarded or ident not in actions:
            continue
        compare = actions[ident]
        direct = [
            (value, writer)
            for value, writer in constant.writers
            if writer in actions
            and writer not in guarded
            and actions[writer].next is not None
            and actions[writer].next.target == ident  # type: ignore[union-attr]
        ]
        # A literal whose route goes nowhere (No match left empty) keeps the check as it
        # is: no copy can stand for it, so the check cannot be narrowed to another one.
        if not direct or any(_taken(compare, constant.takes[v])[0] is None for v, _ in direct):
            continue
        check_id = table.ids[ident]
        if into.get(ident, 0) == len(direct):
            # Every route comes straight from a literal: the first keeps the check.
            value, writer = direct.pop(0)
            told = _set_upstream(table, constant, actions)
            table.nodes[check_id] = _narrowed(table, compare, check_id, constant, value, told)
        for value, writer in direct:
            route, words = _taken(compare, constant.takes[value])
            if route is None:
                continue
            writer_id = table.ids[writer]
            node_id = unique_id(f"{check_id} ({constant.attribute} = {value})", table.taken)
            table.nodes[writer_id]["next"] = node_id
            table.positions[("nodes", node_id)] = table.source.locate(compare.path)
            table.nodes[node_id] = {
                "type": "action",
                "note": f"Connect {compare.original} block (Identifier: {ident}). "
                f"Check contact attributes decided on the route from '{writer_id}': "
                f"{constant.subject} is {value!r} there, so it takes '{words}' "
                f"(to '{table.route(route)}').",
                "next": table.route(route),
            }
            table.position(node_id, "next", route)


def _narrowed(
    table: NodeTable, compare: Action, node_id: str, constant: Constant, value: str, told: str
) -> dict[str, Any]:
    """The check as the route of one literal sees it: that literal's condition, and the
    conditions no literal of the flow takes (never holding, for MN008, ``told`` saying why)."""
    met = {id(condition) for condition in constant.takes.values() if condition is not None}
    own = constant.takes[value]
    kept = [c for c in compare.conditions if c is own or id(c) not in met]
    never = _never_held(compare, constant, told, met)
    node = branch_node(
        table, replace(compare, conditions=kept), node_id, never, own.route if own else None
    )
    node["note"] = (
        f"Connect {compare.original} block (Identifier: {compare.ident}). "
        f"Check contact attributes read for the route on which {constant.subject} is "
        f"{value!r}; the routes of its other values go on through "
        "copies decided for them."
    )
    return node


def _taken(compare: Action, condition: Any) -> tuple[Route | None, str]:
    """The route a Check contact attributes block takes for one condition (None: No match)."""
    if condition is not None:
        return condition.route, describe_condition(compare, condition)
    return compare.error("NoMatchingCondition") or compare.next, "No match"
