"""The command line: thin click commands over the public API, one module per command group.

Exit codes: 0 clean at the fail level, 1 findings at or above it, 2 bad input
or usage.  Errors are one line each on stderr; never a traceback.
"""

from __future__ import annotations

import click

from ivraudit._version import __version__
from ivraudit.cli import catalogue, check, convert, diagram, diff, entries, metrics


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="ivraudit")
def main() -> None:
    """Audit IVR phone menus for deep routes, repeated identity prompts and dead ends."""


for _command in (
    check.check,
    check.baseline_command,
    diff.diff_command,
    metrics.metrics_command,
    entries.entries_command,
    diagram.diagram_command,
    convert.import_command,
    catalogue.schema,
    catalogue.rules_command,
):
    main.add_command(_command)
