"""``ivraudit diff``: what a change to a menu does to its callers."""

from __future__ import annotations

import sys

import click

from ivraudit.cli.common import (
    CONFIG_OPTION,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    FROM_OPTION,
    OUTPUT_OPTION,
    config_for,
    guarded,
    write_output,
)
from ivraudit.gate.diff import diff_files
from ivraudit.gate.git import diff_at_ref
from ivraudit.reports.diffs import DIFF_REPORTERS


@click.command("diff")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--git",
    "ref",
    metavar="REF",
    help="Compare each given file with its version at this git revision (e.g. origin/main).",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(list(DIFF_REPORTERS)),
    default="text",
    show_default=True,
)
@OUTPUT_OPTION
@CONFIG_OPTION
@click.option("--select", multiple=True, help="Rules to compare (ids, prefixes or names).")
@click.option("--ignore", multiple=True, help="Rules not to compare.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity of a new finding that counts as worse (default: warning).",
)
@click.option(
    "--seconds-tolerance",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds an outcome may get slower before it counts as worse.",
)
@FROM_OPTION
@guarded
def diff_command(
    paths: tuple[str, ...],
    ref: str | None,
    output_format: str,
    output: str | None,
    config_path: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    seconds_tolerance: float,
    input_format: str | None,
) -> None:
    """Compare two versions: 'diff OLD NEW', or 'diff --git REF FILE...'. Exit 1 if worse."""
    config = config_for(config_path, select, ignore, fail_on)
    if ref is None:
        if len(paths) != 2:
            raise click.UsageError("give OLD and NEW files, or --git REF and the files to compare")
        diffs = diff_files(
            paths[0], paths[1], config, format=input_format, seconds_tolerance=seconds_tolerance
        )
    else:
        diffs = diff_at_ref(
            paths, ref, config, format=input_format, seconds_tolerance=seconds_tolerance
        )
    write_output(DIFF_REPORTERS[output_format](diffs), output)
    sys.exit(EXIT_FINDINGS if any(item.worse for item in diffs) else EXIT_CLEAN)
