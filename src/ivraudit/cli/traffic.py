"""``ivraudit traffic``: count the calls in call logs per node and per edge (docs/traffic.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ivraudit.cli.common import guarded, write_output
from ivraudit.reports.diagrams.draw import heat_drawing
from ivraudit.traffic import LOG_FORMATS, MIN_CALLS, aggregate, write_counts
from ivraudit.traffic.pages import FORMATS, render
from ivraudit.traffic.report import traffic_menus


def log_format_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--log-format`` option every command that reads call logs takes."""
    return click.option(
        "--log-format",
        type=click.Choice(["auto", *LOG_FORMATS]),
        default="auto",
        show_default=True,
        help=help,
    )


MIN_CALLS_OPTION = click.option(
    "--min-calls",
    type=click.IntRange(min=1),
    default=MIN_CALLS,
    show_default=True,
    help="Suppress every count of fewer calls (privacy).",
)


@click.command("traffic")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--counts",
    "output",
    type=click.Path(dir_okay=False),
    help="Write the counts of LOGS to this Parquet file (atomically), for check --traffic.",
)
@click.option(
    "-f",
    "--format",
    "report_format",
    type=click.Choice(FORMATS),
    help="The report's format (MENU LOGS): text (default), json, markdown, or html "
    "(one file with each menu's heat map).",
)
@click.option(
    "-o",
    "--output",
    "report_output",
    type=click.Path(dir_okay=False),
    help="Write the report (MENU LOGS) to this file (atomically) instead of stdout.",
)
@MIN_CALLS_OPTION
@log_format_option("The logs' format; auto: found from each file's columns.")
@guarded
def traffic_command(
    paths: tuple[str, ...],
    output: str | None,
    report_format: str | None,
    report_output: str | None,
    min_calls: int,
    log_format: str,
) -> None:
    """Report where the calls in LOGS went through MENU, or count LOGS with --counts.

    ivraudit traffic MENU LOGS...: per outcome the calls, their share and the median
    and 95th-percentile seconds to reach it; per node the calls that reached it and
    hung up there; per menu each option's share and the no-input and no-match rates;
    in HTML with each menu's heat map.

    ivraudit traffic LOGS... --counts FILE: count calls per node and per edge, with
    the median and 95th-percentile seconds calls took to reach each node.

    LOGS are files or directories of logs: the generic format (one row per step,
    columns call_id, node and seq or at, optional key, seconds and flow; CSV, JSON
    Lines, Parquet), Twilio Studio execution steps, Amazon Connect flow logs or
    Asterisk CEL records.  Only counts and node names are reported or written;
    counts of fewer than --min-calls calls are left out.
    """
    forced = None if log_format == "auto" else log_format
    if output is not None and report_format is not None:
        raise click.UsageError("--format is for the report (MENU LOGS), not --counts")
    if output is not None and report_output is not None:
        raise click.UsageError("-o is for the report (MENU LOGS); --counts names its own file")
    if output is None:
        if len(paths) < 2:
            raise click.UsageError("give a MENU and its LOGS, or LOGS with --counts FILE")
        counts = aggregate(list(paths[1:]), min_calls, forced, times=True)
        menus, names = traffic_menus(paths[0], counts)
        reports = [report for _, report in menus]
        chosen = report_format or "text"
        pictures = None
        if chosen == "html":
            pictures = [heat_drawing(menu, counts, names) for menu, _ in menus]
        write_output(render(reports, chosen, pictures), report_output)
        return
    logs = paths
    counts = aggregate(list(logs), min_calls, forced, times=True)
    write_counts(counts, output)
    click.echo(
        f"ivraudit: counted {counts.calls} calls ({counts.steps} steps): "
        f"{len(counts.nodes)} nodes and {len(counts.edges)} edges of at least "
        f"{min_calls} calls written to {output}",
        err=True,
    )
