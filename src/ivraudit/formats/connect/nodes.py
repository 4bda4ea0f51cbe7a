"""The nodes of one Connect flow as they are built: node ids for action Identifiers, positions,
and where routes lead (several named routes share one field through a split-out branch node)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats._parse import PathKey
from ivraudit.formats.connect.actions import Action, Condition, Flow, Route
from ivraudit.formats.connect.blocks import param_text, title_of
from ivraudit.formats.connect.embed import Source
from ivraudit.model.errors import Position

_OPERATORS = {
    "Equals": "==",
    "NumberEquals": "==",
    "NumberGreaterThan": ">",
    "GreaterThan": ">",
    "NumberGreaterOrEqualTo": ">=",
    "NumberGreaterThanOrEqualTo": ">=",
    "GreaterThanOrEqualTo": ">=",
    "NumberLessThan": "<",
    "LessThan": "<",
    "NumberLessOrEqualTo": "<=",
    "NumberLessThanOrEqualTo": "<=",
    "LessThanOrEqualTo": "<=",
    "TextContains": "contains",
    "TextStartsWith": "starts with",
    "TextEndsWith": "ends with",
}

_OPAQUE_ID = re.compile(
    r"^[0-9a-fA-Fx]{8}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{12}$"
)


class NodeTable:
    """Native node dicts and their positions for one flow, and the node id of each action."""

    def __init__(self, flow: Flow, source: Source) -> None:
        self.source = source
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.taken: set[str] = set()
        self.ids: dict[str, str] = {}
        #: Blocks that are entered through a step that may fail first (see ``guard``):
        #: Identifier -> that step's node id, which transitions into the block lead to.
        self.entries: dict[str, str] = {}
        self._assign_ids(flow)

    def _assign_ids(self, flow: Flow) -> None:
        opaque = [action for action in flow.actions if _OPAQUE_ID.match(action.ident)]
        for action in flow.actions:
            if not _OPAQUE_ID.match(action.ident):
                self.ids[action.ident] = unique_id(action.ident, self.taken)
        titles = Counter(title_of(action) for action in opaque)
        numbers: Counter[str] = Counter()
        for action in opaque:
            title = title_of(action)
            numbers[title] += 1
            wanted = f"{title} {numbers[title]}" if titles[title] > 1 else title
            self.ids[action.ident] = unique_id(wanted, self.taken)

    def ref(self, ident: str | None) -> str | None:
        """The node id of an action Identifier (a missing one keeps its own name)."""
        if ident is None:
            return None
        found = self.entries.get(ident) or self.ids.get(ident)
        if found is None:
            wanted = ident if ident not in self.taken else f"missing {ident}"
            found = unique_id(wanted, self.taken)
            self.ids[ident] = found
        return found

    def guard(self, ident: str) -> str:
        """Give a block a step in front of it that may fail (the block's Error branch):
        transitions into the block lead to that step; its node id is returned."""
        found = self.entries.get(ident)
        if found is None:
            found = unique_id(f"{self.ids[ident]} (runs)", self.taken)
            self.entries[ident] = found
        return found

    def route(self, route: Route | None) -> str | None:
        return None if route is None else self.ref(route.target)

    def position(self, node_id: str, field: str, route: Route | None) -> None:
        """Record where the route behind one field of a node is written."""
        if route is not None:
            self.positions[("nodes", node_id, field)] = self.source.locate(route.path)

    def fanout(
        self,
        action: Action,
        owner: str,
        label: str,
        cases: Iterable[tuple[str, Route | None]],
        otherwise: str | None,
    ) -> str | None:
        """One target for several named routes: the route itself, or a branch node over them."""
        distinct: dict[str, list[str]] = {}
        paths: dict[str, PathKey] = {}
        for when, route in cases:
            target = self.route(route)
            if target is None or target == otherwise or route is None:
                continue
            distinct.setdefault(target, []).append(when)
            paths.setdefault(target, route.path)
        if not distinct:
            return otherwise
        if otherwise is None and len(distinct) == 1:
            return next(iter(distinct))
        node_id = unique_id(f"{owner} ({label})", self.taken)
        cases_out = []
        for number, (target, whens) in enumerate(distinct.items()):
            cases_out.append({"when": " or ".join(dict.fromkeys(whens)), "next": target})
            self.positions[("nodes", node_id, "cases", number, "next")] = self.source.locate(
                paths[target]
            )
        node: dict[str, Any] = {
            "type": "branch",
            "cases": cases_out,
            "note": (
                f"Split-out routes of '{owner}' ({label}; Connect {action.original} block, "
                f"Identifier: {action.ident}): one native field cannot hold them all."
            ),
        }
        if otherwise is not None:
            node["else"] = otherwise
        self.nodes[node_id] = node
        self.positions[("nodes", node_id)] = self.source.locate(action.path)
        return node_id

    def leftover(self, action: Action, node: dict[str, Any], what: str) -> dict[str, Any]:
        """A node type without routes (hangup, return): list any routes it has in the note."""
        routes = [
            action.next,
            *(c.route for c in action.conditions),
            *(r for _, r in action.errors),
        ]
        targets = [self.route(route) for route in routes if route is not None]
        if targets:
            listed = ", ".join(dict.fromkeys(t for t in targets if t))
            add_note(
                node, f"Its transitions ({listed}) are never taken: Connect ends the {what} here."
            )
        return node


def add_note(node: dict[str, Any], text: str) -> None:
    """Append a sentence to a node's note."""
    node["note"] = f"{node['note']} {text}" if node.get("note") else text


def error_cases(action: Action, skip: Iterable[str] = ()) -> list[tuple[str, Route | None]]:
    """A block's error routes as named cases, leaving out the error types in ``skip``."""
    skipped = set(skip)
    return [(f"error {name}", route) for name, route in action.errors if name not in skipped]


def result_cases(action: Action) -> list[tuple[str, Route | None]]:
    """A block's conditions, then its error routes, as named cases: where it goes on to."""
    return [*condition_cases(action), *error_cases(action)]


def condition_cases(action: Action) -> list[tuple[str, Route | None]]:
    """A block's conditions as named cases, in order."""
    return [
        (describe_condition(action, condition), condition.route) for condition in action.conditions
    ]


def describe_condition(action: Action, condition: Condition) -> str:
    """A condition as a branch case reads it, e.g. ``$.Attributes.tier == 'gold'``."""
    subject = condition.subject or _subject(action)
    operator = _OPERATORS.get(condition.operator, condition.operator)
    operands = ", ".join(repr(operand) for operand in condition.operands)
    return f"{subject} {operator} {operands}".strip()


def _subject(action: Action) -> str:
    params = action.params
    for name in ("ComparisonValue", "MetricType"):
        value = param_text(params.get(name))
        if value:
            return value
    if action.type == "Loop":
        return "loop"
    if action.type == "DistributeByPercentage":
        return "random percentage"
    return "result"
