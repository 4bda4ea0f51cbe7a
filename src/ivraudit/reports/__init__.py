"""Reporters: one module per output format, one render function each, one table.

A reporter turns a :class:`~ivraudit.findings.Report` into text and knows
nothing about how findings were made; the CLI's ``--format`` choices come from
:data:`REPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Report, Severity
from ivraudit.reports import github, html, json_report, junit, markdown, sarif, text


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change how a report is shown, not what it says.

    ``fail_on`` decides which findings are failures (JUnit).  Pictures come with
    the report itself (``Report.drawings``), when the check was asked to draw.
    """

    witness: bool = True
    fail_on: Severity | None = Severity.WARNING
    #: List each route that leaves what was read (text), not only their count.
    unknowns: bool = False


Render = Callable[[Report, RenderOptions], str]

#: Every output format, by name.
REPORTERS: dict[str, Render] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html.render,
}


def render(report: Report, format: str = "text", options: RenderOptions | None = None) -> str:
    """Render a report in one of the :data:`REPORTERS` formats."""
    if format not in REPORTERS:
        raise UsageError(f"unknown format '{format}'; choose from {', '.join(REPORTERS)}")
    return REPORTERS[format](report, options or RenderOptions())
