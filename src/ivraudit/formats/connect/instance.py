"""The flows of one Connect instance, read together: transfers between flows resolve.

A *Transfer to flow* (``TransferToFlow``) or *Invoke module* (``InvokeFlowModule``) block
names another flow by ARN or id (``ContactFlowId``, ``FlowModuleId``), by a deployment
placeholder (Terraform's ``${var.contact_flows_map["name"]}``, CloudFormation's
``${LogicalId}``), and the designer shows the flow's name beside it.  Every flow of the estate
(the files of the run) is indexed by what names it: its ids and ARNs, its file name, its
CloudFormation logical id, its Terraform resource and ``contact_flows_map`` keys, and its name
(export metadata, a wrapper's ``Name``, Terraform's ``name``).  A reference that names exactly
one of them resolves; any other stays unknown: ``run-time`` when the flow is read from an
attribute (``$.FlowAttributes.queue_flow``), ``not-given`` when the flow is not in the estate.

Transfers that would come back to a flow on the same route (flows that transfer to each other)
and flows too large to copy at every transfer are not expanded (``unsupported``).  Other flows'
menus are built callees first, without recursion.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivraudit.formats._parse import Document, decode, looks_like_json, parse_json, parse_yaml
from ivraudit.formats._parse import read_bytes as _read_bytes
from ivraudit.formats.connect.actions import Action
from ivraudit.formats.connect.blocks import param_text
from ivraudit.formats.connect.documents import (
    Found,
    flow_resources,
    flows_of,
    is_flow_language,
    is_legacy,
    wrapper,
)
from ivraudit.formats.connect.terraform import Resource, Terraform, terraform_of
from ivraudit.formats.estate import Estate
from ivraudit.model.menu import Menu

if TYPE_CHECKING:
    import networkx as nx
else:
    from ivraudit._lazy import networkx as nx

#: Flows (with what they transfer to, copied in) larger than this are not expanded.
MAX_EXPANDED_NODES = 20_000
_FLOW_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_MAX_BYTES = 16 * 1024 * 1024

_MAP_KEY = re.compile(r'\w*flows?\w*_map\s*\[\s*\\?"([^"\\]+)\\?"\s*\]|\w*flows?\w*_map\.([\w\-]+)')
_RESOURCE = re.compile(r"aws_connect_contact_flow(?:_module)?\.([\w\-]+)")
_SUB = re.compile(r"\$\{([A-Za-z][\w]*)(?:\.[\w]+)?\}")
_TEMPLATE = re.compile(r"\{\{\s*\w+\.([\w\-. ]+?)\.(?:arn|id|Arn|Id)\s*\}\}")
_ARN = re.compile(r"(?:contact-flow|flow-module)/([\w\-]+)")

Key = tuple[str, str | None]


@dataclass
class Entry:
    """One flow of the estate and every name it goes by."""

    key: Key
    found: Found
    document: Document
    resource: Resource | None
    keys: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @property
    def shown(self) -> str:
        if self.resource is not None and self.resource.attributes.get("name"):
            return self.resource.attributes["name"]
        return self.found.flow.name or self.found.title or self.key[1] or _stem(self.key[0])


@dataclass
class Resolution:
    """Where a transfer leads: a flow of the estate (``menu``), or why it is unknown."""

    reason: str  # "flow", "run-time", "not-given" or "unsupported"
    target: str
    ref: str | None = None
    menu: Menu | None = None
    why: str = ""


def reference_of(action: Action) -> tuple[str | None, str | None]:
    """What a transfer or module block names: its parameter, and the designer's name for it."""
    name = "FlowModuleId" if action.type == "InvokeFlowModule" else "ContactFlowId"
    reference = param_text(action.params.get(name))
    shown = None
    for meta_key in ("ContactFlow", "FlowModule", "flowModule", "contactFlow"):
        meta = action.meta.get(meta_key)
        if isinstance(meta, dict) and isinstance(meta.get("text"), str) and meta["text"].strip():
            shown = meta["text"].strip()
    return (reference.strip() if reference and reference.strip() else None), shown


