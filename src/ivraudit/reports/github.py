"""GitHub Actions workflow commands: one annotation per finding.

``::error file=menus/a.yaml,line=7,col=5,title=ID001::message`` -- errors as
``error``, warnings as ``warning``, info as ``notice``.  Values are escaped as
the runner expects (``%``, CR, LF everywhere; ``:`` and ``,`` in properties).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivraudit.model.findings import Report, Severity, elided, normal_path

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a message for a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (file, title) for a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """One workflow command per line, a finding at a time."""
    for finding in report.findings:
        route = ""
        if options.witness and finding.witness:
            route = "\nroute: " + " -> ".join(
                step.node + (f" ({step.does})" if step.does else "")
                for step in elided(finding.witness)
            )
        properties = ",".join(
            [
                f"file={escape_property(normal_path(finding.file))}",
                f"line={finding.line}",
                f"col={finding.column}",
                f"title={escape_property(finding.rule + ' ' + finding.name)}",
            ]
        )
        said = escape_data(finding.message_and_fix + route)
        yield f"::{_COMMANDS[finding.severity]} {properties}::{said}\n"
    for error in (problem for unreadable in report.errors for problem in unreadable.problems):
        properties = (
            f"file={escape_property(normal_path(error.file))},line={error.line},"
            f"col={error.column},title=unreadable menu"
        )
        yield f"::error {properties}::{escape_data(str(error.message))}\n"
