"""Reporters: one module per output format, one render function each, one table.

A reporter turns a :class:`~ivraudit.findings.Report` into text and knows
nothing about how findings were made; the CLI's ``--format`` choices come from
:data:`REPORTERS`.  :func:`write` streams a report as UTF-8, a finding at a time
where the format allows it, so a report is never held whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ivraudit._gc import collector_paused
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Report
from ivraudit.reports import github, html, json_report, junit, markdown, sarif, text
from ivraudit.reports.options import RenderOptions

__all__ = ["REPORTERS", "RenderOptions", "chunks", "render", "write"]


Render = Callable[[Report, RenderOptions], str]
Chunks = Callable[[Report, RenderOptions], Iterable[str]]

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

#: The reporters that can also give their text piece by piece (a finding at a time).
_STREAMED: dict[Render, Chunks] = {
    text.render: text.chunks,
    json_report.render: json_report.chunks,
    sarif.render: sarif.chunks,
    github.render: github.chunks,
    junit.render: junit.chunks,
    html.render: html.chunks,
}


def _reporter(format: str) -> Render:
    if format not in REPORTERS:
        raise UsageError(f"unknown format '{format}'; choose from {', '.join(REPORTERS)}")
    return REPORTERS[format]


def render(report: Report, format: str = "text", options: RenderOptions | None = None) -> str:
    """Render a report in one of the :data:`REPORTERS` formats."""
    reporter = _reporter(format)
    with collector_paused():
        return reporter(report, options or RenderOptions())


def chunks(
    report: Report, format: str = "text", options: RenderOptions | None = None
) -> Iterator[str]:
    """A report's text in pieces whose concatenation is :func:`render`'s."""
    reporter = _reporter(format)
    options = options or RenderOptions()
    streamed = _STREAMED.get(reporter)
    if streamed is None:
        yield reporter(report, options)
    else:
        yield from streamed(report, options)


def write(
    report: Report, format: str, stream: BinaryIO, options: RenderOptions | None = None
) -> None:
    """Write a report to a binary stream as UTF-8, a piece at a time.

    The output is always valid UTF-8: a lone surrogate (from a file's ``\\ud800``
    escape) is written as the escape ``\\ud800``, which in JSON and SARIF strings is
    the same escape read back.
    """
    with collector_paused():
        # Pieces are a line each (a finding): written in batches, not one call per line.
        batch: list[str] = []
        for piece in chunks(report, format, options):
            batch.append(piece)
            if len(batch) >= _BATCH:
                stream.write("".join(batch).encode("utf-8", "backslashreplace"))
                batch.clear()
        stream.write("".join(batch).encode("utf-8", "backslashreplace"))


#: How many pieces :func:`write` joins before it writes (a few hundred KB of findings).
_BATCH = 256
