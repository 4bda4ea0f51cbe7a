"""Counts of calls per node and per edge: made from logs, written to and read from Parquet.

Nothing from a log but counts and node names is kept: call ids, timestamps and
anything a caller typed stay in the logs.  A cell under ``min_calls`` is suppressed
(a node or edge row left out, an ``ended`` count set to None), so no count in a
report can point at a handful of callers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ivraudit.model.errors import UsageError
from ivraudit.traffic import sql
from ivraudit.traffic.engine import connect, engine_error
from ivraudit.traffic.logs import NO_TIMES, SECONDS, create_steps, refuse_tied

#: The default of ``--min-calls``: cells of fewer calls are suppressed.
MIN_CALLS = 5

#: DuckDB's memory while counting: past it, the walk over the calls spills to disk
#: (10 million steps peak near 700 MiB in all, docs/performance.md "Call logs").
MEMORY_LIMIT = "600MB"

#: Seconds in a day.
DAY = 86400.0


@dataclass(frozen=True)
class NodeCount:
    """Calls that reached ``node`` (of ``flow``, "" when the log names none), steps
    taken there, and calls whose last logged step it was (None: suppressed)."""

    flow: str
    node: str
    calls: int
    steps: int
    ended: int | None


@dataclass(frozen=True)
class EdgeCount:
    """Calls that went from ``node`` to ``to_node`` with ``key`` ("" for none), and
    how many times it was taken."""

    flow: str
    node: str
    to_flow: str
    to_node: str
    key: str
    calls: int
    steps: int


@dataclass(frozen=True)
class ReachTime:
    """Seconds from the start of a call to its first step at ``node``: the median and the
    95th percentile over the calls that reached it with a time (at least ``min_calls``)."""

    flow: str
    node: str
    median_seconds: float
    p95_seconds: float


@dataclass(frozen=True)
class FlowSpan:
    """The days between the first and the last step of one flow (``""``: steps the log
    names no flow for)."""

    flow: str
    days: float


@dataclass(frozen=True)
class Counts:
    """The counts of a set of logs: the whole, then each node and edge over ``min_calls``."""

    calls: int
    steps: int
    min_calls: int
    nodes: tuple[NodeCount, ...] = ()
    edges: tuple[EdgeCount, ...] = ()
    #: Times to reach each node (when counted with ``times``, or read from a counts file
    #: that has them: the node rows' ``median_seconds`` and ``p95_seconds``).
    reach: tuple[ReachTime, ...] = ()
    #: The days between the first and the last step (None: a log placed by seq only, or
    #: a counts file of a version before the span was kept).
    days: float | None = None
    #: Each flow's own span (flows whose steps have times).
    spans: tuple[FlowSpan, ...] = ()

    def rows(self) -> list[tuple[Any, ...]]:
        """The counts as rows of the counts file's table (docs/traffic.md)."""
        none = (None, None)
        rows: list[tuple[Any, ...]] = [
            ("total", None, None, None, None, None, self.calls, self.steps, None, *none, self.days),
            ("min_calls", None, None, None, None, None, self.min_calls, None, None, *none, None),
        ]
        times = {(r.flow, r.node): (r.median_seconds, r.p95_seconds) for r in self.reach}
        for n in self.nodes:
            timed = times.get((n.flow, n.node), none)
            rows.append(
                ("node", n.flow, n.node, None, None, None, n.calls, n.steps, n.ended, *timed, None)
            )
        for e in self.edges:
            names = (e.flow, e.node, e.to_flow, e.to_node, e.key)
            rows.append(("edge", *names, e.calls, e.steps, None, *none, None))
        for span in self.spans:
            rows.append(("span", span.flow, *(None,) * 9, span.days))
        return rows


def aggregate(
    paths: Sequence[str],
    min_calls: int = MIN_CALLS,
    log_format: str | None = None,
    *,
    times: bool = False,
) -> Counts:
    """Count the calls in the logs under ``paths`` (files or directories), read in
    ``log_format`` (None: found from each file's columns); with ``times``, also the
    seconds calls took to reach each node (from the steps' times).

    Raises :class:`UsageError` for a log that cannot be read, lacks a column, or
    holds fewer calls than ``min_calls`` (every count would be suppressed).
    """
    if min_calls < 1:
        raise UsageError("--min-calls must be at least 1")
    connection = connect()
    spill = tempfile.mkdtemp(prefix="ivraudit-duckdb-")
    try:
        _limit(connection, spill)
        timing = create_steps(connection, list(paths), log_format, ties=False)
        try:
            flows = connection.execute(sql.FLOW_SPANS).fetchall()
            connection.execute(sql.CALL_IDS)
            connection.execute(sql.PLACES)
            connection.execute(sql.WALKED)
            calls, steps, tied = connection.execute(sql.TOTALS).fetchone()
            refuse_tied(list(paths), tied)
            limit = {"min_calls": min_calls}
            nodes = connection.execute(sql.NODE_COUNTS, limit).fetchall()
            edges = connection.execute(sql.EDGE_COUNTS, limit).fetchall()
            reach = []
            if times and timing != NO_TIMES:
                # Summing seconds needs a window over each call; times of their own do not.
                query = sql.REACH_SECONDS if timing == SECONDS else sql.REACH_MOMENTS
                reach = connection.execute(query, limit).fetchall()
        except engine_error() as exc:
            where = ", ".join(paths)
            first = str(exc).strip().splitlines()[0]
            raise UsageError(f"{where}: cannot count the call log: {first}") from None
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)
    if calls < min_calls:
        raise UsageError(
            f"the logs hold {calls} call(s), fewer than --min-calls {min_calls}: "
            "every count would be suppressed"
        )
    return Counts(
        calls=calls,
        steps=steps,
        min_calls=min_calls,
        nodes=tuple(NodeCount(*row) for row in nodes),
        edges=tuple(EdgeCount(*row) for row in edges),
        reach=tuple(ReachTime(*row) for row in reach),
        days=_days([(first, last) for _, first, last in flows]),
        # A flow's span only where its calls are counted (a node of it over min_calls):
        # a flow of fewer calls shows no name and no times (docs/traffic.md, Privacy).
        spans=tuple(
            FlowSpan(flow, _days([(first, last)]) or 0.0)
            for flow, first, last in flows
            if first is not None and flow in {row[0] for row in nodes}
        ),
    )


