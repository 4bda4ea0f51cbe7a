"""``ivraudit traffic``: count the calls in call logs per node and per edge (docs/traffic.md)."""

from __future__ import annotations

import click

from ivraudit.cli.common import guarded
from ivraudit.traffic import MIN_CALLS, aggregate, write_counts

MIN_CALLS_OPTION = click.option(
    "--min-calls",
    type=click.IntRange(min=1),
    default=MIN_CALLS,
    show_default=True,
    help="Suppress every count of fewer calls (privacy).",
)


@click.command("traffic")
@click.argument("logs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--counts",
    "output",
    type=click.Path(dir_okay=False),
    required=True,
    help="Write the counts to this Parquet file (atomically), for check --traffic.",
)
@MIN_CALLS_OPTION
@guarded
def traffic_command(logs: tuple[str, ...], output: str, min_calls: int) -> None:
    """Count calls per node and per edge in call logs (CSV, JSON Lines, Parquet).

    LOGS are files or directories of logs in the generic format: one row per step,
    columns call_id, node and seq (or at), optional key, seconds and flow.  Only
    counts and node names are written; counts of fewer than --min-calls calls are
    left out.
    """
    counts = aggregate(list(logs), min_calls)
    write_counts(counts, output)
    click.echo(
        f"ivraudit: counted {counts.calls} calls ({counts.steps} steps): "
        f"{len(counts.nodes)} nodes and {len(counts.edges)} edges of at least "
        f"{min_calls} calls written to {output}",
        err=True,
    )
