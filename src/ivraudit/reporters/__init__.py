"""Reporters: one module per output format, one render function each, one table.

A reporter turns a :class:`~ivraudit.findings.Report` into text and knows
nothing about rules; the CLI's ``--format`` choices come from :data:`REPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..findings import Report
from . import json_report, text


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change how a report is shown, not what it says."""

    witness: bool = True


Render = Callable[[Report, RenderOptions], str]

REPORTERS: dict[str, Render] = {
    "text": text.render,
    "json": json_report.render,
}


def render(report: Report, format: str = "text", options: RenderOptions | None = None) -> str:
    """Render a report in one of the :data:`REPORTERS` formats."""
    if format not in REPORTERS:
        from ..errors import UsageError

        raise UsageError(f"unknown format '{format}'; choose from {', '.join(REPORTERS)}")
    return REPORTERS[format](report, options or RenderOptions())
