"""The command line: click commands that call the public API and print.

Exit codes: 0 clean at the fail level, 1 findings at or above it, 2 bad input
or usage.  Errors are one line each on stderr; never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from . import rules as rule_registry
from ._version import __version__
from .config import Config, load_config
from .errors import ConfigError, IvrauditError, MenuError, UsageError
from .loaders import FORMATS, load_all, menu_files
from .metrics import metrics as measure
from .metrics import render_text as render_metrics
from .model import menu_json_schema
from .reporters import REPORTERS, RenderOptions, render
from .runner import check as check_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"ivraudit: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ivraudit's own errors into one line on stderr and exit 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MenuError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_ERROR)
        except (ConfigError, UsageError, IvrauditError) as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, without a traceback
            _fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(please report it with the file that caused it)"
            )

    return run


def write_output(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to a file (never a partial file)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    folder = os.path.dirname(os.path.abspath(output))
    handle, temporary = tempfile.mkstemp(prefix=".ivraudit-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _config(
    config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None
) -> Config:
    config = load_config(config_path)
    changes: dict[str, Any] = {}
    if select:
        changes["select"] = _split(select)
    if ignore:
        changes["ignore"] = [*config.ignore, *_split(ignore)]
    if fail_on is not None:
        changes["fail_on"] = None if fail_on == "never" else fail_on
    if changes:
        config = config.merged(**changes)
    rule_registry.check_selectors([*config.select, *config.ignore])
    return config


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="ivraudit")
def main() -> None:
    """Audit IVR phone menus for deep routes, repeated identity prompts and dead ends."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
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
@click.option("--select", multiple=True, help="Rules to run (ids, prefixes or names; commas).")
@click.option("--ignore", multiple=True, help="Rules not to run (ids, prefixes or names).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (default: nearest ivraudit.toml or pyproject.toml).",
)
@click.option(
    "--from",
    "input_format",
    type=click.Choice(sorted(FORMATS)),
    help="Read every file as this input format instead of detecting it.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity that exits 1 (default: warning).",
)
@click.option("--no-witness", is_flag=True, help="Do not print witness routes.")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes.")
@_guarded
def check(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: str | None,
    input_format: str | None,
    fail_on: str | None,
    no_witness: bool,
    max_bytes: int | None,
) -> None:
    """Audit menu files, or every menu file under directories."""
    config = _config(config_path, select, ignore, fail_on)
    if max_bytes is not None:
        config = config.merged(max_bytes=max_bytes)
    result = check_paths(list(paths), config, format=input_format)
    report = result.report
    for error in report.errors:
        click.echo(str(error), err=True)
    if result.skipped:
        click.echo(
            f"ivraudit: skipped {len(result.skipped)} file(s) that are not menus: "
            + ", ".join(result.skipped[:5])
            + (" ..." if len(result.skipped) > 5 else ""),
            err=True,
        )
    write_output(render(report, output_format, RenderOptions(witness=not no_witness)), output)
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.fails(config.fail_on) else EXIT_CLEAN)


@main.command("metrics")
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
@_guarded
def metrics_command(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    config_path: str | None,
    input_format: str | None,
    words_per_minute: float | None,
    seconds_per_input: float | None,
) -> None:
    """Measure routes: presses, inputs and seconds to every outcome, depth, time to a person."""
    config = load_config(config_path)
    changes = {
        key: value
        for key, value in (
            ("words_per_minute", words_per_minute),
            ("seconds_per_input", seconds_per_input),
        )
        if value is not None
    }
    if changes:
        config = config.merged(**changes)
    measured = []
    failed = False
    for path in menu_files(list(paths)):
        try:
            menus = load_all(path, input_format, max_bytes=config.max_bytes)
        except MenuError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        measured.extend(measure(menu, config.settings) for menu in menus)
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


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@_guarded
def schema(output: str | None) -> None:
    """Print the JSON Schema of the native menu format."""
    write_output(json.dumps(menu_json_schema(), indent=2, sort_keys=True) + "\n", output)


@main.command("rules")
@click.argument("rule_id", required=False)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@_guarded
def rules_command(rule_id: str | None, output_format: str) -> None:
    """List every rule, or print one rule's documentation."""
    if rule_id:
        found = rule_registry.get(rule_id)
        if output_format == "json":
            click.echo(json.dumps(_rule_dict(found), indent=2))
        else:
            click.echo(found.page(), nl=False)
        return
    every = rule_registry.all_rules()
    if output_format == "json":
        click.echo(json.dumps([_rule_dict(r) for r in every], indent=2))
        return
    width = max(len(r.name) for r in every)
    for current in every:
        click.echo(
            f"{current.id}  {current.name:<{width}}  {current.severity.value:<7}  {current.summary}"
        )


def _rule_dict(current: rule_registry.Rule) -> dict[str, Any]:
    return {
        "id": current.id,
        "name": current.name,
        "severity": current.severity.value,
        "family": current.family,
        "summary": current.summary,
        "settings": list(current.uses),
        "doc": current.doc,
    }


if __name__ == "__main__":  # pragma: no cover
    main()
