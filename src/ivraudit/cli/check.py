"""``ivraudit check`` and ``ivraudit baseline``: audit files, report, accept findings."""

from __future__ import annotations

import sys

import click

from ivraudit.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    AuditArgs,
    audit_options,
    fail,
    guarded,
    run_check,
    write_output,
    write_report,
)
from ivraudit.cli.traffic import log_format_option
from ivraudit.gate.baseline import Baseline, dump_baseline
from ivraudit.model.findings import Report
from ivraudit.reports import REPORTERS, RenderOptions
from ivraudit.reports.json_report import JSON_VERSIONS
from ivraudit.reports.options import JSON_VERSION
from ivraudit.reports.text import plural, summary_line
from ivraudit.traffic import (
    Counts,
    MenuNames,
    drift_line,
    fails_on_share,
    load_counts,
    menu_nodes,
    weigh,
)
from ivraudit.traffic.plain import traffic_data


@click.command()
@audit_options
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file (atomically) instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity that exits 1 (default: warning).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Report and fail only on findings not in this baseline file.",
)
@click.option("--no-witness", is_flag=True, help="Do not print witness routes.")
@click.option(
    "--json-version",
    type=click.Choice([str(version) for version in JSON_VERSIONS]),
    default=str(JSON_VERSION),
    show_default=True,
    help="JSON output version: 1 repeats each witness step in every finding (docs/output.md).",
)
@click.option(
    "--unknowns",
    "list_unknowns",
    is_flag=True,
    help="List each route that leaves what was read (text); JSON always lists them.",
)
@click.option(
    "--diagram/--no-diagram",
    "with_diagram",
    default=None,
    help="Draw each menu in the report: Mermaid in markdown (off by default), SVG in html (on).",
)
@click.option(
    "--traffic",
    "traffic_paths",
    multiple=True,
    type=click.Path(),
    help="Call logs (files or directories: the generic format, Twilio Studio steps, "
    "Amazon Connect flow logs or Asterisk CEL; see --log-format) or one counts.parquet "
    "from 'ivraudit traffic --counts': give each finding the calls that reached its node "
    "and their share, sort by calls, report drift (docs/traffic.md).  Repeatable.",
)
@log_format_option("With --traffic: the logs' format; auto: found from each file's columns.")
@click.option(
    "--fail-on-share",
    type=click.FloatRange(min=0, max=1),
    help="With --traffic: exit 1 only on findings at --fail-on that at least this share "
    "of logged calls reached (0.01: 1%).",
)
@click.option(
    "--fail-on-drift",
    is_flag=True,
    help="With --traffic: also exit 1 when log steps name nodes the menus lack "
    "(the deployed menu differs from the one checked).",
)
@guarded
def check(
    audit_args: AuditArgs,
    output_format: str,
    output: str | None,
    fail_on: str | None,
    baseline_path: str | None,
    no_witness: bool,
    json_version: str,
    list_unknowns: bool,
    with_diagram: bool | None,
    traffic_paths: tuple[str, ...],
    log_format: str,
    fail_on_share: float | None,
    fail_on_drift: bool,
) -> None:
    """Audit menu files, or every menu file under directories."""
    if fail_on_share is not None and not traffic_paths:
        raise click.UsageError("--fail-on-share goes with --traffic")
    if fail_on_drift and not traffic_paths:
        raise click.UsageError("--fail-on-drift goes with --traffic")
    if log_format != "auto" and not traffic_paths:
        raise click.UsageError("--log-format goes with --traffic")
    # Logs are read first: a log that cannot be read stops the run before the audit.
    forced = None if log_format == "auto" else log_format
    counts = (
        load_counts(list(traffic_paths), log_format=forced, times=True) if traffic_paths else None
    )
    baseline = Baseline.load(baseline_path) if baseline_path else None
    # The names platform logs give the menus' nodes: the rules get the counts renamed to
    # node ids, and the findings are weighed by them.
    known = None
    if counts is not None:
        known = menu_nodes(audit_args.paths, audit_args.input_format, audit_args.root)
    config, report = run_check(
        audit_args,
        fail_on,
        with_metrics=output_format == "html",
        draw=_drawing_kind(output_format, with_diagram),
        witness=not no_witness,
        traffic=None if counts is None else traffic_data(counts, known),
    )
    if baseline is not None:
        baseline.apply(report)
        click.echo(f"ivraudit: baseline {baseline_path}: {baseline.outcome(report)}", err=True)
    if counts is not None and known is not None:
        _weigh(report, counts, known)
    options = RenderOptions(
        witness=not no_witness,
        fail_on=config.fail_on,
        unknowns=list_unknowns,
        json_version=int(json_version),
    )
    write_report(report, output_format, options, output)
    if output not in (None, "-"):
        # The report went to a file: still say on the terminal what it holds.
        click.echo(f"{summary_line(report)} Report written to {output}.", err=True)
    if report.errors:
        sys.exit(EXIT_ERROR)
    if fail_on_share is not None:
        failing = fails_on_share(report, config.fail_on, fail_on_share)
    else:
        failing = report.fails(config.fail_on)
    if fail_on_drift and drifted(report):
        click.echo(f"ivraudit: failing on drift (--fail-on-drift): {drifted(report)}", err=True)
        failing = True
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _weigh(report: Report, counts: Counts, known: MenuNames) -> None:
    """Weigh the findings by the logged calls, and say on stderr what the logs name that
    the menus lack."""
    weigh(report, counts, known)
    said = drift_line(report)
    if said:
        click.echo(f"ivraudit: traffic: {said}", err=True)


def drifted(report: Report) -> str | None:
    """ "3 nodes: a, b, c" when the logs name nodes the menus lack, else None."""
    names = report.traffic["drift"]["nodes"] if report.traffic else []
    if not names:
        return None
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f"{plural(len(names), 'node')} not in the menus checked: {shown}"


def _drawing_kind(output_format: str, wanted: bool | None) -> str | None:
    """Which picture a report format carries: SVG in HTML (unless --no-diagram),
    Mermaid in Markdown (with --diagram), none elsewhere."""
    if output_format == "html":
        return None if wanted is False else "svg"
    if output_format == "markdown" and wanted:
        return "mermaid"
    if wanted:
        raise click.UsageError("--diagram goes with --format html or markdown")
    return None


@click.command("baseline")
@audit_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="The baseline file to write (atomically).",
)
@guarded
def baseline_command(audit_args: AuditArgs, output: str) -> None:
    """Record today's findings, so that 'check --baseline' fails only on new ones."""
    _, report = run_check(audit_args)
    if report.errors:
        fail("not writing a baseline: some files could not be read")
    write_output(dump_baseline(report, output), output)
    click.echo(
        f"ivraudit: baseline of {len(report.findings)} finding(s) in "
        f"{len(report.files)} file(s) written to {output}",
        err=True,
    )
