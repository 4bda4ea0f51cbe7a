"""Amazon Connect contact flows: the flow language and the older export.

Two formats are registered: ``connect`` reads the flow language (``Version``,
``StartAction``, ``Actions``) on its own, inside a DescribeContactFlow-style
wrapper (``{"Name", "Type", "Content": "<flow JSON>"}``) and inside
CloudFormation templates (``AWS::Connect::ContactFlow`` and
``AWS::Connect::ContactFlowModule`` resources, one menu per flow);
``connect-legacy`` reads the older export (``modules``, ``branches``,
``start``).  Both are read into the same actions (``connect_actions``) and
converted to native nodes by one converter (``flow``).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ivraudit.formats._build import build_menu
from ivraudit.formats._parse import Document
from ivraudit.formats.connect.actions import flow_kind
from ivraudit.formats.connect.documents import (
    Found,
    flow_resources,
    flows_of,
    is_flow_language,
    wrapper,
)
from ivraudit.formats.connect.flow import FlowConverter, refusal
from ivraudit.formats.connect.instance import Entry, Instance, instance_of
from ivraudit.formats.connect.roles import flow_role, transferred_role
from ivraudit.formats.registry import Format, Kind, NearMiss
from ivraudit.model.errors import NotAMenuError
from ivraudit.model.menu import Menu

# -- detection -------------------------------------------------------------------------------


def detect(value: Any) -> bool:
    """Whether a parsed document is an Amazon Connect flow in the flow language."""
    if (
        isinstance(value, dict)
        and "Actions" in value
        and ("StartAction" in value or "Version" in value)
    ):
        return True  # even when malformed: the user then learns what is wrong with it
    return is_flow_language(value) or wrapper(value) is not None or bool(flow_resources(value))


def detect_legacy(value: Any) -> bool:
    """Whether a parsed document is an older Amazon Connect export (``modules``)."""
    return (
        isinstance(value, dict) and "modules" in value and ("start" in value or "version" in value)
    )


# -- conversion ------------------------------------------------------------------------------


def convert(document: Document) -> Menu | list[Menu]:
    """A flow-language file, wrapper or CloudFormation template to its menus."""
    found = flows_of(document)
    if flow_resources(document.value):
        return _template_menus(document, found)
    return _single(document, found[0])


def convert_legacy(document: Document) -> Menu:
    """An older export (``modules``) to its menu."""
    if not isinstance(document.value, dict) or "modules" not in document.value:
        raise document.error(
            (),
            "not an older Amazon Connect export: it needs 'modules' (a list of blocks) and 'start'",
            "flow-language files (Version, StartAction, Actions) are read with format 'connect'",
        )
    return _single(document, flows_of(document)[0])


def _single(document: Document, found: Found) -> Menu:
    _typed(document, found)
    reason = refusal(found.flow, found.kind)
    if reason is not None:
        where = found.source.locate(())
        raise NotAMenuError(where.file, where.line, where.column, reason)
    return _menu(document, found, _instance(document))


def _template_menus(document: Document, found: list[Found]) -> list[Menu]:
    menus: list[Menu] = []
    skipped: list[str] = []
    instance = _instance(document)
    for item in found:
        reason = refusal(item.flow, item.kind)
        if reason is not None:
            skipped.append(f"{item.logical_id}: {reason}")
            continue
        menus.append(_menu(document, item, instance))
    if not menus:
        raise NotAMenuError(
            document.path,
            1,
            1,
            "CloudFormation template with no caller-facing Amazon Connect flow: "
            + "; ".join(skipped),
        )
    return menus


def _typed(document: Document, found: Found) -> None:
    """Take the flow's type, and its name as the title, from the Terraform resource that
    deploys the file, when the file itself does not say them."""
    if document.estate is None:
        return
    instance = _instance(document)
    resource = instance.role_source(document.path) if instance is not None else None
    if resource is None:
        return
    if found.title is None:
        # The flow's name in Connect is the resource's ``name`` (Terraform
        # aws_connect_contact_flow, argument "name"); a bare flow file has none of its own.
        found.title = resource.attributes.get("name") or resource.name
    if found.kind is not None or found.flow.flow_type is not None:
        return
    label = resource.attributes.get("type")
    if resource.is_module:
        found.kind, label = "module", label or "flow module"
    else:
        found.kind = flow_kind(label)
    if found.kind is not None:
        found.label = label
        found.where = f"Terraform {resource.address}"
    if found.flow.description is None and resource.attributes.get("description"):
        found.flow.description = resource.attributes["description"]


def _instance(document: Document) -> Instance | None:
    return instance_of(document.estate, _build_other)


def _build_other(entry: Entry, instance: Instance) -> Menu:
    """The menu of another flow of the estate, to copy in where a flow transfers to it."""
    menu = _menu(entry.document, entry.found, instance)
    menu._path = entry.document.path
    menu._format = "connect-legacy" if entry.found.flow.legacy else "connect"
    return menu


def _menu(document: Document, found: Found, instance: Instance | None) -> Menu:
    flow = found.flow
    kind = found.kind or flow.flow_type
    resolve = None
    role = flow_role(flow, kind, found.label or flow.type_label, found.where)
    if instance is not None:
        current = (os.path.realpath(document.path), found.logical_id)
        resolve = lambda action: instance.resolve(action, current)  # noqa: E731
        if not instance.has_number(current):
            callers = [_called(key) for key in instance.transferred_from(current)]
            role = transferred_role(role, callers)
    converter = FlowConverter(flow, found.source, kind, resolve)
    nodes, start = converter.convert()
    menu = build_menu(
        document,
        nodes=nodes,
        start=start,
        positions=converter.table.positions,
        id=found.menu_id,
        title=found.title,
        role=role.role,
        role_reason=role.reason,
        notices=found.source.notices(),
    )
    menu._subflows.update(converter.subflows)
    return menu.with_block_steps(frozenset(converter.table.entries.values()))


def _called(key: tuple[str, str | None]) -> str:
    """How a reason names a flow of the estate: its file, and its logical id in a template."""
    name = os.path.basename(key[0])
    return f"{name}#{key[1]}" if key[1] else name


# -- near misses -----------------------------------------------------------------------------

_TERRAFORM = re.compile(r'resource\s+"(aws_connect_contact_flow(?:_module)?)"\s+"([^"]+)"')


def terraform_near_miss(text: str, path: str, documents: dict[Kind, Document]) -> str | None:
    """A Terraform file that declares Connect flows: say what it is and what to check instead."""
    found = _TERRAFORM.findall(text)
    if not found and '"aws_connect_contact_flow' not in text:
        return None
    names = ", ".join(f"{kind}.{name}" for kind, name in found[:5]) or "aws_connect_contact_flow"
    return (
        f"Terraform configuration declaring {names}: ivraudit reads the flow JSON, not HCL "
        "(content = jsonencode(...), a heredoc or file(...)); check the flow's JSON file or "
        "the output of 'aws connect describe-contact-flow' instead"
    )


def list_near_miss(text: str, path: str, documents: dict[Kind, Document]) -> str | None:
    """ListContactFlows output: names flows but holds no flow content."""
    data = documents.get("data")
    value = None if data is None else data.value
    if isinstance(value, dict) and (
        "ContactFlowSummaryList" in value or "ContactFlowModulesSummaryList" in value
    ):
        return (
            "Amazon Connect ListContactFlows output: it names flows but holds no flow content; "
            "export each flow with 'aws connect describe-contact-flow' and check that"
        )
    return None


#: The formats this platform reads, in the order detection tries them.
FORMATS: tuple[Format, ...] = (
    Format(
        name="connect",
        title="Amazon Connect flow (flow language)",
        kind="data",
        suffixes=(".json", ".yaml", ".yml", ".template"),
        detect=detect,
        convert=convert,
    ),
    Format(
        name="connect-legacy",
        title="Amazon Connect flow (older export)",
        kind="data",
        suffixes=(".json",),
        detect=detect_legacy,
        convert=convert_legacy,
    ),
)

#: Explanations for files that look like this platform's but are refused.
NEAR_MISSES: tuple[NearMiss, ...] = (
    terraform_near_miss,
    list_near_miss,
)
