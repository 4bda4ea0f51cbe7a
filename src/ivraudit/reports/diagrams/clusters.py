"""Subflow clusters: the inlined subflows a drawing's nodes sit in, parents included."""

from __future__ import annotations

from collections.abc import Iterable

from ivraudit.analysis.context import AuditContext
from ivraudit.model.menu import SubflowNode
from ivraudit.reports.diagrams.dom_ids import slug
from ivraudit.reports.diagrams.drawing import Cluster


def subflow_clusters(ctx: AuditContext, drawn: Iterable[str]) -> list[Cluster]:
    """A cluster for each subflow a drawn node is inlined from, and each around those, by prefix."""
    graph = ctx.data  # node attributes by id
    prefixes: set[str] = set()
    for node in drawn:
        prefix = graph[node]["subflow"]
        while prefix and prefix not in prefixes:
            prefixes.add(prefix)
            prefix = graph[prefix]["subflow"] if prefix in graph else ""
    clusters = []
    for prefix in sorted(prefixes):
        model = ctx.model(prefix) if prefix in graph else None
        file = model.menu if isinstance(model, SubflowNode) else prefix
        inner = _inner_path(ctx, prefix)
        clusters.append(
            Cluster(
                prefix=prefix,
                name=f"cluster-{slug(prefix)}",
                label=f"subflow {prefix}: {file}",
                tooltip=f"{prefix}: nodes of {inner or file}",
                parent=graph[prefix]["subflow"] if prefix in graph else "",
            )
        )
    return clusters


def _inner_path(ctx: AuditContext, prefix: str) -> str | None:
    """The path of the file an inlined subflow was read from, when it was loaded."""
    graph = ctx.data
    model = ctx.model(prefix) if prefix in graph else None
    if isinstance(model, SubflowNode):
        inner = graph[prefix]["menu"].subflows.get(model.menu)
        if inner is not None:
            return inner.path
    return None
