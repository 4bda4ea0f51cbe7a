"""``ivraudit diff``: what a change to a menu does to its callers."""

from __future__ import annotations

import os
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
from ivraudit.formats import load_all, loads_all, menu_files
from ivraudit.gate.diff import diff, file_at_ref, files_at_ref
from ivraudit.model.errors import NotAMenuError
from ivraudit.model.menu import Menu
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
