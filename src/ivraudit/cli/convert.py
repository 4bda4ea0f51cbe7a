"""``ivraudit import``: a platform's menu converted to the native format."""

from __future__ import annotations

import os

import click

from ivraudit.cli.common import (
    FROM_OPTION,
    MAX_BYTES_OPTION,
    guarded,
    one_flow,
    write_output,
)
from ivraudit.formats import load_all
from ivraudit.formats.native import export
from ivraudit.model.errors import UsageError
from ivraudit.rules.config import load_config


@click.command("import")
@click.argument("path", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="The native menu file to write (atomically), or a directory for a file of many "
    "flows; stdout by default or with '-'.",
)
@click.option("--flow", help="Which flow of a file that holds several (its id).")
@FROM_OPTION
@MAX_BYTES_OPTION
@guarded
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
    if output == "-":
        output = None  # stdout, as for every other command
    menus = load_all(path, input_format, max_bytes=max_bytes or load_config().max_bytes)
    into_folder = bool(output) and (os.path.isdir(output) or output.endswith(("/", os.sep)))
    if into_folder and not os.path.isdir(output or ""):
        raise UsageError(f"cannot write into {output}: the directory does not exist")
    chosen = menus if into_folder and flow is None else [one_flow(menus, flow, path)]
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
