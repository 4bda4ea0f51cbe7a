"""The command line: thin click commands over the public API, one module per command group.

Exit codes: 0 clean at the fail level, 1 findings at or above it, 2 bad input
or usage.  Errors are one line each on stderr; never a traceback.
"""

from __future__ import annotations

import importlib

import click

from ivraudit._version import __version__

#: Each command, in the order ``--help`` lists them, and where it is defined.  A
#: command's module (and the pipeline behind it) is imported only when that
#: command runs, so ``ivraudit --version`` and a small ``check`` start quickly.
_COMMANDS = {
    "check": ("ivraudit.cli.check", "check"),
    "baseline": ("ivraudit.cli.check", "baseline_command"),
    "diff": ("ivraudit.cli.diff", "diff_command"),
    "metrics": ("ivraudit.cli.metrics", "metrics_command"),
    "entries": ("ivraudit.cli.entries", "entries_command"),
    "diagram": ("ivraudit.cli.diagram", "diagram_command"),
    "traffic": ("ivraudit.cli.traffic", "traffic_command"),
    "import": ("ivraudit.cli.convert", "import_command"),
    "schema": ("ivraudit.cli.catalogue", "schema"),
    "rules": ("ivraudit.cli.catalogue", "rules_command"),
}


class _LazyGroup(click.Group):
    """A click group that imports a command's module when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = _COMMANDS.get(cmd_name)
        if home is None:
            return None
        module, name = home
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="ivraudit")
def main() -> None:
    """Audit IVR phone menus for deep routes, repeated identity prompts and dead ends."""
