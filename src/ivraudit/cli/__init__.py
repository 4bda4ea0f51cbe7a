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
from dataclasses import dataclass, fields
from functools import wraps
from typing import Any

import click

from ivraudit import rules as rule_registry
from ivraudit._version import __version__
from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.metrics import render_text as render_metrics
from ivraudit.config import Config
from ivraudit.formats import FORMATS, load_all, loads_all, menu_files
from ivraudit.formats.native import export
from ivraudit.gate.baseline import Baseline, dump_baseline
from ivraudit.gate.diff import diff, file_at_ref, files_at_ref
from ivraudit.model.errors import ConfigError, IvrauditError, MenuError, NotAMenuError, UsageError
from ivraudit.model.findings import Report
from ivraudit.model.menu import Menu, menu_json_schema
from ivraudit.reports import REPORTERS, RenderOptions, render
from ivraudit.reports.diagrams.draw import FORMATS as DIAGRAM_FORMATS
from ivraudit.reports.diagrams.draw import diagram, format_from_suffix, mermaid
from ivraudit.reports.diagrams.draw import render as render_diagram
from ivraudit.reports.diffs import DIFF_REPORTERS
from ivraudit.rules.config import load_config
from ivraudit.rules.engine import audit
from ivraudit.runner import CheckResult
from ivraudit.runner import check as check_paths

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
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {output}: the directory {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".ivraudit-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, _mode_for(output))
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


@dataclass(frozen=True)
class AuditArgs:
    """The options every auditing command shares (see :func:`_audit_options`)."""

    paths: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    config_path: str | None
    input_format: str | None
    max_bytes: int | None
    skip_non_menus: bool
    jobs: int | None


_AUDIT_OPTIONS = [
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
]


def _audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared auditing options; the command receives them as ``audit_args``."""

    @wraps(command)
    def with_args(**kwargs: Any) -> Any:
        names = [field.name for field in fields(AuditArgs)]
        audit_args = AuditArgs(**{name: kwargs.pop(name) for name in names})
        return command(audit_args=audit_args, **kwargs)

    for decorator in reversed(_AUDIT_OPTIONS):
        with_args = decorator(with_args)
    return with_args


def _progress(done: int, total: int, path: str) -> None:
    """Progress on a terminal's stderr: one line, rewritten in place."""
    if total > 1:
        shown = path if len(path) <= 60 else "..." + path[-57:]
        click.echo(f"\r\033[K[{done}/{total}] {shown}", err=True, nl=False)


def _run_check(
    args: AuditArgs,
    fail_on: str | None = None,
    with_metrics: bool = False,
    draw: str | None = None,
) -> tuple[Config, Report]:
    config = _config(args.config_path, args.select, args.ignore, fail_on)
    if args.max_bytes is not None:
        config = config.merged(max_bytes=args.max_bytes)
    result = check_paths(
        list(args.paths),
        config,
        format=args.input_format,
        with_metrics=with_metrics,
        skip_non_menus=args.skip_non_menus,
        jobs=args.jobs or os.cpu_count() or 1,
        progress=_progress if sys.stderr.isatty() else None,
        draw=draw,
    )
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    _tell(result)
    return config, result.report


def _tell(result: CheckResult) -> None:
    """Files that could not be read, and those skipped as not menus, on stderr."""
    for error in result.report.errors:
        click.echo(str(error), err=True)
    if result.skipped:
        shown = ", ".join(result.skipped[:5]) + (" ..." if len(result.skipped) > 5 else "")
        click.echo(
            f"ivraudit: skipped {len(result.skipped)} file(s) that are not menus: {shown}",
            err=True,
        )


@main.command()
@_audit_options
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
    "--diagram/--no-diagram",
    "with_diagram",
    default=None,
    help="Draw each menu in the report: Mermaid in markdown (off by default), SVG in html (on).",
)
@_guarded
def check(
    audit_args: AuditArgs,
    output_format: str,
    output: str | None,
    fail_on: str | None,
    baseline_path: str | None,
    no_witness: bool,
    with_diagram: bool | None,
) -> None:
    """Audit menu files, or every menu file under directories."""
    baseline = Baseline.load(baseline_path) if baseline_path else None
    config, report = _run_check(
        audit_args,
        fail_on,
        with_metrics=output_format == "html",
        draw=_drawing_kind(output_format, with_diagram),
    )
    if baseline is not None:
        baseline.apply(report)
        click.echo(
            f"ivraudit: baseline absorbed {report.absorbed} finding(s); "
            f"{len(report.fixed)} baseline entr{'y is' if len(report.fixed) == 1 else 'ies are'} "
            "now fixed",
            err=True,
        )
    options = RenderOptions(witness=not no_witness, fail_on=config.fail_on)
    write_output(render(report, output_format, options), output)
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.fails(config.fail_on) else EXIT_CLEAN)


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


@main.command("baseline")
@_audit_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="The baseline file to write (atomically).",
)
@_guarded
def baseline_command(audit_args: AuditArgs, output: str) -> None:
    """Record today's findings, so that 'check --baseline' fails only on new ones."""
    _, report = _run_check(audit_args)
    if report.errors:
        _fail("not writing a baseline: some files could not be read")
    write_output(dump_baseline(report), output)
    click.echo(
        f"ivraudit: baseline of {len(report.findings)} finding(s) in "
        f"{len(report.files)} file(s) written to {output}",
        err=True,
    )


