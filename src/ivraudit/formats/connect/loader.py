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

import re
from typing import Any

from ivraudit.formats._build import build_menu
from ivraudit.formats._parse import Document
from ivraudit.formats.connect.actions import Flow, flow_kind, read_flow_language, read_legacy
from ivraudit.formats.connect.embed import (
    Embedded,
    EmbeddedSource,
    OffsetMap,
    Source,
    embedded_string,
    parse_embedded,
)
from ivraudit.formats.connect.flow import FlowConverter, refusal
from ivraudit.formats.registry import Format, Kind, NearMiss
from ivraudit.model.errors import NotAMenuError
from ivraudit.model.menu import Menu

_CFN_TYPES = ("AWS::Connect::ContactFlow", "AWS::Connect::ContactFlowModule")
_WRAPPER_KEYS = ("Name", "Type", "Arn", "Id", "ContactFlowArn", "Description", "State")
_PLACEHOLDER = re.compile(r'("(?:[^"\\]|\\.)*")|\$\{([^{}"\s]*)\}', re.DOTALL)


# -- detection -------------------------------------------------------------------------------


def _is_flow_language(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("Actions"), list)
        and any(key in value for key in ("StartAction", "Version", "Metadata"))
    )


def _is_legacy(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("modules"), list)
        and any(key in value for key in ("start", "version", "metadata"))
    )


def _wrapper(value: Any) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    """A DescribeContactFlow-style object holding the flow in ``Content``, and its path."""
    if not isinstance(value, dict):
        return None
    for outer in ("ContactFlow", "ContactFlowModule"):
        inner = value.get(outer)
        if isinstance(inner, dict) and "Content" in inner:
            return inner, (outer,)
    content = value.get("Content")
    if content is None or not any(key in value for key in _WRAPPER_KEYS):
        return None
    if isinstance(content, str) and ("Actions" in content or "modules" in content):
        return value, ()
    if _is_flow_language(content) or _is_legacy(content):
        return value, ()
    return None


