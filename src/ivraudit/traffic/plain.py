"""Counts as plain data for the rules that need traffic (TR).

The rules stage may not import this stage (tests/test_architecture.py), so the
counts reach it as a mapping of plain values, which ``check --traffic`` validates
into :class:`ivraudit.config.Traffic` and passes in the config.  Only counts and
node names: nothing else of a log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ivraudit.model.errors import UsageError
from ivraudit.traffic.counts import Counts, is_counts_file
from ivraudit.traffic.engine import connect, engine_error
from ivraudit.traffic.logs import create_steps

#: The first and last time of the steps (microseconds; NULL for a log placed by seq only).
LOG_SPAN = "SELECT min(moment), max(moment) FROM steps"

#: Seconds in a day.
DAY = 86400.0


def traffic_data(counts: Counts, days: float | None = None) -> dict[str, Any]:
    """``counts`` as the plain mapping :class:`ivraudit.config.Traffic` reads: the
    logged calls, the suppression threshold, the days the logs span (None: unknown),
    and each node's and edge's calls."""
    return {
        "calls": counts.calls,
        "min_calls": counts.min_calls,
        "days": days,
        "nodes": [
            {"flow": row.flow, "node": row.node, "calls": row.calls, "ended": row.ended}
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


def log_days(paths: Sequence[str], log_format: str | None = None) -> float | None:
    """The days between the first and the last step of the logs under ``paths``; None
    for a counts file (it keeps no times) or logs whose steps have no time."""
    if len(paths) == 1 and is_counts_file(paths[0]):
        return None
    connection = connect()
    try:
        create_steps(connection, list(paths), log_format)
        first, last = connection.execute(LOG_SPAN).fetchone()
    except engine_error() as exc:
        where = ", ".join(paths)
        problem = str(exc).strip().splitlines()[0]
        raise UsageError(f"{where}: cannot read the times of the call log: {problem}") from None
    finally:
        connection.close()
    if first is None or last is None:
        return None
    return (last - first) / 1e6 / DAY
