"""Run Subflow widgets: the flow they run, found in the estate by its SID, or left unknown.

Studio docs, *Run Subflow widget*: the widget names the flow to run by its SID
(``flow_sid``) and continues at ``completed`` when the subflow ends (``failed``
when it cannot run).  Studio docs, *Subflows*: a subflow starts at its
Trigger's *Subflow* (``incomingParent``) transition.  A flow definition copied
from Studio does not carry its own SID; a Flow resource of the REST API
(``{"sid": "FW...", "definition": {...}}``) does.  So a subflow resolves when a
file of the estate holds a Flow resource with that SID; otherwise the route
leaves what was read and ends in an ``unknown`` node.
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


def find_flow(document: Document, sid: str) -> Flow | None:
    """The flow whose Flow resource carries ``sid``, in this file or another of the estate."""
    estate = document.estate
    if estate is None:
        return None
    where = _flows_by_sid(estate).get(sid)
    if where is None:
        return None
    path, index = where
    other = _document(estate, path)
    if other is None:
        return None
    resource = other.value if index is None else other.value[index]
    prefix: tuple[Any, ...] = ("definition",) if index is None else (index, "definition")
    name = resource.get("friendly_name") or resource.get("friendlyName")
    try:
        flow = read_flow(
            other, prefix, resource["definition"], name if isinstance(name, str) else None
        )
    except MenuError:
        return None  # no voice entry, or malformed: the widget's route stays unknown
    flow.sid = sid
    return flow


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
                sid = item.get("sid")
                if isinstance(sid, str) and sid.strip():
                    found.setdefault(sid.strip(), (path, index))
    estate.cache[_CACHE_KEY] = found
    return found


def _document(estate: Estate, path: str) -> Document | None:
    """A JSON file of the estate, parsed once per run (never a file outside its root)."""
    key = ("twilio:document", path)
    if key in estate.cache:
        return estate.cache[key]
    document = None
    if estate.contains(path) and os.path.isfile(path):
        try:
            text = decode(read_bytes(path, DEFAULT_MAX_BYTES), path)
            if '"definition"' in text and '"sid"' in text:
                document = parse_json(text, path)
        except MenuError:
            document = None
    estate.cache[key] = document
    return document