def _flow_resources(value: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(value, dict) or not isinstance(value.get("Resources"), dict):
        return []
    return [
        (str(name), resource)
        for name, resource in value["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") in _CFN_TYPES
    ]


def detect(value: Any) -> bool:
    """Whether a parsed document is an Amazon Connect flow in the flow language."""
    if (
        isinstance(value, dict)
        and "Actions" in value
        and ("StartAction" in value or "Version" in value)
    ):
        return True  # even when malformed: the user then learns what is wrong with it
    return _is_flow_language(value) or _wrapper(value) is not None or bool(_flow_resources(value))


def detect_legacy(value: Any) -> bool:
    """Whether a parsed document is an older Amazon Connect export (``modules``)."""
    return (
        isinstance(value, dict) and "modules" in value and ("start" in value or "version" in value)
    )


# -- conversion ------------------------------------------------------------------------------


def convert(document: Document) -> Menu | list[Menu]:
    """A flow-language file, wrapper or CloudFormation template to its menus."""
    value = document.value
    if _flow_resources(value):
        return _convert_template(document)
    wrapped = _wrapper(value)
    if wrapped is not None and not _is_flow_language(value):
        return _convert_wrapper(document, *wrapped)
    if not isinstance(value, dict):
        raise document.error((), "an Amazon Connect flow must be a JSON object")
    source = Source(document)
    return _single(document, source, value, kind=None, name=None)


def convert_legacy(document: Document) -> Menu:
    """An older export (``modules``) to its menu."""
    if not isinstance(document.value, dict) or "modules" not in document.value:
        raise document.error(
            (),
            "not an older Amazon Connect export: it needs 'modules' (a list of blocks) and 'start'",
            "flow-language files (Version, StartAction, Actions) are read with format 'connect'",
        )
    return _single(document, Source(document), document.value, kind=None, name=None)


def _read(value: dict[str, Any], source: Source) -> Flow:
    if "Actions" not in value and "modules" in value:
        return read_legacy(value, source)
    return read_flow_language(value, source)


def _single(
    document: Document, source: Source, value: dict[str, Any], kind: str | None, name: str | None
) -> Menu:
    flow = _read(value, source)
    flow.name = name or flow.name
    reason = refusal(flow, kind)
    if reason is not None:
        where = source.locate(())
        raise NotAMenuError(where.file, where.line, where.column, reason)
    return _menu(document, source, flow, kind, menu_id=flow.name, title=flow.name)


def _menu(
    document: Document,
    source: Source,
    flow: Flow,
    kind: str | None,
    menu_id: str | None,
    title: str | None,
) -> Menu:
    converter = FlowConverter(flow, source, kind)
    nodes, start = converter.convert()
    return build_menu(
        document,
        nodes=nodes,
        start=start,
        positions=converter.table.positions,
        id=menu_id,
        title=title,
    )


def _convert_wrapper(document: Document, wrapper: dict[str, Any], prefix: tuple[str, ...]) -> Menu:
    name = wrapper.get("Name") if isinstance(wrapper.get("Name"), str) else None
    kind = flow_kind(wrapper.get("Type"))
    content = wrapper.get("Content")
    path = (*prefix, "Content")
    if isinstance(content, dict):
        source = Source(document, path)
        return _single(document, source, content, kind, name)
    if not isinstance(content, str):
        raise document.error(path, "'Content' must hold the flow JSON, as a string or an object")
    embedded = embedded_string(document, path, content)
    source = parse_embedded(document, embedded, "the Content string")
    value = source.document.value
    if not (_is_flow_language(value) or _is_legacy(value)):
        raise source.error((), "the Content string does not hold an Amazon Connect flow")
    return _single(document, source, value, kind, name)


def _convert_template(document: Document) -> list[Menu]:
    menus: list[Menu] = []
    skipped: list[str] = []
    for logical_id, resource in _flow_resources(document.value):
        base = ("Resources", logical_id)
        properties = resource.get("Properties")
        if not isinstance(properties, dict) or "Content" not in properties:
            raise document.error(
                base,
                f"{resource['Type']} '{logical_id}' has no Properties.Content",
                "give the flow JSON in Content",
            )
        source = _template_source(document, (*base, "Properties", "Content"), logical_id)
        value = source.document.value
        if not (_is_flow_language(value) or _is_legacy(value)):
            raise source.error(
                (), f"the Content of '{logical_id}' does not hold an Amazon Connect flow"
            )
        flow = _read(value, source)
        is_module = resource["Type"].endswith("Module")
        kind = "module" if is_module else flow_kind(properties.get("Type"))
        reason = refusal(flow, kind)
        if reason is not None:
            skipped.append(f"{logical_id}: {reason}")
            continue
        name = properties.get("Name")
        title = name if isinstance(name, str) and name.strip() else None
        if title is None and isinstance(properties.get("Description"), str):
            title = properties["Description"]
        menus.append(_menu(document, source, flow, kind, menu_id=logical_id, title=title))
    if not menus:
        raise NotAMenuError(
            document.path,
            1,
            1,
            "CloudFormation template with no caller-facing Amazon Connect flow: "
            + "; ".join(skipped),
        )
    return menus


def _template_source(document: Document, path: tuple[Any, ...], logical_id: str) -> EmbeddedSource:
    """The flow of one template resource: Content as a string, !Sub string or Fn::Sub."""
    content = _get(document.value, path)
    if isinstance(content, dict) and len(content) == 1 and "Fn::Sub" in content:
        path = (*path, "Fn::Sub")
        content = content["Fn::Sub"]
    if (
        isinstance(content, list)
        and len(content) == 2
        and isinstance(content[0], str)
        and isinstance(content[1], dict)
    ):
        # !Sub [template, {variables}]: the variables fill ${...} placeholders we keep as written
        path = (*path, 0)
        content = content[0]
    if not isinstance(content, str):
        raise document.error(
            path,
            f"the Content of '{logical_id}' is not a string",
            "ivraudit reads Content given as a JSON string, a !Sub string or Fn::Sub",
        )
    embedded = embedded_string(document, path, content)
    if "${" in content:
        _quote_placeholders(embedded)
    return parse_embedded(document, embedded, f"the Content of '{logical_id}'")


def _quote_placeholders(embedded: Embedded) -> None:
    """Quote !Sub placeholders written outside JSON strings (``"LoopCount": ${Count}``).

    CloudFormation fills them in before Connect reads the JSON; quoted, the JSON
    parses and the placeholder stays visible as text.  Offsets follow the change.
    """
    text = embedded.text
    offsets = embedded.offsets
    parts: list[str] = []
    moved = OffsetMap()
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.group(1) is not None:
            continue
        start, end = match.span()
        parts.append(text[last:start])
        parts.append('"' + match.group() + '"')
        if offsets is not None:
            moved.copy(offsets, last, start)
            moved.add(offsets.raw(start))
            moved.copy(offsets, start, end)
            moved.add(offsets.raw(end - 1))
        last = end
    if not parts:
        return
    parts.append(text[last:])
    embedded.text = "".join(parts)
    if offsets is not None:
        moved.copy(offsets, last, len(text))
        embedded.offsets = moved


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


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
