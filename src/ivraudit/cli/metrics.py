"""``ivraudit metrics``: presses, inputs and seconds per outcome."""

from __future__ import annotations

import json
import sys

import click

from ivraudit.analysis.metrics import render_text as render_metrics
from ivraudit.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    guarded,
    tell,
    write_output,
)
from ivraudit.formats import FORMATS
from ivraudit.rules.config import load_config
from ivraudit.runner import check as check_paths


@click.command("metrics")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--from", "input_format", type=click.Choice(sorted(FORMATS)), help="Input format.")
@click.option("--words-per-minute", type=click.FloatRange(min=1), help="Speaking rate.")
@click.option("--seconds-per-input", type=click.FloatRange(min=0), help="Time per key press.")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes.")
@guarded
def metrics_command(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    config_path: str | None,
    input_format: str | None,
    words_per_minute: float | None,
    seconds_per_input: float | None,
    max_bytes: int | None,
) -> None:
    """Measure routes: presses, inputs and seconds to every outcome, depth, time to a person."""
    config = load_config(config_path)
    changes = {
        key: value
        for key, value in (
            ("words_per_minute", words_per_minute),
            ("seconds_per_input", seconds_per_input),
            ("max_bytes", max_bytes),
        )
        if value is not None
    }
    if changes:
        config = config.merged(**changes)
    # The same files, skips and errors as 'check', without running the rules.
    result = check_paths(list(paths), config, format=input_format, with_metrics=True, rules=False)
    tell(result)
    measured = result.report.metrics
    failed = bool(result.report.errors)
    if output_format == "json":
        text = (
            json.dumps(
                {"version": 1, "menus": [item.to_dict() for item in measured]},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        text = render_metrics(measured) if measured else ""
    write_output(text, output)
    sys.exit(EXIT_ERROR if failed else EXIT_CLEAN)
