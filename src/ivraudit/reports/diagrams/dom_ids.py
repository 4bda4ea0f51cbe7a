"""Ids of drawn things in DOT and SVG, so an HTML report can link findings to the picture.

Node and edge ids are stable slugs of graph ids; a finding's anchor is its fingerprint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ivraudit.model.findings import Finding, Step
from ivraudit.reports.diagrams.styles import EVENT_VIAS

_CLEAN_ID = re.compile(r"[A-Za-z0-9_]+")
_WORD = re.compile(r"[A-Za-z0-9_]+")


def slug(node_id: str) -> str:
    """The node id as used inside DOM ids: ``[A-Za-z0-9_]`` only, never a dash.

    Ids made of letters, digits and ``_`` are kept as they are; any other id
    keeps its words joined by ``_`` plus the first 8 hex digits of the id's
    SHA-1, so different ids never share a slug.

    >>> slug("billing_dob")
    'billing_dob'
    >>> slug("check/dob")
    'check_dob_717f19dc'
    """
    if _CLEAN_ID.fullmatch(node_id):
        return node_id
    digest = hashlib.sha1(node_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    words = _WORD.findall(node_id)
    return "_".join([*words, digest])


def node_dom_id(node_id: str) -> str:
    """The ``id`` of a menu node in DOT and SVG: ``node-<slug>``."""
    return f"node-{slug(node_id)}"


def edge_dom_id(source: str, target: str, number: int) -> str:
    """The ``id`` of the ``number``-th edge (from 1, in graph order) from source to target."""
    return f"edge-{slug(source)}-{slug(target)}-{number}"


def witness_dom_ids(graph: Any, witness: Sequence[Step]) -> list[str]:
    """The DOM ids of a witness route's nodes and edges, in route order.

    For a page embedding a diagram drawn with :func:`~ivraudit.diagram.diagram`; the
    HTML report keeps a drawing's ids instead (:func:`drawn_dom_ids`), one set for every
    finding.
    """
    found: list[str] = []
    for index, step in enumerate(witness):
        found.append(node_dom_id(step.node))
        if step.via is None or index + 1 >= len(witness):
            continue
        target = witness[index + 1].node
        if graph.has_edge(step.node, target, step.edge_key):
            found.append(drawn_edge_id(graph, step.node, target, step.edge_key))
    return found


def out_edge_number(out: Sequence[tuple[str, str, Any]], target: str, edge_key: str) -> int:
    """Position (from 1) of an edge among a node's edges to ``target``, from the node's
    out-edges in graph order (``AuditContext.out``): a drawing needs no networkx graph."""
    number = 0
    for other, key, _ in out:
        if other == target:
            number += 1
            if key == edge_key:
                return number
    raise KeyError(f"no edge {edge_key!r} to {target!r}")


def drawn_edge_id(graph: Any, source: str, target: str, edge_key: str) -> str:
    """The id of the drawn edge that shows a graph edge (in a drawing without ``route``).

    Parallel edges that look the same are drawn as one (see :func:`merge_parallel`),
    which carries the id of the first of them.
    """
    return _drawn_edge_id(list(graph[source][target].items()), source, target, edge_key)


def _drawn_edge_id(
    parallel: Sequence[tuple[str, Any]], source: str, target: str, edge_key: str
) -> str:
    """:func:`drawn_edge_id` among the ``(edge key, attributes)`` from source to target."""
    wanted = next(data for key, data in parallel if key == edge_key)
    look = (bool(wanted["synthetic"]), wanted["via"] in EVENT_VIAS)
    for number, (_, data) in enumerate(parallel, start=1):
        if (bool(data["synthetic"]), data["via"] in EVENT_VIAS) == look:
            return edge_dom_id(source, target, number)
    raise AssertionError("the wanted edge looks like itself")  # pragma: no cover


def drawn_dom_ids(
    out: Mapping[str, Sequence[tuple[str, str, Any]]], drawn: Iterable[str]
) -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
    """The DOM ids of the drawn menu nodes and of every edge between two of them, as
    ``{node: id}`` and ``{(source, edge key, target): id}``, from the audit's out-edges
    (``AuditContext.out``, in graph order).  A report highlights a witness route with
    them: its steps' nodes, and the edge each step takes to the next."""
    nodes = {node: node_dom_id(node) for node in drawn}
    edges: dict[tuple[str, str, str], str] = {}
    for source in nodes:
        parallel: dict[str, list[tuple[str, Any]]] = {}
        for target, edge_key, data in out.get(source, ()):
            if target in nodes:
                parallel.setdefault(target, []).append((edge_key, data))
        for target, keyed in parallel.items():
            for edge_key, _ in keyed:
                edges[source, edge_key, target] = _drawn_edge_id(keyed, source, target, edge_key)
    return nodes, edges


def finding_anchor(finding: Finding) -> str:
    """The anchor a node with this finding links to: ``finding-<fingerprint>``."""
    return f"finding-{finding.fingerprint}"
