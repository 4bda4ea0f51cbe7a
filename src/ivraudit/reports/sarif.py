"""SARIF 2.1.0, for code-scanning annotations (GitHub, GitLab, Azure DevOps).

Every rule is a ``reportingDescriptor`` (id, name, descriptions, help URI into
docs/rules, default level); every finding a ``result`` with its location, its
witness as a ``codeFlow`` and a stable ``partialFingerprints`` entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from ivraudit._version import __version__
from ivraudit.model.findings import Finding, Report, Severity, Step, normal_path
from ivraudit.reports.json_report import dumps
from ivraudit.reports.links import HOMEPAGE, rule_url
from ivraudit.reports.options import RenderOptions
from ivraudit.rules import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Where the rule pages live; the help URI of each rule is this plus ``<ID>.md``.

#: GitHub code scanning's limits on one run: results (it rejects more), and
#: thread-flow locations per result (it keeps 1,000).
MAX_RESULTS = 25_000
MAX_FLOW_LOCATIONS = 1_000

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A SARIF artifact URI: the normalised relative path, percent-encoded."""
    normal = normal_path(path)
    if normal.startswith("/"):
        return "file://" + quote(normal, errors="backslashreplace")
    # A lone surrogate in a path (never a real file name's UTF-8) as its escape.
    return quote(normal, errors="backslashreplace")


def _descriptors() -> list[dict[str, Any]]:
    descriptors = []
    for rule in all_rules():
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.doc.split("\n\n", 1)[0].replace("\n", " ")},
                "helpUri": rule_url(rule.id),
                "help": {"text": rule.summary, "markdown": rule.page()},
                "defaultConfiguration": {"level": _LEVELS[rule.severity]},
                "properties": {"tags": ["ivr", rule.family]},
            }
        )
    return descriptors


def _location(file: str, line: int, column: int, node: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(file)},
            "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
        },
        "logicalLocations": [{"name": node, "kind": "object"}],
    }


class FlowTable:
    """``run.threadFlowLocations``: each distinct witness step once, in order of first
    use; a result's code flow refers to them by ``index``."""

    def __init__(self) -> None:
        self.locations: list[dict[str, Any]] = []
        self._by_key: dict[str, int] = {}
        self._by_id: dict[int, int] = {}

    def index(self, step: Step, finding: Finding) -> int:
        found = self._by_id.get(id(step)) if step.file else None
        if found is not None:
            return found
        # Keyed by what is written: SARIF wants the locations unique, and two steps can
        # read the same (a step the route ends at, and the same step leading on).  A step
        # without a place of its own (a gap) takes the finding's.
        location = _flow_location(step, finding)
        key = dumps(location)
        found = self._by_key.get(key)
        if found is None:
            found = self._by_key[key] = len(self.locations)
            self.locations.append(location)
        if step.file:
            self._by_id[id(step)] = found
        return found

    def code_flow(self, finding: Finding) -> dict[str, Any]:
        steps = finding.witness
        if len(steps) > MAX_FLOW_LOCATIONS:  # never from ivraudit's own witnesses (60 steps)
            half = MAX_FLOW_LOCATIONS // 2
            steps = steps[:half] + steps[-half:]
        return {
            "message": {"text": "the shortest route a caller takes to this fault"},
            "threadFlows": [{"locations": [{"index": self.index(s, finding)} for s in steps]}],
        }


def _flow_location(step: Step, finding: Finding) -> dict[str, Any]:
    words = [f'hears "{step.hears}"' if step.hears else "", step.does or ""]
    text = f"{step.node}: " + ", then ".join(word for word in words if word)
    return {
        "location": {
            **_location(
                step.file or finding.file,
                step.line or finding.line,
                step.column or 1,
                step.node,
            ),
            "message": {"text": text.rstrip(": ")},
        }
    }


