"""What a subroutine returns, read where the caller branches on it.

``Return(value)`` "jumps to the last label on the stack, removing it. The return value,
if any, is saved in the channel variable GOSUB_RETVAL" (docs.asterisk.org, Dialplan
Applications *Return*; *Gosub*).  When every ``Return`` a call can reach gives a
constant, the caller's ``GotoIf`` on ``${GOSUB_RETVAL}`` (or on a variable ``Set`` from
it right after the call) can only take the arms of those values: the others are not
routes.  When the values lead to different arms, the call is split per value: the
subroutine's copy for value *v* keeps only the ways that end in ``Return(v)`` (or leave
the subroutine otherwise), and goes on at the arm *v* takes, so that no route returns
one value and goes on as if it were another.  A copy is made only where dropping the
other ways removes nothing but arms of branches (never a key the caller may press); else
the caller's branch keeps just the arms of the values returned.  A ``Return`` with a
value known only at run time leaves the branch as it is.  Bounded like the per-call-site
arguments: at most ``MAX_VALUES`` values per call and ``MAX_COPIES`` copies in all; every
walk is a loop over the nodes of one subroutine, without recursion.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import TYPE_CHECKING, Any

from ivraudit.formats.asterisk.match import condition_holds
from ivraudit.formats.asterisk.nodes import Pool, node_targets
from ivraudit.formats.asterisk.targets import Loc
from ivraudit.formats.asterisk.writes import assigned_name, step_assigns

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.flow import Flow

#: Most distinct constants a subroutine may return for its caller's branch to be decided.
MAX_VALUES = 8
#: Most subroutine copies (one per value returned) in one dialplan.
MAX_COPIES = 64
#: Most priorities followed from the call to the caller's branch.
_MAX_WALK = 64


class Returns:
    """Decides callers' branches on ``${GOSUB_RETVAL}``; splits calls per value returned."""

    def __init__(
        self,
        flow: Flow,
        subflows: dict[str, tuple[Pool, str]],
        reachable: Any,
    ) -> None:
        self.flow = flow
        self.subflows = subflows
        self.reachable = reachable
        self.copies: dict[tuple[str, str], str] = {}

    def run(self, order: list[str]) -> None:
        """Callees first (``order``: subroutine keys, callees before callers), then the rest."""
        done: set[tuple[int, str]] = set()
        pools = list(self.flow.pools.values())
        places = [self.subflows[key] for key in order if key in self.subflows]
        for pool, start in places:
            self._calls_in(pool, sorted(self.reachable(pool, start)), done)
        for pool in pools:
            self._calls_in(pool, sorted(pool.nodes), done)

    def _calls_in(self, pool: Pool, node_ids: list[str], done: set[tuple[int, str]]) -> None:
        for node_id in node_ids:
            if (id(pool), node_id) in done:
                continue
            node = pool.nodes.get(node_id)
            if node is None or node.get("type") != "subflow" or node_id not in pool.sites:
                continue
            done.add((id(pool), node_id))
            self._decide(pool, node_id, node)

    # -- one call ------------------------------------------------------------------------

    def _decide(self, pool: Pool, node_id: str, node: dict[str, Any]) -> None:
        key = node.get("menu")
        following = node.get("next")
        if key not in self.subflows or not following:
            return
        callee, start = self.subflows[key]
        values = _returned(callee, self.reachable(callee, start))
        if not values or len(values) > MAX_VALUES:
            return
        branch_id = self.flow.resolve(pool, following)
        branch = pool.nodes.get(branch_id)
        names = self._aliases(pool.sites[node_id])
        if branch is None or branch.get("type") != "branch" or names is None:
            return
        arms: dict[str, str] = {}
        for value in sorted(values):
            arm = _arm(branch, names, value)
            if arm is None:
                return
            arms[value] = arm
        if len(set(arms.values())) == 1:
            node["next"] = next(iter(arms.values()))
            return
        copies = self._copies(key, callee, start, sorted(values))
        if copies is None:
            node["next"] = self._kept(pool, branch_id, branch, set(arms.values()))
            return
        where = pool.where.get(("nodes", node_id))
        ways = []
        for value in sorted(values):
            each = f"{node_id}:returns {value or 'nothing'}"
            pool.taken.add(each)
            pool.add(each, {**node, "menu": copies[value], "next": arms[value]}, where)
            ways.append((value, each))
        note = f"{node.get('note') or key}: the subroutine returns {_listed(values)}"
        *cases, (_, last) = ways
        node.clear()
        node.update(
            {
                "type": "branch",
                "cases": [
                    {"when": f"it returns {value or 'nothing'}", "next": each}
                    for value, each in cases
                ],
                "else": last,
                "note": note,
            }
        )

    def _aliases(self, site: Loc) -> set[str] | None:
        """``GOSUB_RETVAL`` and the variables ``Set`` from it on the way to the caller's
        next node; None when something on the way may write them otherwise."""
        walker = self.flow.walker
        names = {"GOSUB_RETVAL"}
        current = walker.successor(site)
        for _ in range(_MAX_WALK):
            if not isinstance(current, Loc):
                return None
            follow = walker.fold(current)
            if follow is None:
                return names
            step = current.step
            if walker.kind(current).tag == "pass":
                written = step_assigns(step.app, step.data)
                if written is None:
                    return None
                target, _, value = step.data.partition("=")
                name = assigned_name(target) if step.app.strip().lower() == "set" else None
                names -= written
                if name and value.strip() in {"${" + each + "}" for each in names | {name}}:
                    names.add(name)
            current = follow
        return None

    def _kept(self, pool: Pool, branch_id: str, branch: dict[str, Any], kept: set[str]) -> str:
        """A copy of the caller's branch with only the arms the values returned take."""
        cases = [case for case in branch.get("cases", ()) if case.get("next") in kept]
        otherwise = branch.get("else")
        if otherwise not in kept:
            otherwise = cases.pop()["next"] if cases else otherwise
        if len(cases) == len(branch.get("cases", ())) and otherwise == branch.get("else"):
            return branch_id
        helper, new = pool.claim(("returns", branch_id), f"{branch_id}:returned")
        if new:
            note = "only the arms of the values the subroutine returns"
            pool.add(
                helper,
                {**branch, "cases": cases, "else": otherwise, "note": note},
                pool.where.get(("nodes", branch_id)),
            )
        return helper

    # -- copies per value ----------------------------------------------------------------

    def _copies(
        self, key: str, callee: Pool, start: str, values: list[str]
    ) -> dict[str, str] | None:
        found: dict[str, str] = {}
        for value in values:
            known = self.copies.get((key, value))
            if known is None:
                if len(self.copies) >= MAX_COPIES:
                    return None
                nodes = _pruned(callee, self.reachable(callee, start), value)
                if nodes is None:
                    return None
                known = f"{key} returning {value or 'nothing'}"
                derived = Pool(callee.mode)
                derived.nodes = nodes
                derived.where = callee.where
                derived.taken = set(callee.taken)
                derived.ids = dict(callee.ids)
                derived.calls = callee.calls
                derived.sites = callee.sites
                derived.returned = callee.returned
                derived.counters = {
                    each: counter for each, counter in callee.counters.items() if each in nodes
                }
                self.flow.pools[f"{callee.mode} {known}"] = derived
                self.subflows[known] = (derived, start)
                self.copies[(key, value)] = known
            found[value] = known
        return found


