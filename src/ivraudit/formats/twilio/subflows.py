"""Run Subflow widgets: the flow they run, found in the estate by its SID, or left unknown.

Studio docs, *Run Subflow widget*: the widget names the flow to run by its SID
(``flow_sid``) and continues at ``completed`` when the subflow ends (``failed``
when it cannot run).  Studio docs, *Subflows*: a subflow starts at its
Trigger's *Subflow* (``incomingParent``) transition.  A flow definition copied
from Studio does not carry its own SID; a Flow resource of the REST API
(``{"sid": "FW...", "definition": {...}}``) does.  So a subflow resolves when
config ``twilio_flows`` maps its SID to a file of the estate (a definition or a
Flow resource), or when a file of the estate holds a Flow resource with that
SID; otherwise the route leaves what was read and ends in an ``unknown`` node.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ivraudit.formats._parse import DEFAULT_MAX_BYTES, Document, decode, parse_json, read_bytes
from ivraudit.formats.twilio.flow import Flow, is_definition, read_flow
from ivraudit.model.errors import MenuError

if TYPE_CHECKING:
    from ivraudit.formats.estate import Estate

#: Subflows that run subflows: deeper than this, the next one stays unknown.
MAX_DEPTH = 8
_CACHE_KEY = "twilio:flows-by-sid"
#: The kind of the estate's references that config ``twilio_flows`` maps (SID -> file).
REFERENCE = "twilio-flow"


def find_flow(document: Document, sid: str) -> Flow | None:
    """The flow ``sid`` names: the file config ``twilio_flows`` maps it to, else the
    Flow resource that carries it, in this file or another of the estate."""
    estate = document.estate
    if estate is None:
        return None
    mapped = estate.references.get((REFERENCE, sid))
    where = _in_mapped(estate, mapped, sid) if mapped else _flows_by_sid(estate).get(sid)
    if where is None:
        return None
    path, index = where
    other = _document(estate, path, mapped=bool(mapped))
    if other is None:
        return None
    value = other.value if index is None else other.value[index]
    if is_definition(value):  # a definition as Studio exports it: no SID, no name
        prefix: tuple[Any, ...] = ()
        definition, name = value, None
    else:
        prefix = ("definition",) if index is None else (index, "definition")
        definition, name = value["definition"], value.get("friendly_name")
        name = name or value.get("friendlyName")
    try:
        flow = read_flow(other, prefix, definition, name if isinstance(name, str) else None)
    except MenuError:
        return None  # no voice entry, or malformed: the widget's route stays unknown
    flow.sid = sid
    return flow


def _in_mapped(estate: Estate, path: str, sid: str) -> tuple[str, int | None] | None:
    """Where in the file config maps ``sid`` to its flow is: the whole file (a definition
    or a Flow resource), or the item of a list of Flow resources that carries ``sid``
    (the only item, when none does)."""
    document = _document(estate, path, mapped=True)
    if document is None:
        return None
    value = document.value
    if not isinstance(value, list):
        return (path, None) if _holds_flow(value) else None
    items = [index for index, item in enumerate(value) if _holds_flow(item)]
    carrying = [index for index in items if _sid(value[index]) == sid]
    if carrying:
        return path, carrying[0]
    return (path, items[0]) if len(items) == 1 else None


def _holds_flow(value: Any) -> bool:
    """Whether ``value`` is a flow definition or a Flow resource holding one."""
    return is_definition(value) or (
        isinstance(value, dict) and is_definition(value.get("definition"))
    )


def _sid(item: Any) -> str | None:
    sid = item.get("sid") if isinstance(item, dict) else None
    return sid.strip() if isinstance(sid, str) and sid.strip() else None


def _flows_by_sid(estate: Estate) -> dict[str, tuple[str, int | None]]:
    """``{sid: (file, index in a list or None)}`` over the JSON files of the estate."""
    found = estate.cache.get(_CACHE_KEY)
    if found is not None:
        return found
    found = {}
    for path in sorted(estate.with_suffix((".json",))):
        document = _document(estate, path)
        if document is None:
            continue
        value = document.value
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if isinstance(item, dict) and is_definition(item.get("definition")):
                sid = _sid(item)
                if sid:
                    found.setdefault(sid, (path, index))
    estate.cache[_CACHE_KEY] = found
    return found


def _document(estate: Estate, path: str, *, mapped: bool = False) -> Document | None:
    """A JSON file of the estate, parsed once per run (never a file outside its root);
    unless config maps a flow to it (``mapped``), only a file that may hold Flow
    resources with SIDs is parsed."""
    key = ("twilio:document", path, mapped)
    if key in estate.cache:
        return estate.cache[key]
    document = None
    if estate.contains(path) and os.path.isfile(path):
        try:
            text = decode(read_bytes(path, DEFAULT_MAX_BYTES), path)
            if mapped or ('"definition"' in text and '"sid"' in text):
                document = parse_json(text, path)
        except MenuError:
            document = None
    estate.cache[key] = document
    return document