def _days(spans: list[tuple[int | None, int | None]]) -> float | None:
    """The days from the first to the last of ``spans`` (microseconds), None without any."""
    firsts = [first for first, _ in spans if first is not None]
    lasts = [last for _, last in spans if last is not None]
    if not firsts or not lasts:
        return None
    return (max(lasts) - min(firsts)) / 1e6 / DAY


def _limit(connection: Any, folder: str) -> None:
    """Cap DuckDB's memory (spilling to ``folder``) and give it every CPU."""
    values = {
        "memory": sql.literal(MEMORY_LIMIT),
        "folder": sql.literal(folder),
        "threads": os.cpu_count() or 1,
    }
    for setting in sql.COUNTING_SETTINGS:
        connection.execute(setting.format(**values))


def write_counts(counts: Counts, output: str) -> None:
    """Write ``counts`` as Parquet, atomically (a temporary file beside it, then a rename)."""
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {output}: the directory {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".ivraudit-", suffix=".parquet", dir=folder)
    os.close(handle)
    connection = connect()
    try:
        connection.execute(sql.COUNTS_TABLE)
        columns = list(zip(*counts.rows(), strict=True))
        named = dict(zip(sql.COUNTS_COLUMNS, map(list, columns), strict=True))
        connection.execute(sql.COUNTS_INSERT, named)
        connection.execute(sql.COUNTS_WRITE.format(path=sql.literal(temporary)))
        os.replace(temporary, output)
    finally:
        connection.close()
        if os.path.exists(temporary):
            os.unlink(temporary)


def is_counts_file(path: str) -> bool:
    """Whether ``path`` is a counts file (Parquet with the counts columns), not a log."""
    if os.path.isdir(path) or not path.lower().endswith(".parquet"):
        return False
    connection = connect()
    try:
        source = f"read_parquet({sql.literal(path)})"
        columns = connection.execute(sql.DESCRIBE.format(source=source)).fetchall()
    except engine_error():
        return False
    finally:
        connection.close()
    return {str(row[0]) for row in columns} >= set(sql.COUNTS_REQUIRED)


def read_counts(path: str) -> Counts:
    """Read a counts file written by :func:`write_counts` (or by the documented SQL); one
    of the first version, without the times to reach each node, reads with none."""
    connection = connect()
    try:
        source = sql.literal(path)
        described = connection.execute(
            sql.DESCRIBE.format(source=f"read_parquet({source})")
        ).fetchall()
        columns = {str(row[0]) for row in described}
        times = ", ".join(sql.COUNTS_TIMES)
        if not columns >= set(sql.COUNTS_TIMES):
            times = sql.COUNTS_NO_TIMES
        days = ", ".join(sql.COUNTS_SPAN) if columns >= set(sql.COUNTS_SPAN) else sql.COUNTS_NO_SPAN
        query = sql.COUNTS_READ.format(path=source, times=times, days=days)
        rows = connection.execute(query).fetchall()
    except engine_error() as exc:
        first = str(exc).strip().splitlines()[0]
        raise UsageError(f"{path}: cannot read as a counts file: {first}") from None
    finally:
        connection.close()
    return _counts_of(rows, path)


def _counts_of(rows: list[tuple[Any, ...]], path: str) -> Counts:
    total: tuple[Any, ...] | None = None
    min_calls = 1
    nodes, edges, reach, spans = [], [], [], []
    for kind, flow, node, to_flow, to_node, key, calls, steps, ended, median, p95, days in rows:
        if kind == "total":
            total = (calls, steps, days)
        elif kind == "span":
            if days is not None:
                spans.append(FlowSpan(flow or "", days))
        elif kind == "min_calls":
            min_calls = int(calls)
        elif kind == "node":
            nodes.append(NodeCount(flow or "", node, calls, steps, ended))
            if median is not None and p95 is not None:
                reach.append(ReachTime(flow or "", node, median, p95))
        elif kind == "edge":
            edge = EdgeCount(flow or "", node, to_flow or "", to_node, key or "", calls, steps)
            edges.append(edge)
        else:
            raise UsageError(
                f"{path}: unknown kind of row {kind!r} (node, edge, span, total, min_calls)"
            )
    if total is None:
        raise UsageError(f"{path}: a counts file needs its 'total' row (docs/traffic.md)")
    calls, steps, days = total
    return Counts(
        calls, steps, min_calls, tuple(nodes), tuple(edges), tuple(reach), days, tuple(spans)
    )
