"""Counts as plain data for the rules that need traffic (TR).

The rules stage may not import this stage (tests/test_architecture.py), so the
counts reach it as a mapping of plain values, which ``check --traffic`` validates
into :class:`ivraudit.config.Traffic` and passes in the config.  Only counts and
node names: nothing else of a log.
"""

from __future__ import annotations

from typing import Any

from ivraudit.traffic.counts import Counts


def traffic_data(counts: Counts) -> dict[str, Any]:
    """``counts`` as the plain mapping :class:`ivraudit.config.Traffic` reads: the
    logged calls, the suppression threshold, the days the logs span (None: unknown),
    and each node's and edge's calls, with the median seconds to reach each node when
    the logs were counted with times."""
    reach = {(row.flow, row.node): row.median_seconds for row in counts.reach}
    return {
        "calls": counts.calls,
        "min_calls": counts.min_calls,
        "days": counts.days,
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
