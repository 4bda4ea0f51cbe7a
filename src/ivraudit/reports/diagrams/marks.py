"""Marks on a drawing: which of a report's findings belong on which node, and its badges."""

from __future__ import annotations

from collections.abc import Iterable

from ivraudit.analysis.context import AuditContext
from ivraudit.model.findings import Finding, Report, Severity
from ivraudit.reports.diagrams.drawing import Badge


def findings_by_node(
    ctx: AuditContext, report: Report | None
) -> tuple[dict[str, list[Finding]], dict[str, int]]:
    """The report's findings on this menu's nodes, and its counts by severity for this menu.

    A report may cover other files too: only findings in this menu's file (or
    its subflows' files) count.
    """
    if report is None:
        return {}, {}
    files = {ctx.menu.path}
    pending = [ctx.menu]
    while pending:
        current = pending.pop()
        for inner in current.subflows.values():
            if inner.path not in files:
                files.add(inner.path)
                pending.append(inner)
    found: dict[str, list[Finding]] = {}
    counts = {severity.value: 0 for severity in Severity}
    for finding in report.findings:
        if finding.file not in files:
            continue
        counts[finding.severity.value] += 1
        if finding.node in ctx.data:
            found.setdefault(finding.node, []).append(finding)
    for node in found:
        found[node].sort(key=lambda finding: (-finding.severity.rank, finding.sort_key))
    return found, counts


def worst_finding(found: list[Finding]) -> Finding:
    """The finding a node links to: the most severe, then the first in the file."""
    return min(found, key=lambda finding: (-finding.severity.rank, finding.sort_key))


def badges_for(found: Iterable[Finding]) -> tuple[Badge, ...]:
    """One badge per rule, at the worst severity it was reported at; worst first."""
    worst: dict[str, Severity] = {}
    for finding in found:
        current = worst.get(finding.rule)
        if current is None or finding.severity.rank > current.rank:
            worst[finding.rule] = finding.severity
    ordered = sorted(worst.items(), key=lambda item: (-item[1].rank, item[0]))
    return tuple(Badge(rule, severity.value) for rule, severity in ordered)