def _result(
    finding: Finding, index: dict[str, int], flows: FlowTable | None, traffic: bool = False
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message_and_fix},
        "locations": [_location(finding.file, finding.line, finding.column, finding.node)],
        "partialFingerprints": {"ivrauditFingerprint/v1": finding.fingerprint},
    }
    if finding.witness and flows is not None:
        result["codeFlows"] = [flows.code_flow(finding)]
    if traffic:
        # check --traffic: SARIF 2.1.0 §3.27.32 rank (0.0-100.0) is the share of logged
        # calls in percent; a suppressed count has no rank (it defaults to -1, unknown).
        share = None if finding.share is None else round(finding.share, 6)
        if finding.share is not None:
            result["rank"] = round(finding.share * 100, 4)
        result["properties"] = {"calls": finding.calls, "share": share}
    return result


def kept_findings(report: Report, limit: int | None = None) -> list[Finding]:
    """The findings a run's results hold: all of them, or, past ``limit`` (by default
    :data:`MAX_RESULTS`), the most severe ``limit`` of them (in report order)."""
    limit = MAX_RESULTS if limit is None else limit
    if len(report.findings) <= limit:
        return report.findings
    ranked = sorted(
        range(len(report.findings)), key=lambda number: -report.findings[number].severity.rank
    )
    return [report.findings[number] for number in sorted(ranked[:limit])]


def _notifications(report: Report, left_out: int) -> list[dict[str, Any]]:
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message + (f" ({error.hint})" if error.hint else "")},
            "locations": [_location(error.file, error.line, error.column, error.file)],
            "descriptor": {"id": "load-error"},
        }
        for unreadable in report.errors
        for error in unreadable.problems
    ]
    if left_out:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{left_out} of {len(report.findings)} findings left out: GitHub "
                    f"code scanning accepts at most {MAX_RESULTS:,} results per run, so the "
                    "least severe were left out (-f json lists them all)"
                },
                "descriptor": {"id": "results-left-out"},
            }
        )
    return notifications


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report as SARIF, piece by piece: the rules, the thread-flow locations, then
    one result per line."""
    descriptors = _descriptors()
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
    kept = kept_findings(report)
    left_out = len(report.findings) - len(kept)
    flows = FlowTable() if options.witness else None
    driver = {
        "name": "ivraudit",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOMEPAGE,
        "rules": descriptors,
    }
    invocation = {
        "executionSuccessful": not report.errors,
        "toolExecutionNotifications": _notifications(report, left_out),
    }
    yield "{\n"
    yield f'  "$schema": {dumps(SARIF_SCHEMA)},\n  "version": "2.1.0",\n  "runs": [\n    {{\n'
    yield f'      "tool": {{"driver": {dumps(driver)}}},\n'
    yield f'      "invocations": [{dumps(invocation)}],\n'
    yield '      "columnKind": "unicodeCodePoints",\n'
    properties: dict[str, Any] = {}
    if left_out:
        properties["ivrauditResultsLeftOut"] = left_out
    traffic = report.traffic is not None
    if report.traffic is not None:
        properties["ivrauditTraffic"] = {
            name: report.traffic[name] for name in ("calls", "steps", "min_calls")
        }
    if properties:
        yield f'      "properties": {dumps(properties)},\n'
    # Results stream first; the locations their code flows refer to follow them.
    results = (_result(finding, index, flows, traffic) for finding in kept)
    yield from _lines("results", results, last=flows is None)
    if flows is not None:
        yield from _lines("threadFlowLocations", flows.locations, last=True)
    yield "    }\n  ]\n}\n"


def _lines(name: str, items: Iterable[Any], last: bool) -> Iterator[str]:
    """``"name": [...]`` inside the run, one compact item per line."""
    yield f'      "{name}": ['
    separator = "\n        "
    for item in items:
        yield separator + dumps(item)
        separator = ",\n        "
    closing = "\n      ]" if separator != "\n        " else "]"
    yield closing + ("\n" if last else ",\n")


def as_dict(report: Report, options: RenderOptions | None = None) -> dict[str, Any]:
    """The report as the SARIF it is written as (a whole, for Python callers)."""
    return json.loads("".join(chunks(report, options or RenderOptions())))


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))
