"""Where the flows of a file are: a flow-language file, an older export, a DescribeContactFlow
wrapper (``{"Name", "Type", "Content"}`` or ``{"ContactFlow": {...}}``) or a CloudFormation
template with ``AWS::Connect::ContactFlow``/``ContactFlowModule`` resources (one flow each).

:func:`flows_of` reads a parsed document into :class:`Found` flows: the actions, where they are
written, and what the file says about each flow (its name, type and description).  The loader
turns them into menus; the estate index (``instance``) reads the other files of a run the same
way to resolve transfers between flows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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

_CFN_TYPES = ("AWS::Connect::ContactFlow", "AWS::Connect::ContactFlowModule")
_WRAPPER_KEYS = ("Name", "Type", "Arn", "Id", "ContactFlowArn", "Description", "State")
_PLACEHOLDER = re.compile(r'("(?:[^"\\]|\\.)*")|\$\{([^{}"\s]*)\}', re.DOTALL)


@dataclass
class Found:
    """One flow of a file, with what the file says about it."""

    flow: Flow
    source: Source
    #: the flow type in one spelling (``customerqueue``), ``module`` for a flow module
    kind: str | None
    #: the type as written (``CUSTOMER_QUEUE``) and where, when not in the flow itself
    label: str | None = None
    where: str | None = None
    #: the menu id: a template resource's logical id, else the flow's name
    menu_id: str | None = None
    title: str | None = None
    #: ids and ARNs the file gives the flow (a wrapper's ``Id``/``Arn``)
    ids: tuple[str, ...] = ()
    #: a template resource's logical id
    logical_id: str | None = None


# -- detection -------------------------------------------------------------------------------


def is_flow_language(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("Actions"), list)
        and any(key in value for key in ("StartAction", "Version", "Metadata"))
    )


def is_legacy(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("modules"), list)
        and any(key in value for key in ("start", "version", "metadata"))
    )


def wrapper(value: Any) -> tuple[dict[str, Any], tuple[str, ...]] | None:
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
    if is_flow_language(content) or is_legacy(content):
        return value, ()
    return None


def flow_resources(value: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(value, dict) or not isinstance(value.get("Resources"), dict):
        return []
    return [
        (str(name), resource)
        for name, resource in value["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") in _CFN_TYPES
    ]


# -- reading ---------------------------------------------------------------------------------


def read(value: dict[str, Any], source: Source) -> Flow:
    if "Actions" not in value and "modules" in value:
        return read_legacy(value, source)
    return read_flow_language(value, source)


def flows_of(document: Document) -> list[Found]:
    """Every flow of a parsed file (raises MenuError when one is malformed)."""
    value = document.value
    if flow_resources(value):
        return _template_flows(document)
    wrapped = wrapper(value)
    if wrapped is not None and not is_flow_language(value):
        return [_wrapped_flow(document, *wrapped)]
    if not isinstance(value, dict):
        raise document.error((), "an Amazon Connect flow must be a JSON object")
    source = Source(document)
    flow = read(value, source)
    return [Found(flow, source, None, menu_id=flow.name, title=flow.name)]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _wrapped_flow(document: Document, outer: dict[str, Any], prefix: tuple[str, ...]) -> Found:
    name = _text(outer.get("Name"))
    content = outer.get("Content")
    path = (*prefix, "Content")
    if isinstance(content, dict):
        source = Source(document, path)
        value = content
    elif isinstance(content, str):
        embedded = embedded_string(document, path, content)
        source = parse_embedded(document, embedded, "the Content string")
        value = source.document.value
        if not (is_flow_language(value) or is_legacy(value)):
            raise source.error((), "the Content string does not hold an Amazon Connect flow")
    else:
        raise document.error(path, "'Content' must hold the flow JSON, as a string or an object")
    flow = read(value, source)
    flow.name = name or flow.name
    flow.description = flow.description or _text(outer.get("Description"))
    label = _text(outer.get("Type"))
    kind = flow_kind(label)
    if prefix == ("ContactFlowModule",) and kind is None:
        kind, label = "module", "flow module (DescribeContactFlowModule)"
    ids = tuple(
        text
        for key in ("Id", "Arn", "ContactFlowArn")
        if (text := _text(outer.get(key))) is not None
    )
    return Found(flow, source, kind, label, None, flow.name, flow.name, ids)


def _template_flows(document: Document) -> list[Found]:
    found: list[Found] = []
    for logical_id, resource in flow_resources(document.value):
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
        if not (is_flow_language(value) or is_legacy(value)):
            raise source.error(
                (), f"the Content of '{logical_id}' does not hold an Amazon Connect flow"
            )
        flow = read(value, source)
        if resource["Type"].endswith("Module"):
            kind, label = "module", "AWS::Connect::ContactFlowModule"
        else:
            label = _text(properties.get("Type"))
            kind = flow_kind(label)
        name = _text(properties.get("Name"))
        description = _text(properties.get("Description"))
        flow.description = flow.description or description
        found.append(
            Found(
                flow,
                source,
                kind,
                label,
                None,
                menu_id=logical_id,
                title=name or description,
                logical_id=logical_id,
            )
        )
    return found


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
