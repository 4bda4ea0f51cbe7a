"""What every command shares: exit codes, error handling, atomic output, config.

Exit codes: 0 clean at the fail level, 1 findings at or above it, 2 bad input
or usage.  Errors are one line each on stderr; never a traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import wraps
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from ivraudit import rules as rule_registry
from ivraudit.config import Config
from ivraudit.formats import FORMATS
from ivraudit.model.errors import ConfigError, IvrauditError, MenuError, UsageError
from ivraudit.model.findings import Report
from ivraudit.model.menu import Menu
from ivraudit.rules.config import load_config
from ivraudit.runner import CheckResult
from ivraudit.runner import check as check_paths

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> None:
    click.echo(f"ivraudit: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ivraudit's own errors into one line on stderr and exit 2."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MenuError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_ERROR)
        except (ConfigError, UsageError, IvrauditError) as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, without a traceback
            fail(
                f"internal error: {type(exc).__name__}: {exc} "
                "(please report it with the file that caused it)"
            )

    return run


def write_report(report: Report, format: str, options: RenderOptions, output: str | None) -> None:
    """Stream a report, as valid UTF-8, to stdout or atomically to a file."""
    from ivraudit.reports import write as write_report_to  # only the commands that report

    if output is None or output == "-":
        sys.stdout.flush()
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (an embedding's StringIO)
            from ivraudit.reports import render

            click.echo(render(report, format, options), nl=False)
            return
        write_report_to(report, format, stream, options)
        stream.flush()
        return
    write_atomically(lambda stream: write_report_to(report, format, stream, options), output)


def write_output(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to a file (never a partial file)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_bytes(text.encode("utf-8"), output)


def _mode_for(output: str) -> int:
    try:
        return os.stat(output).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(data: bytes, output: str) -> None:
    """Write a file atomically: a temporary file beside it, then a rename."""
    write_atomically(lambda stream: stream.write(data), output)


def write_atomically(fill: Callable[[BinaryIO], object], output: str) -> None:
    """Write a file atomically: ``fill`` writes a temporary file beside it, then a rename
    (a failure leaves the file as it was)."""
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {output}: the directory {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".ivraudit-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            fill(stream)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, _mode_for(output))
        os.replace(temporary, output)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def config_for(
    config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None
) -> Config:
    config = load_config(config_path)
    changes: dict[str, Any] = {}
    if select:
        changes["select"] = split_values(select)
    if ignore:
        changes["ignore"] = [*config.ignore, *split_values(ignore)]
    if fail_on is not None:
        changes["fail_on"] = None if fail_on == "never" else fail_on
    if changes:
        config = config.merged(**changes)
    rule_registry.check_selectors([*config.select, *config.ignore])
    return config


def split_values(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class AuditArgs:
    """The options every auditing command shares (see :func:`audit_options`)."""

    paths: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    config_path: str | None
    input_format: str | None
    max_bytes: int | None
    skip_non_menus: bool
    jobs: int | None
    root: str | None


#: Options several commands share, written once.
OUTPUT_OPTION = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file."
)
CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="Config file."
)
FROM_OPTION = click.option(
    "--from", "input_format", type=click.Choice(sorted(FORMATS)), help="Input format."
)
MAX_BYTES_OPTION = click.option(
    "--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes."
)
TEXT_OR_JSON_OPTION = click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)

AUDIT_OPTIONS = [
    click.argument("paths", nargs=-1, required=True, type=click.Path()),
    click.option("--select", multiple=True, help="Rules to run (ids, prefixes or names; commas)."),
    click.option("--ignore", multiple=True, help="Rules not to run (ids, prefixes, names)."),
    click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Config file (default: nearest ivraudit.toml or pyproject.toml).",
    ),
    click.option(
        "--from",
        "input_format",
        type=click.Choice(sorted(FORMATS)),
        help="Read every file as this input format instead of detecting it.",
    ),
    click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes."),
    click.option(
        "--skip-non-menus",
        is_flag=True,
        help="Skip named files no format recognises (for pre-commit), as in directories.",
    ),
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        help="Worker processes for many files (default: the number of CPUs).",
    ),
    click.option(
        "--root",
        type=click.Path(file_okay=False),
        help="Directory nothing is read outside of, and within which references between "
        "files resolve (default: the deepest directory holding the paths given).",
    ),
]


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared auditing options; the command receives them as ``audit_args``."""

    @wraps(command)
    def with_args(**kwargs: Any) -> Any:
        names = [field.name for field in fields(AuditArgs)]
        audit_args = AuditArgs(**{name: kwargs.pop(name) for name in names})
        return command(audit_args=audit_args, **kwargs)

    for decorator in reversed(AUDIT_OPTIONS):
        with_args = decorator(with_args)
    return with_args


def progress(done: int, total: int, path: str) -> None:
    """Progress on a terminal's stderr: one line, rewritten in place."""
    if total > 1:
        shown = path if len(path) <= 60 else "..." + path[-57:]
        click.echo(f"\r\033[K[{done}/{total}] {shown}", err=True, nl=False)


def run_check(
    args: AuditArgs,
    fail_on: str | None = None,
    with_metrics: bool = False,
    draw: str | None = None,
    witness: bool = True,
    traffic: dict[str, Any] | None = None,
) -> tuple[Config, Report]:
    """Audit ``args.paths``; ``traffic`` (counts as plain data, from
    :func:`ivraudit.traffic.plain.traffic_data`) is given to the rules that need it."""
    config = config_for(args.config_path, args.select, args.ignore, fail_on)
    if args.max_bytes is not None:
        config = config.merged(max_bytes=args.max_bytes)
    if traffic is not None:
        config = config.merged(traffic=traffic)
    result = check_paths(
        list(args.paths),
        config,
        format=args.input_format,
        with_metrics=with_metrics,
        skip_non_menus=args.skip_non_menus,
        jobs=args.jobs or os.cpu_count() or 1,
        progress=progress if sys.stderr.isatty() else None,
        draw=draw,
        root=args.root,
        witness=witness,
    )
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    tell(result)
    return config, result.report


def tell(result: CheckResult) -> None:
    """Files that could not be read, and those skipped as not menus, on stderr."""
    for error in result.report.errors:
        click.echo(str(error), err=True)
    if result.skipped:
        shown = ", ".join(result.skipped[:5]) + (" ..." if len(result.skipped) > 5 else "")
        click.echo(
            f"ivraudit: skipped {len(result.skipped)} file(s) that are not menus: {shown}",
            err=True,
        )
    if result.parts:
        shown = ", ".join(result.parts[:5]) + (" ..." if len(result.parts) > 5 else "")
        click.echo(
            f"ivraudit: read {len(result.parts)} file(s) as parts of the others (#included "
            f"dialplan files, channel configs; findings in them are reported at their "
            f"lines): {shown}",
            err=True,
        )


def one_flow(menus: list[Menu], flow: str | None, path: str) -> Menu:
    if flow is not None:
        for menu in menus:
            if menu.id == flow:
                return menu
        names = ", ".join(str(menu.id) for menu in menus)
        raise UsageError(f"{path} has no flow '{flow}' (it has: {names})")
    if len(menus) > 1:
        names = ", ".join(str(menu.id) for menu in menus)
        raise UsageError(f"{path} holds {len(menus)} flows ({names}): choose one with --flow")
    return menus[0]