class Instance:
    """Every flow of an estate, by what names it; other flows' menus, built once."""

    def __init__(self, estate: Estate, build: Callable[[Entry, Instance], Menu]) -> None:
        self.estate = estate
        self.build = build
        self.terraform: Terraform = terraform_of(estate)
        self.entries: dict[Key, Entry] = {}
        self.menus: dict[Key, Menu] = {}
        for path in estate.files:
            if path.lower().endswith(_FLOW_SUFFIXES) and estate.contains(path):
                self._index(path)
        self.by: dict[str, dict[str, list[Key]]] = {"keys": {}, "ids": {}, "names": {}}
        for key, entry in self.entries.items():
            for kind, table in self.by.items():
                for text in getattr(entry, kind):
                    table.setdefault(text, []).append(key)
        self._plan()

    # -- the index ---------------------------------------------------------------------------

    def _index(self, path: str) -> None:
        try:
            text = decode(_read_bytes(path, _MAX_BYTES), path)
            if looks_like_json(text):
                document = parse_json(text, path)
            else:
                document = parse_yaml(text, path, custom_tags=True)
            value = document.value
            if not (
                is_flow_language(value)
                or is_legacy(value)
                or wrapper(value)
                or flow_resources(value)
            ):
                return
            document.estate = self.estate
            found = flows_of(document)
        except Exception:
            return
        for item in found:
            key = (path, item.logical_id)
            resource = self.terraform.for_file(path) if item.logical_id is None else None
            entry = Entry(key, item, document, resource)
            self._names(entry)
            self.entries[key] = entry

    def _names(self, entry: Entry) -> None:
        item = entry.found
        if item.logical_id is not None:
            entry.keys.add(item.logical_id)
        else:
            entry.keys.add(_stem(entry.key[0]))
        for text in (item.flow.name, item.title):
            if text:
                entry.names.add(text)
        for text in item.ids:
            entry.ids.add(text)
            arn = _ARN.search(text)
            if arn:
                entry.ids.add(arn.group(1))
        resource = entry.resource
        if resource is not None:
            entry.keys.add(resource.name)
            entry.keys.update(
                key for key, name in self.terraform.map_keys.items() if name == resource.name
            )
            if resource.attributes.get("name"):
                entry.names.add(resource.attributes["name"])

    def has_number(self, key: Key) -> bool:
        """Whether a phone number of the estate (Terraform
        ``aws_connect_phone_number_contact_flow_association``) is associated with the flow."""
        entry = self.entries.get(key)
        if entry is None:
            return False
        for written in self.terraform.phoned:
            named = _RESOURCE.search(written)
            if named and entry.resource is not None and named.group(1) == entry.resource.name:
                return True
            if any(ident and ident in written for ident in entry.ids):
                return True
        return False

    def transferred_from(self, key: Key) -> list[Key]:
        """The other flows of the estate whose Transfer to flow blocks name this flow."""
        return [caller for caller in self.transfers.get(key, []) if caller != key]

    def role_source(self, path: str) -> Resource | None:
        """The Terraform resource that deploys the flow file ``path``, if any."""
        return self.terraform.for_file(path)

    # -- references --------------------------------------------------------------------------

    def lookup(self, reference: str | None, shown: str | None) -> tuple[str, Key | None]:
        """``("flow", key)``, or ``(reason, None)`` with reason run-time or not-given."""
        if reference is not None and reference.startswith("$."):
            return "run-time", None
        candidates: list[tuple[str, str]] = []
        if reference is not None:
            for match in _MAP_KEY.finditer(reference):
                key = match.group(1) or match.group(2)
                candidates.append(("keys", self.terraform.map_keys.get(key, key)))
                candidates.append(("keys", key))
            candidates += [("keys", m.group(1)) for m in _RESOURCE.finditer(reference)]
            candidates += [("keys", m.group(1)) for m in _SUB.finditer(reference)]
            candidates += [("names", m.group(1)) for m in _TEMPLATE.finditer(reference)]
            candidates += [("keys", m.group(1)) for m in _TEMPLATE.finditer(reference)]
            candidates += [("ids", m.group(1)) for m in _ARN.finditer(reference)]
            candidates += [("ids", reference), ("keys", reference)]
        if shown is not None:
            candidates.append(("names", shown))
        for kind, text in candidates:
            matches = self.by[kind].get(text, [])
            if len(matches) == 1:
                return "flow", matches[0]
        return "not-given", None

    def resolve(self, action: Action, current: Key) -> Resolution:
        """Where ``action`` (a transfer or module block of the flow ``current``) leads."""
        reference, shown = reference_of(action)
        target = shown or reference or "(not set)"
        reason, key = self.lookup(reference, shown)
        if key is None:
            return Resolution(reason, reference if reason == "run-time" else target)
        entry = self.entries[key]
        if key in self.too_large:
            return Resolution(
                "unsupported",
                entry.shown,
                why=f"expanding it at every transfer would copy over {MAX_EXPANDED_NODES:,} nodes",
            )
        if current in self.graph and self._same_cycle(current, key):
            return Resolution(
                "unsupported",
                entry.shown,
                why="it transfers back (directly or through other flows) to this flow",
            )
        base = os.path.dirname(current[0])
        ref = os.path.relpath(key[0], base) + (f"#{key[1]}" if key[1] else "")
        return Resolution("flow", entry.shown, ref, self.menu_of(key))

    # -- the transfer graph ------------------------------------------------------------------

    def _plan(self) -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(self.entries)
        #: flow -> the flows that transfer to it (Transfer to flow), in estate order
        self.transfers: dict[Key, list[Key]] = {}
        for key, entry in self.entries.items():
            for action in entry.found.flow.actions:
                if action.type in ("TransferToFlow", "InvokeFlowModule"):
                    _, callee = self.lookup(*reference_of(action))
                    if callee is not None:
                        graph.add_edge(key, callee)
                        callers = self.transfers.setdefault(callee, [])
                        if action.type == "TransferToFlow" and key not in callers:
                            callers.append(key)
        self.graph = graph
        self.component: dict[Key, int] = {}
        for number, part in enumerate(nx.strongly_connected_components(graph)):
            for key in part:
                self.component[key] = number
        sizes: dict[Key, int] = {}
        self.too_large: set[Key] = set()
        acyclic = nx.DiGraph(
            (a, b) for a, b in graph.edges if not self._same_cycle(a, b) and a != b
        )
        acyclic.add_nodes_from(graph)
        for key in reversed(list(nx.topological_sort(acyclic))):
            size = len(self.entries[key].found.flow.actions) + sum(
                sizes[callee] for callee in acyclic.successors(key) if callee not in self.too_large
            )
            if size > MAX_EXPANDED_NODES:
                self.too_large.add(key)
            sizes[key] = size
        self.acyclic = acyclic

    def _same_cycle(self, first: Key, second: Key) -> bool:
        """Whether a transfer from ``first`` to ``second`` can come back to ``first``."""
        if first == second:
            return True
        return self.component.get(first) == self.component.get(second)

    def menu_of(self, key: Key) -> Menu:
        """The menu of one flow of the estate, building what it transfers to first."""
        if key in self.menus:
            return self.menus[key]
        order: list[Key] = []
        seen: set[Key] = set()
        stack: list[tuple[Key, bool]] = [(key, False)]
        while stack:
            current, done = stack.pop()
            if done:
                order.append(current)
                continue
            if current in seen or current in self.menus:
                continue
            seen.add(current)
            stack.append((current, True))
            for callee in self.acyclic.successors(current):
                if callee not in self.too_large:
                    stack.append((callee, False))
        for current in order:
            if current not in self.menus:
                self.menus[current] = self.build(self.entries[current], self)
        return self.menus[key]


def instance_of(estate: Estate | None, build: Callable[[Entry, Instance], Menu]) -> Instance | None:
    """The instance of an estate (indexed once per run and process)."""
    if estate is None:
        return None
    key = ("connect", "instance", estate.root, estate.files)
    known = estate.cache.get(key)
    if known is None:
        known = Instance(estate, build)
        estate.cache[key] = known
    return known


def _stem(path: str) -> str:
    return os.path.basename(path).split(".", 1)[0]
