"""Twilio Studio flows (flow definition JSON): the voice part of a flow as an ivraudit menu.

Reads a flow definition (``description``, ``states``, ``initial_state``,
``flags``) as exported from Studio, the Flow resource of the Studio v2 REST API
(``{"friendly_name", "definition": {...}}``) and a list of those (several flows,
one menu each).  Calls enter at the Trigger's ``incomingCall`` transition.
Widget mapping lives in :mod:`.twilio_widgets`; the flow's shape is checked in
:mod:`.twilio_flow`.
"""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats._parse import Document
from ivraudit.formats.registry import Format, Kind, NearMiss
from ivraudit.formats.twilio.flow import Flow, is_definition, read_flow
from ivraudit.formats.twilio.widgets import build
from ivraudit.model.errors import NotAMenuError
from ivraudit.model.menu import Menu

#: Where a flow definition sits inside a Flow resource of the Studio REST API.
_DEFINITION = "definition"


def detect(value: Any) -> bool:
    """Whether a parsed document is a Studio flow, a Flow resource, or a list of resources."""
    if isinstance(value, dict):
        return is_definition(value) or _is_resource(value)
    if isinstance(value, list) and value:
        return all(_is_resource(item) for item in value)
    return False


def _is_resource(value: Any) -> bool:
    return isinstance(value, dict) and is_definition(value.get(_DEFINITION))


def _resource_name(resource: dict[str, Any]) -> str | None:
    for key in ("friendly_name", "friendlyName", "sid"):
        name = resource.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def resource_sid(resource: dict[str, Any] | None) -> str | None:
    """The SID of a Flow resource (``FW`` + 32 hex digits), when it carries one."""
    sid = resource.get("sid") if isinstance(resource, dict) else None
    return sid.strip() if isinstance(sid, str) and sid.strip() else None


def convert(document: Document) -> Menu | list[Menu]:
    """The flow's voice part as a Menu; a list of Flow resources gives one Menu per voice flow.

    In a list, flows with no voice entry (SMS-only) are left out; when none is
    left, the file is refused as not a phone menu.
    """
    value = document.value
    if isinstance(value, dict):
        if _DEFINITION in value and "states" not in value:
            prefix: tuple[Any, ...] = (_DEFINITION,)
            return build(_read(document, prefix, value[_DEFINITION], _resource_name(value), value))
        return build(_read(document, (), value, None, None))
    if not isinstance(value, list) or not value:
        raise document.error((), _NOT_A_FLOW, _SHAPES)
    menus: list[Menu] = []
    refused: NotAMenuError | None = None
    for index, resource in enumerate(value):
        if not isinstance(resource, dict) or _DEFINITION not in resource:
            raise document.error(
                (index,),
                f"item {index + 1} of the list is not a Studio Flow resource",
                "each item needs a 'definition' holding the flow",
            )
        prefix = (index, _DEFINITION)
        try:
            menus.append(
                build(
                    _read(
                        document, prefix, resource[_DEFINITION], _resource_name(resource), resource
                    )
                )
            )
        except NotAMenuError as error:
            refused = refused or error
    if not menus and refused is not None:
        raise NotAMenuError(
            refused.file,
            refused.line,
            refused.column,
            f"none of the {len(value)} Studio flows in this file takes phone calls "
            f"(first: {refused.message})",
            refused.hint,
        )
    return menus


_NOT_A_FLOW = "not a Twilio Studio flow"
_SHAPES = (
    "expected a flow definition ('states', 'initial_state'), a Flow resource with a "
    "'definition', or a list of Flow resources"
)


def _read(
    document: Document,
    prefix: tuple[Any, ...],
    definition: Any,
    name: str | None,
    resource: dict[str, Any] | None,
) -> Flow:
    if not isinstance(definition, dict):
        raise document.error(prefix, f"{_NOT_A_FLOW}: the flow definition must be an object")
    if "states" not in definition:
        raise document.error(prefix, f"{_NOT_A_FLOW}: it has no 'states'", _SHAPES)
    flow = read_flow(document, prefix, definition, name)
    flow.sid = resource_sid(resource)
    return flow


# -- near misses: a flow inside something else ------------------------------------------------

_STUDIO_MARKERS = re.compile(r"[\"']?initial_state[\"']?\s*:|\"type\"\s*:\s*\"trigger\"")
_STATES = re.compile(r"[\"']?states[\"']?\s*:\s*\[")
_JS_MODULE = re.compile(
    r"\bmodule\.exports\b|\bexports\.[A-Za-z_$][\w$]*\s*=|\bexport\s+(?:default|const|let|var)\b"
)
_JSONENCODE = re.compile(r"\bjsonencode\s*\(")


def _looks_like_studio(text: str) -> bool:
    return bool(_STATES.search(text) and _STUDIO_MARKERS.search(text))


def javascript_module(text: str, path: str, documents: dict[Kind, Document]) -> str | None:
    """A Studio flow wrapped in a JavaScript module (``module.exports = {...}``)."""
    found = _JS_MODULE.search(text)
    if found is None or not _looks_like_studio(text):
        return None
    return (
        f"Twilio Studio flow wrapped in a JavaScript module ('{found.group().strip()}' ...), "
        "not flow JSON: ivraudit reads the bare flow definition; save the object literal "
        "that the module exports as a .json file (JSON.stringify(flow, null, 2) prints it), "
        "or copy the flow's JSON from Studio (Trigger widget, Show Flow JSON)"
    )


def terraform_template(text: str, path: str, documents: dict[Kind, Document]) -> str | None:
    """A Studio flow inside Terraform: a template ``${jsonencode({...})}`` or a .tf file."""
    if _JSONENCODE.search(text) is None or not _looks_like_studio(text):
        return None
    if text.lstrip().startswith("${") or path.lower().endswith(".tftpl"):
        what = "Terraform template (.tftpl) that wraps a Twilio Studio flow in ${jsonencode(...)}"
    else:
        what = "Terraform configuration that builds a Twilio Studio flow with jsonencode(...)"
    return (
        f"{what}, not flow JSON: ivraudit reads the bare flow definition; render it first "
        "(templatefile() in 'terraform console', or the definition of the "
        "twilio_studio_flows_v2 resource in 'terraform show -json'), or copy the deployed "
        "flow's JSON from Studio (Trigger widget, Show Flow JSON)"
    )


#: The formats this platform reads, in the order detection tries them.
FORMATS: tuple[Format, ...] = (
    Format(
        name="twilio",
        title="Twilio Studio flow (JSON)",
        kind="data",
        suffixes=(".json",),
        detect=detect,
        convert=convert,
    ),
)

#: Explanations for files that look like this platform's but are refused.
NEAR_MISSES: tuple[NearMiss, ...] = (
    javascript_module,
    terraform_template,
)
