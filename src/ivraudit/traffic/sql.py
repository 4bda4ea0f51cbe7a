"""Every SQL statement ivraudit runs on call logs, in one place (docs/traffic.md shows them).

The statements are plain DuckDB SQL over one table of steps, so a fleet whose logs
outgrow one machine can run the same aggregation on its own engine and pass the
resulting Parquet to ``check --traffic``.  Placeholders: ``{source}`` is a query
that reads one group of log files, ``$min_calls`` the smallest count written.
"""

from __future__ import annotations

#: One group of log files (same reader) as the generic columns, typed.  A key is kept
#: only when it is one keypad symbol or a short lower-case word (``no_input``,
#: ``timeout``, ``yes``): digits a caller typed at an ask never reach a count.
STEP_COLUMNS = """
SELECT
    CAST("call_id" AS VARCHAR) AS call_id,
    CAST("node" AS VARCHAR) AS node,
    {position} AS position,
    CASE WHEN regexp_full_match(coalesce(trim(CAST({key} AS VARCHAR)), ''),
                                '[0-9*#A-D]|[a-z_]{{1,32}}')
         THEN trim(CAST({key} AS VARCHAR)) ELSE '' END AS key,
    coalesce(CAST({flow} AS VARCHAR), '') AS flow
FROM {source}
"""

#: A step's place in its call: ``seq`` when the log has it, else ``at`` (ISO 8601).
POSITION_FROM_SEQ = 'CAST("seq" AS BIGINT)'
POSITION_FROM_AT = 'epoch_us(CAST("at" AS TIMESTAMPTZ))'

#: Steps that cannot be placed: no call, no node, or no position.
BLANK_STEPS = """
SELECT count(*) FROM steps WHERE call_id IS NULL OR node IS NULL OR position IS NULL
"""

#: Steps that share their call and position with another step (their order is unknown).
TIED_STEPS = """
SELECT coalesce(sum(n), 0) FROM (
    SELECT count(*) AS n FROM steps GROUP BY call_id, position HAVING count(*) > 1
)
"""

#: Each step with the step its call takes next (NULL on a call's last step).
WALKED = """
CREATE TEMP TABLE walked AS
SELECT call_id, flow, node, key,
       lead(flow) OVER call_order AS to_flow,
       lead(node) OVER call_order AS to_node
FROM steps
WINDOW call_order AS (PARTITION BY call_id ORDER BY position)
"""

#: All calls and steps of the logs (the denominator of every share).
TOTALS = "SELECT count(DISTINCT call_id), count(*) FROM walked"

#: Per node: calls that reached it, steps taken there, calls whose last step it was.
#: Cells under $min_calls are suppressed: a row is left out, an ``ended`` is NULL.
NODE_COUNTS = """
SELECT flow, node,
       count(DISTINCT call_id) AS calls,
       count(*) AS steps,
       CASE WHEN count(*) FILTER (WHERE to_node IS NULL) BETWEEN 1 AND $min_calls - 1
            THEN NULL ELSE count(*) FILTER (WHERE to_node IS NULL) END AS ended
FROM walked
GROUP BY flow, node
HAVING count(DISTINCT call_id) >= $min_calls
ORDER BY flow, node
"""

#: Per edge (a step and the next of the same call, with the key pressed at the first):
#: calls that took it and times it was taken.
EDGE_COUNTS = """
SELECT flow, node, to_flow, to_node, key,
       count(DISTINCT call_id) AS calls,
       count(*) AS steps
FROM walked
WHERE to_node IS NOT NULL
GROUP BY flow, node, to_flow, to_node, key
HAVING count(DISTINCT call_id) >= $min_calls
ORDER BY flow, node, to_flow, to_node, key
"""

#: The counts file's one table: every row has every column (docs/traffic.md).
COUNTS_TABLE = """
CREATE TEMP TABLE counts (
    kind VARCHAR, flow VARCHAR, node VARCHAR, to_flow VARCHAR, to_node VARCHAR,
    key VARCHAR, calls BIGINT, steps BIGINT, ended BIGINT
)
"""
COUNTS_INSERT = "INSERT INTO counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
COUNTS_COLUMNS = ("kind", "flow", "node", "to_flow", "to_node", "key", "calls", "steps", "ended")
COUNTS_READ = """
SELECT kind, flow, node, to_flow, to_node, key, calls, steps, ended
FROM read_parquet({path})
ORDER BY kind, flow, node, to_flow, to_node, key
"""
COUNTS_WRITE = "COPY (SELECT * FROM counts) TO {path} (FORMAT parquet)"

#: The columns of a group of files, read without typing them (``DESCRIBE``).
DESCRIBE = "DESCRIBE SELECT * FROM {source}"


def literal(text: str) -> str:
    """``text`` as an SQL string literal (table functions take file names as literals)."""
    return "'" + text.replace("'", "''") + "'"


def literal_list(texts: list[str]) -> str:
    return "[" + ", ".join(literal(text) for text in texts) + "]"
