"""JSON, output version 1 (documented in docs/output.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ivraudit._version import __version__
from ivraudit.model.findings import Report

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

JSON_VERSION = 1


def as_dict(report: Report, options: RenderOptions) -> dict[str, Any]:
    findings = [finding.to_dict(witness=options.witness) for finding in report.findings]
    return {
        "version": JSON_VERSION,
        "tool": {"name": "ivraudit", "version": __version__},
        "findings": findings,
        "errors": [
            {"file": e.file, "line": e.line, "column": e.column, "message": str(e.message)}
            | ({"hint": e.hint} if e.hint else {})
            for error in report.errors
            for e in error.problems
        ],
        "fixed": report.fixed,
        "unknowns": [unknown.to_dict() for unknown in report.unknowns],
        "summary": report.summary(),
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(as_dict(report, options), indent=2, ensure_ascii=False) + "\n"