@main.command("diff")
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
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
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
@click.option("--from", "input_format", type=click.Choice(sorted(FORMATS)), help="Input format.")
@_guarded
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
    config = _config(config_path, select, ignore, fail_on)
    limit = config.max_bytes
    if ref is None:
        if len(paths) != 2:
            raise click.UsageError("give OLD and NEW files, or --git REF and the files to compare")
        old_menus = load_all(paths[0], input_format, max_bytes=limit)
        pairs = [(old_menus, load_all(paths[1], input_format, max_bytes=limit), None)]
    else:
        pairs = []
        named = {path for path in paths if not os.path.isdir(path)}
        # Menus deleted since REF are in the ref's tree only: a removal is a change too.
        candidates = sorted(set(menu_files(list(paths))) | set(files_at_ref(paths, ref)))
        for path in candidates:
            text = file_at_ref(path, ref)
            try:
                old = [] if text is None else loads_all(text, input_format, name=path)
                new = load_all(path, input_format, max_bytes=limit) if os.path.exists(path) else []
            except NotAMenuError:
                if path in named:
                    raise
                continue  # a data file in a directory that is not a menu
            pairs.append((old, new, f"{path}@{ref}"))
    diffs = []
    for old_menus, new_menus, old_label in pairs:
        for old, new in _pair(old_menus, new_menus):
            result = diff(old, new, config, seconds_tolerance=seconds_tolerance)
            if old_label and old is not None:
                result.old = old_label + (f" ({old.id})" if len(old_menus) > 1 else "")
            diffs.append(result)
    write_output(DIFF_REPORTERS[output_format](diffs), output)
    sys.exit(EXIT_FINDINGS if any(item.worse for item in diffs) else EXIT_CLEAN)


def _pair(old: list[Menu], new: list[Menu]) -> list[tuple[Menu | None, Menu | None]]:
    """Match flows of two versions by id (a single flow each: by position)."""
    if len(old) <= 1 and len(new) <= 1:
        return [(old[0] if old else None, new[0] if new else None)]
    old_by_id = {menu.id: menu for menu in old}
    new_by_id = {menu.id: menu for menu in new}
    ids = sorted(set(old_by_id) | set(new_by_id), key=lambda item: str(item))
    return [(old_by_id.get(key), new_by_id.get(key)) for key in ids]


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
@click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes.")
@_guarded
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
    _tell(result)
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


@main.command("diagram")
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
@click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--from", "input_format", type=click.Choice(sorted(FORMATS)), help="Input format.")
@_guarded
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
    max_bytes: int | None,
    config_path: str | None,
    input_format: str | None,
) -> None:
    """Draw a menu (Graphviz DOT/SVG/PNG/PDF or Mermaid) with its findings marked."""
    config = load_config(config_path)
    if max_bytes is not None:
        config = config.merged(max_bytes=max_bytes)
    chosen = output_format or (format_from_suffix(output) if output else None) or "dot"
    if output and output_format is None and format_from_suffix(output) is None:
        raise click.UsageError(
            f"cannot tell the format from '{output}': use .dot, .svg, .png, .pdf or .mmd, "
            "or --format"
        )
    menu = _one_flow(load_all(path, input_format, max_bytes=config.max_bytes), flow, path)
    context = AuditContext(menu, config)
    report = None if no_findings else audit(menu, config, context=context)
    options = {"route": route, "focus": focus, "radius": radius, "max_presses": max_presses}
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


def _one_flow(menus: list[Menu], flow: str | None, path: str) -> Menu:
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


@main.command("import")
@click.argument("path", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="The native menu file to write (atomically), or a directory for a file of many "
    "flows; stdout by default.",
)
@click.option("--flow", help="Which flow of a file that holds several (its id).")
@click.option("--from", "input_format", type=click.Choice(sorted(FORMATS)), help="Input format.")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Largest file to read, in bytes.")
@_guarded
def import_command(
    path: str,
    output: str | None,
    flow: str | None,
    input_format: str | None,
    max_bytes: int | None,
) -> None:
    """Convert a platform menu (Twilio, Connect, Asterisk, FreeSWITCH, VXML) to ivraudit YAML.

    A flow that uses subflows (Gosub routines, VoiceXML subdialogs) is written as
    one file per subflow beside the main one; a file of many flows, into a
    directory given with -o, as one file per flow.
    """
    menus = load_all(path, input_format, max_bytes=max_bytes or load_config().max_bytes)
    into_folder = bool(output) and (os.path.isdir(output) or output.endswith(("/", os.sep)))
    if into_folder and not os.path.isdir(output or ""):
        raise UsageError(f"cannot write into {output}: the directory does not exist")
    chosen = menus if into_folder and flow is None else [_one_flow(menus, flow, path)]
    folder = output if into_folder else (os.path.dirname(output) if output else "")
    for menu in chosen:
        if into_folder:
            stem = _file_name(menu.id or os.path.splitext(os.path.basename(path))[0])
        elif output:
            stem = os.path.splitext(os.path.basename(output))[0]
        else:
            stem = "menu"
        files = export(menu, stem)
        if not output:
            if len(files) > 1:
                raise click.UsageError("this flow has subflows: write it to a file with -o")
            click.echo(next(iter(files.values())), nl=False)
            continue
        targets = {os.path.join(folder or "", name): text for name, text in files.items()}
        for target in targets:
            if os.path.exists(target) and os.path.samefile(target, path):
                raise UsageError(f"{target} is the file being imported: choose another output")
        for target, text in targets.items():
            write_output(text, target)
        click.echo(
            f"ivraudit: wrote {os.path.join(folder or '', stem + '.yaml')} ({len(menu.nodes)} "
            "nodes" + (f", {len(files) - 1} subflow files" if len(files) > 1 else "") + ")",
            err=True,
        )


def _file_name(name: str) -> str:
    """A safe file name for a flow id."""
    cleaned = "".join(char if char.isalnum() or char in "-_." else "-" for char in name)
    return cleaned.strip(".-") or "flow"


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
