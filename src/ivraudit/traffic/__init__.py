"""Traffic: call logs counted per node and per edge, and joined to an audit.

The stage reads logs with DuckDB (the optional extra ``ivraudit[traffic]``), keeps
nothing of them but counts and node names, and weighs each finding by the calls
that reached its node (docs/traffic.md).  All of its SQL is in :mod:`.sql`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivraudit.model.errors import UsageError
from ivraudit.traffic.counts import (
    MIN_CALLS,
    Counts,
    EdgeCount,
    NodeCount,
    aggregate,
    is_counts_file,
    read_counts,
    write_counts,
)
from ivraudit.traffic.join import drift_line, fails_on_share, menu_nodes, weigh
from ivraudit.traffic.names import MenuNames, menu_names
from ivraudit.traffic.platforms import LOG_FORMATS

__all__ = [
    "LOG_FORMATS",
    "MIN_CALLS",
    "Counts",
    "EdgeCount",
    "MenuNames",
    "NodeCount",
    "aggregate",
    "drift_line",
    "fails_on_share",
    "is_counts_file",
    "load_counts",
    "menu_names",
    "menu_nodes",
    "read_counts",
    "weigh",
    "write_counts",
]


def load_counts(
    paths: Sequence[str],
    min_calls: int = MIN_CALLS,
    log_format: str | None = None,
    *,
    times: bool = False,
) -> Counts:
    """The counts of ``paths``: one counts file read back (with the times to reach each
    node it keeps), or logs counted now (with ``times``, also the seconds calls took to
    reach each node).

    >>> load_counts(["no-such-log.csv"])
    Traceback (most recent call last):
    ...
    ivraudit.model.errors.UsageError: no-such-log.csv: no such file or directory
    """
    if len(paths) == 1 and is_counts_file(paths[0]):
        if log_format is not None:
            raise UsageError(f"{paths[0]}: a counts file has no log format: drop --log-format")
        return read_counts(paths[0])
    return aggregate(paths, min_calls, log_format, times=times)
