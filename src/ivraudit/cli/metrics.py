"""``ivraudit metrics``: presses, inputs and seconds per outcome."""

from __future__ import annotations

import json
import sys

import click

from ivraudit.analysis.metrics import render_text as render_metrics
from ivraudit.cli.common import (
    CONFIG_OPTION,
    EXIT_CLEAN,
    EXIT_ERROR,
    FROM_OPTION,
    MAX_BYTES_OPTION,
    OUTPUT_OPTION,
    TEXT_OR_JSON_OPTION,
    guarded,
    tell,
    write_output,
)
from ivraudit.rules.config import load_config
from ivraudit.runner import check as check_paths


@click.command("metrics")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@TEXT_OR_JSON_OPTION
@OUTPUT_OPTION
@CONFIG_OPTION
@FROM_OPTION
@click.option("--words-per-minute", type=click.FloatRange(min=1), help="Speaking rate.")
@click.option("--seconds-per-input", type=click.FloatRange(min=0), help="Time per key press.")
@MAX_BYTES_OPTION
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
