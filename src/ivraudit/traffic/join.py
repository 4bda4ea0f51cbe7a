"""Counts joined to an audit: each finding weighed by the calls that reached its node,
and the nodes the logs name that the menus lack (drift)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ivraudit.model.findings import Report, Severity
from ivraudit.traffic.counts import Counts, NodeCount
from ivraudit.traffic.names import MenuNames, menu_names


def menu_nodes(
    paths: Sequence[str], format: str | None = None, root: str | None = None
) -> MenuNames:
    """The node names of every menu under ``paths``, and the names platform logs give
    them (files that cannot be read add none: the check reports them)."""
    return menu_names(paths, format, root)


def calls_at(counts: Counts, flow: str, node: str, names: MenuNames | None = None) -> int | None:
    """Logged calls that reached ``node``: the rows of that node in ``flow`` (or in any
    flow when the finding or the log names none), or else the rows of the names a
    platform's log gives it (summed: an Asterisk pattern is met by every extension it
    matches).  0 when the logs never name it, None when its count may have been
    suppressed (under ``counts.min_calls``)."""
    in_flow = [row for row in counts.nodes if row.flow == flow or not row.flow or not flow]
    matched = [row for row in in_flow if row.node == node]
    alias = names.names_of(node) if names is not None else None
    if not matched and alias is not None:
        matched = [row for row in in_flow if alias.matches(row.node)]
    if matched:
        return sum(row.calls for row in matched)
    return 0 if counts.min_calls <= 1 else None


def weigh(report: Report, counts: Counts, known: MenuNames) -> None:
    """Give every finding ``calls`` and ``share``, sort findings by calls (most first;
    ties in report order), and record the logs' totals and drift in ``report.traffic``."""
    weighed = []
    for finding in report.findings:
        calls = calls_at(counts, finding.flow, finding.node, known)
        share = None if calls is None else calls / counts.calls
        weighed.append(dataclasses.replace(finding, calls=calls, share=share))
    weighed.sort(key=lambda finding: -(finding.calls or 0))
    report.findings = weighed
    report.traffic = {
        "calls": counts.calls,
        "steps": counts.steps,
        "min_calls": counts.min_calls,
        "drift": drift(counts.nodes, known),
    }


def drift(nodes: Sequence[NodeCount], known: MenuNames) -> dict[str, Any]:
    """The steps whose node the menus do not have, and those nodes' names (sorted)."""
    unknown = [row for row in nodes if not known.knows(row.node)]
    strangers = sorted({row.node for row in unknown})
    steps = sum(row.steps for row in unknown)
    return {"steps": steps, "nodes": strangers}


def drift_line(report: Report) -> str | None:
    """ "412 steps name 3 nodes not in this menu: a, b, c", or None without drift."""
    if not report.traffic or not report.traffic["drift"]["nodes"]:
        return None
    found = report.traffic["drift"]
    names = found["nodes"]
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    menus = "this menu" if len(report.files) <= 1 else "these menus"
    steps = "1 step names" if found["steps"] == 1 else f"{found['steps']} steps name"
    nodes = "1 node" if len(names) == 1 else f"{len(names)} nodes"
    differs = "the deployed menu differs from the one checked"
    return f"{steps} {nodes} not in {menus}: {shown} ({differs})"


def fails_on_share(report: Report, fail_on: Severity | None, share: float) -> bool:
    """Whether a finding at or above ``fail_on`` hurts at least ``share`` of the logged
    calls (a suppressed count is under every share)."""
    if fail_on is None:
        return False
    return any(
        finding.severity.rank >= fail_on.rank
        and finding.share is not None
        and finding.share >= share
        for finding in report.findings
    )
