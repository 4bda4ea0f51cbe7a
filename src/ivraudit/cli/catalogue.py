"""``ivraudit rules`` and ``ivraudit schema``: the rule catalogue and the format's schema."""

from __future__ import annotations

import json
from typing import Any

import click

from ivraudit import rules as rule_registry
from ivraudit.cli.common import (
    OUTPUT_OPTION,
    TEXT_OR_JSON_OPTION,
    guarded,
    write_output,
)
from ivraudit.model.menu import menu_json_schema


@click.command()
@OUTPUT_OPTION
@guarded
def schema(output: str | None) -> None:
    """Print the JSON Schema of the native menu format."""
    write_output(json.dumps(menu_json_schema(), indent=2, sort_keys=True) + "\n", output)


@click.command("rules")
@click.argument("rule_id", required=False)
@TEXT_OR_JSON_OPTION
@guarded
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
