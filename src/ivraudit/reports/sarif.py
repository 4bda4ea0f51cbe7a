"""SARIF 2.1.0, for code-scanning annotations (GitHub, GitLab, Azure DevOps).

Every rule is a ``reportingDescriptor`` (id, name, descriptions, help URI into
docs/rules, default level); every finding a ``result`` with its location, its
witness as a ``codeFlow`` and a stable ``partialFingerprints`` entry.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ivraudit._version import __version__
from ivraudit.model.findings import Finding, Report, Severity, normal_path
from ivraudit.reports.links import HOMEPAGE, rule_url
from ivraudit.rules import all_rules

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Where the rule pages live; the help URI of each rule is this plus ``<ID>.md``.

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A SARIF artifact URI: the normalised relative path, percent-encoded."""
    normal = normal_path(path)
    if normal.startswith("/"):
        return "file://" + quote(normal)
    return quote(normal)


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


def _code_flow(finding: Finding) -> dict[str, Any]:
    locations = []
    for step in finding.witness:
        words = [f'hears "{step.hears}"' if step.hears else "", step.does or ""]
        text = f"{step.node}: " + ", then ".join(word for word in words if word)
        locations.append(
            {
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
        )
    return {
        "message": {"text": "the shortest route a caller takes to this fault"},
        "threadFlows": [{"locations": locations}],
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message_and_fix},
        "locations": [_location(finding.file, finding.line, finding.column, finding.node)],
        "partialFingerprints": {"ivrauditFingerprint/v1": finding.fingerprint},
    }
    if finding.witness:
        result["codeFlows"] = [_code_flow(finding)]
    return result


def as_dict(report: Report) -> dict[str, Any]:
    descriptors = _descriptors()
    index = {descriptor["id"]: number for number, descriptor in enumerate(descriptors)}
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
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ivraudit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, index) for finding in report.findings],
            }
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