def _returned(pool: Pool, reach: set[str]) -> set[str] | None:
    """The constants the Returns in ``reach`` give; None when one is known only at run time."""
    values: set[str] = set()
    for node_id in reach:
        if pool.nodes[node_id].get("type") != "return":
            continue
        value = pool.returned.get(node_id)
        if value is None:
            return None
        values.add(value)
    return values


def _arm(branch: dict[str, Any], names: set[str], value: str) -> str | None:
    """Where the caller's branch goes when the subroutine returned ``value`` (None: the
    conditions read something else too)."""
    for case in branch.get("cases", ()):
        outcomes = set()
        for part in str(case.get("when", "")).split(" or "):
            text = part
            for name in names:
                text = text.replace("${" + name + "}", value)
            outcomes.add(None if "${" in text else condition_holds(text))
        if None in outcomes:
            return None
        if True in outcomes:
            return case.get("next")
    return branch.get("else")


def _pruned(pool: Pool, reach: set[str], value: str) -> dict[str, dict[str, Any]] | None:
    """The subroutine's nodes on the ways that return ``value`` or leave it otherwise, with
    the branch arms to the other Returns dropped; None when a dropped way is not an arm."""
    back: dict[str, list[str]] = {node_id: [] for node_id in reach}
    ends: list[str] = []
    live_ends: list[str] = []
    for node_id in reach:
        node = pool.nodes[node_id]
        targets = node_targets(node)
        for target in targets:
            if target in back:
                back[target].append(node_id)
        kind = node.get("type")
        if kind == "return":
            ends.append(node_id)
            if pool.returned.get(node_id) == value:
                live_ends.append(node_id)
        elif not targets or any(target not in back for target in targets):
            ends.append(node_id)
            live_ends.append(node_id)
    live = _backwards(back, live_ends)
    ending = _backwards(back, ends)
    dead = {node_id for node_id in reach if node_id in ending and node_id not in live}
    nodes: dict[str, dict[str, Any]] = {}
    for node_id in sorted(reach - dead):
        node = copy.deepcopy(pool.nodes[node_id])
        if dead & set(node_targets(node)):
            if node.get("type") != "branch" or node_id in pool.counters:
                return None
            cases = [case for case in node.get("cases", ()) if case.get("next") not in dead]
            otherwise = node.get("else")
            if otherwise in dead:
                otherwise = cases.pop()["next"] if cases else None
            kept = {**node, "cases": cases, "else": otherwise}
            if otherwise is None or dead & set(node_targets(kept)):
                return None
            node["cases"], node["else"] = cases, otherwise
            note = f"when it returns {value or 'nothing'}, only these arms are taken"
            node["note"] = "; ".join(each for each in (node.get("note"), note) if each)
        nodes[node_id] = node
    return nodes


def _backwards(back: dict[str, list[str]], seeds: list[str]) -> set[str]:
    seen = set(seeds)
    pending = deque(seeds)
    while pending:
        for source in back[pending.popleft()]:
            if source not in seen:
                seen.add(source)
                pending.append(source)
    return seen


def _listed(values: set[str]) -> str:
    shown = [value or "nothing" for value in sorted(values)]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]
