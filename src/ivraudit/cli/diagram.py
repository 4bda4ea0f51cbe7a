"""``ivraudit diagram``: the phone tree as Graphviz or Mermaid, faults marked; with
``--traffic``, a heat map of the calls in call logs."""

from __future__ import annotations

import sys

import click

from ivraudit.analysis.context import AuditContext
from ivraudit.cli.common import (
    CONFIG_OPTION,
    FROM_OPTION,
    MAX_BYTES_OPTION,
    guarded,
    one_flow,
    write_bytes,
)
from ivraudit.cli.traffic import log_format_option
from ivraudit.formats import load_all
from ivraudit.model.menu import Menu
from ivraudit.reports.diagrams.draw import FORMATS as DIAGRAM_FORMATS
from ivraudit.reports.diagrams.draw import diagram, format_from_suffix, mermaid
from ivraudit.reports.diagrams.draw import render as render_diagram
from ivraudit.rules.config import load_config
from ivraudit.rules.engine import audit
from ivraudit.traffic import MIN_CALLS, is_counts_file, load_counts, menu_names
from ivraudit.traffic.heat import Heat, heat_map


@click.command("diagram")
@click.argument("path", type=click.Path())
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: stdout)."
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice([*DIAGRAM_FORMATS, "mermaid"]),
    help="dot, svg, png, pdf or mermaid (default: from the -o suffix, else dot).",
)
@click.option("--route", metavar="NODE", help="Highlight the shortest route to this node.")
@click.option("--focus", metavar="NODE", help="Draw only the nodes near this one.")
@click.option(
    "--radius", type=click.IntRange(min=0), default=2, show_default=True, help="With --focus."
)
@click.option(
    "--max-presses", type=click.IntRange(min=0), help="Cut the tree this many selections deep."
)
@click.option("--flow", help="Which flow of a file that holds several (its id).")
@click.option("--no-findings", is_flag=True, help="Draw the menu without its findings.")
@click.option(
    "--traffic",
    "traffic_paths",
    multiple=True,
    type=click.Path(),
    help="Call logs or one counts.parquet (as for check --traffic): draw a heat map, edge "
    "width by calls and node colour by abandonment (docs/diagrams.md).  Repeatable.",
)
@log_format_option("With --traffic: the logs' format; auto: found from each file's columns.")
@click.option(
    "--min-calls",
    type=click.IntRange(min=1),
    help=f"With --traffic: leave out every count of fewer calls (privacy; default {MIN_CALLS}).",
)
@MAX_BYTES_OPTION
@CONFIG_OPTION
@FROM_OPTION
@guarded
def diagram_command(
    path: str,
    output: str | None,
    output_format: str | None,
    route: str | None,
    focus: str | None,
    radius: int,
    max_presses: int | None,
    flow: str | None,
    no_findings: bool,
    traffic_paths: tuple[str, ...],
    log_format: str,
    min_calls: int | None,
    max_bytes: int | None,
    config_path: str | None,
    input_format: str | None,
) -> None:
    """Draw a menu (Graphviz DOT/SVG/PNG/PDF or Mermaid) with its findings marked.

    With --traffic LOGS|counts.parquet, draw it as a heat map of the logged calls.
    """
    if (log_format != "auto" or min_calls is not None) and not traffic_paths:
        raise click.UsageError("--log-format and --min-calls go with --traffic")
    config = load_config(config_path)
    if max_bytes is not None:
        config = config.merged(max_bytes=max_bytes)
    chosen = output_format or (format_from_suffix(output) if output else None) or "dot"
    if output and output_format is None and format_from_suffix(output) is None:
        raise click.UsageError(
            f"cannot tell the format from '{output}': use .dot, .svg, .png, .pdf or .mmd, "
            "or --format"
        )
    menu = one_flow(load_all(path, input_format, max_bytes=config.max_bytes), flow, path)
    context = AuditContext(menu, config)
    report = None if no_findings else audit(menu, config, context=context)
    heat = None
    if traffic_paths:
        heat = _heat(path, menu, context, traffic_paths, log_format, min_calls, input_format)
    options = {
        "route": route,
        "focus": focus,
        "radius": radius,
        "max_presses": max_presses,
        "heat": heat,
    }
    if chosen == "mermaid":
        data = mermaid(menu, report, config=config, context=context, **options).encode("utf-8")
    else:
        data = render_diagram(
            diagram(menu, report, config=config, context=context, **options), chosen
        )
    if output is None or output == "-":
        if chosen in ("png", "pdf") and sys.stdout.isatty():
            raise click.UsageError(f"{chosen} is binary: write it to a file with -o")
        click.echo(data, nl=False)  # bytes go to the binary stdout
        return
    write_bytes(data, output)


def _heat(
    path: str,
    menu: Menu,
    context: AuditContext,
    traffic_paths: tuple[str, ...],
    log_format: str,
    min_calls: int | None,
    input_format: str | None,
) -> Heat:
    """The heat of ``menu`` in the logs (or counts file); says so on stderr when the logs
    name none of its nodes."""
    forced = None if log_format == "auto" else log_format
    if min_calls is not None and len(traffic_paths) == 1 and is_counts_file(traffic_paths[0]):
        raise click.UsageError("--min-calls is for logs: a counts file keeps its own")
    counts = load_counts(list(traffic_paths), min_calls or MIN_CALLS, forced)
    heat = heat_map(menu, context.graph, counts, menu_names([path], input_format))
    if not heat.reached:
        click.echo(
            f"ivraudit: traffic: the logs ({counts.calls} calls) name no node of this menu",
            err=True,
        )
    return heat
