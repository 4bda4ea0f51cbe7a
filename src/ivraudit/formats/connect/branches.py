"""Blocks that pick a route without the caller: Check hours of operation as an ``hours`` node,
and the condition checks (attributes, queue status, staffing, loops, percentages) as ``branch``."""

from __future__ import annotations

from typing import Any

from ivraudit.formats.connect.actions import Action, Route
from ivraudit.formats.connect.blocks import param_text, title_of
from ivraudit.formats.connect.constants import Constant
from ivraudit.formats.connect.nodes import NodeTable, describe_condition, error_cases

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
        table.positions[("nodes", node_id, "cases", len(node["cases"]), "next")] = (
            table.source.locate(route.path)
        )
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
    """A Check contact attributes block on an attribute only set to literals upstream: one
    literal on every route decides it (a step on to the route it takes); several mark the
    conditions none of them meets as never holding."""
    subject = f"$.Attributes.{constant.attribute}"
    setters = []
    for value, ident in constant.writers:
        setter = actions[ident]
        line = table.source.locate(setter.path).line
        setters.append(f"{value!r} by {title_of(setter)} block '{table.ref(ident)}' (line {line})")
    told = f"{subject} is set to {' and '.join(setters)} on every route here"
    taken = list(constant.takes.values())
    no_match = action.error("NoMatchingCondition") or action.next
    if len(constant.takes) == 1:
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
    met = {id(condition) for condition in taken if condition is not None}
    never = {id(c.route): told for c in action.conditions if id(c) not in met}
    holding = [condition for condition in action.conditions if id(condition) in met]
    matched = holding[-1].route if None not in taken and holding else None
    return branch_node(table, action, node_id, never, matched)
