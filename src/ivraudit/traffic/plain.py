"""Counts as plain data for the rules that need traffic (TR).

The rules stage may not import this stage (tests/test_architecture.py), so the
counts reach it as a mapping of plain values, which ``check --traffic`` validates
into :class:`ivraudit.config.Traffic` and passes in the config.  Only counts and
node names: nothing else of a log.
"""

from __future__ import annotations

from typing import Any

from ivraudit.traffic.counts import Counts
from ivraudit.traffic.names import MenuNames
from ivraudit.traffic.resolve import in_menu_names


def traffic_data(counts: Counts, names: MenuNames | None = None) -> dict[str, Any]:
    """``counts`` as the plain mapping :class:`ivraudit.config.Traffic` reads: the
    logged calls, the suppression threshold, the days the logs span (None: unknown)
    and each flow's own span,
    and each node's and edge's calls, with the median seconds to reach each node when
    the counts have times.  With ``names`` (the menus' node names and the names their
    platforms' logs give them, :func:`ivraudit.traffic.menu_names`), rows are renamed
    to the nodes they stand for first (:func:`.resolve.in_menu_names`), so the rules
    match them by node id as ``check --traffic`` matches findings."""
    if names is not None:
        counts = in_menu_names(counts, names)
    reach = {(row.flow, row.node): row.median_seconds for row in counts.reach}
    return {
        "calls": counts.calls,
        "min_calls": counts.min_calls,
        "days": counts.days,
        "spans": [{"flow": span.flow, "days": span.days} for span in counts.spans],
        "nodes": [
            {
                "flow": row.flow,
                "node": row.node,
                "calls": row.calls,
                "ended": row.ended,
                "seconds": reach.get((row.flow, row.node)),
            }
            for row in counts.nodes
        ],
        "edges": [
            {
                "flow": row.flow,
                "node": row.node,
                "to_node": row.to_node,
                "key": row.key,
                "calls": row.calls,
            }
            for row in counts.edges
        ],
    }
