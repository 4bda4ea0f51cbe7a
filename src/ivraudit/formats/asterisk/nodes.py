"""The node pools a dialplan is built into, and the node dicts every builder shares:
branches whose cases merge, pass-on nodes removed once built, notes and prompt texts.
"""

from __future__ import annotations

from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats.asterisk.targets import Loc
from ivraudit.model.errors import Position

#: Marks a node that only passes the call on (a branch whose ways all meet): removed later.
ALIAS = "_alias"
#: The fields of a node (as a dict) that name one target node.
TARGET_FIELDS = (
    "next",
    "no_input",
    "no_match",
    "fail",
    "error",
    "retries_exhausted",
    "else",
    "open",
    "closed",
    "holiday",
)


def in_macro(chan: str) -> bool:
    """Whether a call running in context ``chan`` of a macro's nodes is still inside the
    macro.  app_macro.c runs the macro's priorities only while the channel stays in a
    ``macro-`` context: after a Goto elsewhere "Channel ... jumping out of macro" ends the
    macro and the call goes on where the Goto went, never back to the caller (Dialplan
    Applications *Macro*); running off the end there is an ordinary end of extension."""
    return chan.lower().startswith("macro-")


class Pool:
    """The nodes of one mode: ``main`` (calls and Gosub) or ``macro`` (Macro ends return)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.nodes: dict[str, dict[str, Any]] = {}
        self.where: dict[tuple[Any, ...], Position] = {}
        self.ids: dict[tuple[Any, ...], str] = {}
        self.taken: set[str] = set()
        self.memo: dict[tuple[str, int], str] = {}
        #: subflow node id -> (callee mode, entry place, subflow key)
        self.calls: dict[str, tuple[str, Loc, str]] = {}
        #: ids of removed pass-on nodes -> where they lead
        self.renamed: dict[str, str] = {}
        #: nodes added since the last clean-up
        self.fresh: list[str] = []
        #: retry counter checks (branch node id -> (try again, give up, retries))
        self.counters: dict[str, tuple[str, str, int]] = {}
        #: menu node id -> where the Background prompts it continues begin (one menu)
        self.menu_starts: dict[str, Position] = {}
        #: return node id -> the constant it returns (GOSUB_RETVAL); None: known at run time
        self.returned: dict[str, str | None] = {}
        #: Gosub subflow node id -> the priority that calls (where the caller goes on)
        self.sites: dict[str, Loc] = {}

    def claim(self, key: tuple[Any, ...], wanted: str) -> tuple[str, bool]:
        """The id for ``key`` (made unique on first use) and whether it is new."""
        known = self.ids.get(key)
        if known is not None:
            return known, False
        node_id = unique_id(wanted, self.taken)
        self.ids[key] = node_id
        return node_id, True

    def add(self, node_id: str, node: dict[str, Any], where: Position) -> None:
        self.nodes[node_id] = {key: value for key, value in node.items() if value is not None}
        self.where[("nodes", node_id)] = where
        self.fresh.append(node_id)


def node_targets(node: dict[str, Any]) -> list[str]:
    """The ids of the nodes ``node`` leads to: its target fields, options and cases."""
    found = []
    for field in TARGET_FIELDS:
        value = node.get(field)
        if isinstance(value, str):
            found.append(value)
    found.extend(value for value in node.get("options", {}).values() if isinstance(value, str))
    found.extend(case["next"] for case in node.get("cases", ()) if case.get("next"))
    return found


def reachable_ids(pool: Pool, start: str) -> set[str]:
    """The ids of the nodes of ``pool`` reachable from ``start`` (a stack, no recursion)."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in pool.nodes:
            continue
        seen.add(node_id)
        stack.extend(node_targets(pool.nodes[node_id]))
    return seen


def collapse(pool: Pool) -> None:
    """Drop nodes that only pass the call on, pointing their callers at where they lead.

    Only the nodes built since the last call are looked at: a pass-on node is
    referred to only by nodes built in the same run (older ones get its target
    through :meth:`Flow.enter`), so the work stays linear.
    """
    fresh = [node_id for node_id in pool.fresh if node_id in pool.nodes]
    pool.fresh = []
    aliases = {
        node_id: pool.nodes[node_id][ALIAS] for node_id in fresh if ALIAS in pool.nodes[node_id]
    }
    final: dict[str, str] = {}
    for start in aliases:
        path = []
        current = start
        while current in aliases and current not in final and current not in path:
            path.append(current)
            current = aliases[current]
        end = final.get(current, pool.renamed.get(current, current))
        if current in path:  # ways that all meet in a circle: keep it as a visible loop
            pool.nodes[current].pop(ALIAS, None)
            pool.nodes[current]["note"] = "these steps go round in a circle"
            end = current
        for each in path:
            final[each] = end
    for node_id, end in final.items():
        if node_id != end:
            pool.nodes.pop(node_id, None)
            pool.renamed[node_id] = end
    for node_id in fresh:
        node = pool.nodes.get(node_id)
        if node is None:
            continue
        node.pop(ALIAS, None)
        if not final:
            continue
        for field in TARGET_FIELDS:
            value = node.get(field)
            if isinstance(value, str) and value in final:
                node[field] = final[value]
        options = node.get("options")
        if options:
            for key, value in options.items():
                if value in final:
                    options[key] = final[value]
        for case in node.get("cases", ()):
            if case.get("next") in final:
                case["next"] = final[case["next"]]


def branch(cases: list[tuple[str, str | None]], otherwise: str | None) -> dict[str, Any]:
    """A branch node, with cases that lead to the same place merged."""
    merged: dict[str | None, list[str]] = {}
    for when, target in cases:
        merged.setdefault(target, []).append(when)
    targets = set(merged) | {otherwise}
    if len(targets) == 1 and otherwise is not None:
        return {"type": "branch", "single": otherwise}
    if len(merged) == 1 and otherwise is None:
        only = next(iter(merged))
        if only is not None:
            return {"type": "branch", "single": only}
    return {
        "type": "branch",
        "cases": [
            {"when": " or ".join(whens) or "true", "next": target}
            for target, whens in merged.items()
            if target is not None
        ],
        "else": otherwise,
    }


def branch_node(
    cases: list[tuple[str, str | None]], otherwise: str | None, note: str | None
) -> dict[str, Any]:
    """A branch node; when every way leads to one place, a step straight there."""
    node = branch(cases, otherwise)
    single = node.pop("single", None)
    if single is not None:
        return {"type": "action", "note": note, "next": single, ALIAS: single}
    if note:
        node["note"] = note
    return node


def with_notes(node: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """``node`` with ``notes`` added after the note it has."""
    if notes:
        existing = node.get("note")
        node["note"] = "; ".join([*([existing] if existing else []), *notes])
    return node


def joined(parts: list[str], separator: str) -> str | None:
    """The non-empty prompt texts joined, or None when there are none."""
    cleaned = [part for part in parts if part]
    return separator.join(cleaned) if cleaned else None
