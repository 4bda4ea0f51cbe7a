"""``ivraudit entries``: which parts callers enter, which they only reach, which are
internal, and why, as the auditing commands see them."""

from __future__ import annotations

import json

import click

from ivraudit.cli.common import (
    CONFIG_OPTION,
    EXIT_CLEAN,
    EXIT_ERROR,
    FROM_OPTION,
    OUTPUT_OPTION,
    TEXT_OR_JSON_OPTION,
    config_for,
    guarded,
    write_output,
)
from ivraudit.runner import parts

_ROLES = ("entry", "reached", "sample", "internal")


@click.command("entries")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@TEXT_OR_JSON_OPTION
@OUTPUT_OPTION
@CONFIG_OPTION
@FROM_OPTION
@click.option(
    "--root", type=click.Path(file_okay=False), help="Directory nothing is read outside of."
)
@guarded
def entries_command(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    config_path: str | None,
    input_format: str | None,
    root: str | None,
) -> None:
    """Show where calls enter: each flow's role (entry, reached, sample, internal) and why."""
    config = config_for(config_path, (), (), None)
    found, errors = parts(list(paths), config, format=input_format, root=root)
    for error in errors:
        click.echo(str(error), err=True)
    if output_format == "json":
        text = json.dumps([part.to_dict() for part in found], indent=2, ensure_ascii=False)
        write_output(text + "\n", output)
    else:
        lines = []
        for part in found:
            name = f"{part.file}#{part.flow}" if part.flow else part.file
            lines.append(f"{part.role:<8} {name}: {part.reason}")
        count = {role: sum(part.role == role for part in found) for role in _ROLES}
        lines.append(
            f"{count['entry']} entries, {count['reached']} reached, {count['sample']} samples, "
            f"{count['internal']} internal."
        )
        write_output("\n".join(lines) + "\n", output)
    raise SystemExit(EXIT_ERROR if errors else EXIT_CLEAN)
