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
    coalesce(CAST({flow} AS VARCHAR), '') AS flow,
    {moment} AS moment,
    {seconds} AS seconds
FROM {source}
"""

#: A step's place in its call: ``seq`` when the log has it, else ``at`` (ISO 8601).
POSITION_FROM_SEQ = 'CAST("seq" AS BIGINT)'
POSITION_FROM_AT = 'epoch_us(CAST("at" AS TIMESTAMPTZ))'
#: When the step happened (microseconds), for times to reach a node; NULL without ``at``.
MOMENT_FROM_AT = 'epoch_us(TRY_CAST("at" AS TIMESTAMPTZ))'
#: The time spent at the step (``seconds``), NULL when absent, unreadable or negative.
SECONDS = """CASE WHEN TRY_CAST("seconds" AS DOUBLE) >= 0
     THEN TRY_CAST("seconds" AS DOUBLE) END"""

#: A platform's log, in the generic columns (call_id, node, seq, key, flow): each query
#: below is read as the ``{source}`` of :data:`STEP_COLUMNS`, so the key filter and the
#: checks apply to it as to a generic log.  Steps of a call are numbered by their time,
#: then (several steps in one second, as Twilio's ``date_created`` gives) by their place
#: in the file, read backwards when the file lists newer steps first (``tie``).
#: ``{file_order}`` is :data:`FILE_ORDER`; optional columns are ``NULL`` when absent.
FILE_ORDER = """
directed AS (
    SELECT *,
           CASE WHEN arg_min(step_time, file_row) OVER (PARTITION BY log_file)
                     > arg_max(step_time, file_row) OVER (PARTITION BY log_file)
                THEN -file_row ELSE file_row END AS tie
    FROM raw
),
placed AS (
    SELECT *, row_number() OVER (PARTITION BY call_id ORDER BY step_time, tie) AS seq
    FROM directed
)"""

#: Twilio Studio execution steps: a step is the move ``transitioned_from`` ->
#: ``transitioned_to`` on the event ``name``.  The call is at the widget it moved to; the
#: event that takes it on is what the caller did there (``timeout`` is no input,
#: ``noMatch`` no match; a keypress's digit is not in the step).  A move to ``Ended`` is
#: the importer's hangup ``<widget>: end of flow``, except after the caller hung up, and
#: after a queue's ``callComplete`` (the call left the queue after the agent's call: the
#: call ended at the queue, and ``<queue>: end of flow`` is one of its failure events).
TWILIO_STEPS = r"""
(WITH raw AS (
    SELECT CAST("execution_sid" AS VARCHAR) AS call_id,
           CAST("transitioned_from" AS VARCHAR) AS came_from,
           regexp_replace(trim(CAST("transitioned_to" AS VARCHAR)), '\s+', ' ', 'g') AS went_to,
           CAST("name" AS VARCHAR) AS event,
           CAST("date_created" AS TIMESTAMPTZ) AS step_time,
           "filename" AS log_file,
           row_number() OVER () AS file_row
    FROM {source}
),
{file_order},
kept AS (
    SELECT * FROM placed WHERE NOT (went_to = 'Ended' AND event IN ('hangup', 'callComplete'))
)
SELECT call_id,
       CASE WHEN went_to = 'Ended'
            THEN regexp_replace(trim(came_from), '\s+', ' ', 'g') || ': end of flow'
            ELSE went_to END AS node,
       seq,
       CASE lead(event) OVER (PARTITION BY call_id ORDER BY seq)
            WHEN 'timeout' THEN 'no_input' WHEN 'noMatch' THEN 'no_match' ELSE '' END AS key,
       '' AS flow,
       step_time AS at
FROM kept)
"""

#: Amazon Connect flow logs: one event per block a contact passes, named by the block's
#: ``Identifier``, in the flow ``ContactFlowName`` (else ``ContactFlowId``).  At a Get
#: customer input block, ``Results`` is the key pressed, ``Timeout`` (no input) or
#: ``NoMatchingCondition`` (no match); it is read without the quotes JSON gives it when
#: other events' ``Results`` are objects.
CONNECT_STEPS = """
(WITH raw AS (
    SELECT CAST("ContactId" AS VARCHAR) AS call_id,
           CAST("Identifier" AS VARCHAR) AS node,
           CAST({module} AS VARCHAR) AS module,
           trim(CAST({results} AS VARCHAR), ' "') AS results,
           coalesce(CAST({flow_name} AS VARCHAR), CAST({flow_id} AS VARCHAR), '') AS flow,
           CAST("Timestamp" AS TIMESTAMPTZ) AS step_time,
           "filename" AS log_file,
           row_number() OVER () AS file_row
    FROM {source}
),
{file_order}
SELECT call_id, node, seq,
       CASE WHEN module NOT IN ('GetUserInput', 'GetParticipantInput') THEN ''
            WHEN results = 'Timeout' THEN 'no_input'
            WHEN results IN ('NoMatchingCondition', 'NoMatch') THEN 'no_match'
            ELSE coalesce(results, '') END AS key,
       flow,
       step_time AS at
FROM placed)
"""

#: Asterisk CEL records: each ``APP_START`` is a step at ``context,exten`` (CEL names no
#: priority) of the call ``linkedid`` (else ``uniqueid``); ``eventtime`` is a date and time
#: or seconds since 1970.  Applications run one after another in one extension are one
#: step there; the ``h`` extension runs after the caller has gone, and is no step.  The
#: extension a call goes to next in the same context is what the caller dialled: one
#: keypad symbol is kept as the key (``i``, an invalid key, is no match; ``t``, no input).
ASTERISK_STEPS = r"""
(WITH raw AS (
    SELECT CAST({call} AS VARCHAR) AS call_id,
           CAST("context" AS VARCHAR) AS context_name,
           CAST("exten" AS VARCHAR) AS extension,
           CAST("context" AS VARCHAR) || ',' || CAST("exten" AS VARCHAR) AS node,
           CASE WHEN regexp_full_match(trim(CAST("eventtime" AS VARCHAR)), '[0-9]+(\.[0-9]+)?')
                THEN to_timestamp(TRY_CAST(trim(CAST("eventtime" AS VARCHAR)) AS DOUBLE))
                ELSE TRY_CAST(trim(CAST("eventtime" AS VARCHAR)) AS TIMESTAMPTZ)
                END AS step_time,
           "filename" AS log_file,
           row_number() OVER () AS file_row
    FROM {source}
    WHERE upper(trim(CAST("eventtype" AS VARCHAR))) = 'APP_START'
      AND CAST("exten" AS VARCHAR) IS DISTINCT FROM 'h'
),
{file_order},
moved AS (
    SELECT *, lag(node) OVER (PARTITION BY call_id ORDER BY seq) AS previous FROM placed
),
visits AS (
    SELECT * FROM moved WHERE previous IS DISTINCT FROM node
)
SELECT call_id, node, CASE WHEN step_time IS NULL THEN NULL ELSE seq END AS seq,
       CASE WHEN lead(context_name) OVER next_visit IS DISTINCT FROM context_name THEN ''
            WHEN lead(extension) OVER next_visit = 'i' THEN 'no_match'
            WHEN lead(extension) OVER next_visit = 't' THEN 'no_input'
            WHEN regexp_full_match(lead(extension) OVER next_visit, '[0-9*#]')
            THEN lead(extension) OVER next_visit
            ELSE '' END AS key,
       '' AS flow,
       step_time AS at
FROM visits
WINDOW next_visit AS (PARTITION BY call_id ORDER BY seq))
"""

#: Steps that cannot be placed: no call, no node, or no position.
BLANK_STEPS = """
SELECT count(*) FROM steps WHERE call_id IS NULL OR node IS NULL OR position IS NULL
"""

#: Steps that share their call and position with another step (their order is unknown).
#: Counting reads this from the walk instead (``tied`` in :data:`WALKED`).
TIED_STEPS = """
SELECT coalesce(sum(n), 0) FROM (
    SELECT count(*) AS n FROM steps GROUP BY call_id, position HAVING count(*) > 1
)
"""

#: Each call id numbered once, so the walk partitions and counts on integers, not text.
CALL_IDS = """
CREATE TEMP TABLE call_ids AS
SELECT call_id, row_number() OVER () AS call FROM (SELECT DISTINCT call_id FROM steps)
"""

#: Each (flow, node, key) a step has, numbered (``place``), with its node's number
#: (``node_id``, one per flow and node).
PLACES = """
CREATE TEMP TABLE places AS
SELECT flow, node, key,
       row_number() OVER () AS place,
       dense_rank() OVER (ORDER BY flow, node) AS node_id
FROM (SELECT DISTINCT flow, node, key FROM steps)
"""

#: Each step with the node its call takes next (NULL on a call's last step), and whether
#: it shares its position with the step before or after it in its call (``tied``: in
#: position order, every step of a tie has a neighbour at its own position).
WALKED = """
CREATE TEMP TABLE walked AS
SELECT call, place, node_id,
       lead(node_id) OVER call_order AS to_node_id,
       (lag(position) OVER call_order = position
        OR lead(position) OVER call_order = position) AS tied
FROM steps JOIN call_ids USING (call_id) JOIN places USING (flow, node, key)
WINDOW call_order AS (PARTITION BY call ORDER BY position)
"""

#: The first and last time of each flow's steps (microseconds; NULL for a log placed by
#: seq only): the logs' span, and each flow's own in an estate's log.
FLOW_SPANS = "SELECT flow, min(moment), max(moment) FROM steps GROUP BY flow ORDER BY flow"

#: All calls and steps of the logs (the denominator of every share), and the steps that
#: share their call and position with another (their order is unknown: the log is
#: refused).  Every call has exactly one last step (no next step), so counting those
#: counts the calls without the cost of a distinct count over every call id.
TOTALS = """
SELECT count(*) FILTER (WHERE to_node_id IS NULL), count(*), count(*) FILTER (WHERE tied)
FROM walked
"""

#: Per node: calls that reached it, steps taken there, calls whose last step it was.
#: Cells under $min_calls are suppressed: a row is left out, an ``ended`` is NULL.
NODE_COUNTS = """
WITH per_node AS (
    SELECT node_id,
           count(DISTINCT call) AS calls,
           count(*) AS steps,
           count(*) FILTER (WHERE to_node_id IS NULL) AS ended
    FROM walked
    GROUP BY node_id
    HAVING count(DISTINCT call) >= $min_calls
),
nodes AS (SELECT DISTINCT node_id, flow, node FROM places)
SELECT flow, node, calls, steps,
       CASE WHEN ended BETWEEN 1 AND $min_calls - 1 THEN NULL ELSE ended END AS ended
FROM per_node JOIN nodes USING (node_id)
ORDER BY flow, node
"""

#: Per edge (a step and the next of the same call, with the key pressed at the first):
#: calls that took it and times it was taken.  A ``place`` is one (flow, node, key), a
#: ``node_id`` one (flow, node): grouping on them is grouping on the names.
EDGE_COUNTS = """
WITH per_edge AS (
    SELECT place, to_node_id, count(DISTINCT call) AS calls, count(*) AS steps
    FROM walked
    WHERE to_node_id IS NOT NULL
    GROUP BY place, to_node_id
    HAVING count(DISTINCT call) >= $min_calls
),
nodes AS (SELECT DISTINCT node_id, flow, node FROM places)
SELECT places.flow, places.node, nodes.flow AS to_flow, nodes.node AS to_node, places.key,
       per_edge.calls, per_edge.steps
FROM per_edge
JOIN places USING (place)
JOIN nodes ON nodes.node_id = per_edge.to_node_id
ORDER BY places.flow, places.node, to_flow, to_node, places.key
"""

#: The end of :data:`REACH_SECONDS` and :data:`REACH_MOMENTS`: each node's median and
#: 95th-percentile seconds from a call's start to its first step there.
_REACH_TAIL = """
SELECT arrivals.flow, arrivals.node,
       median((arrived - started) / 1e6) AS median_seconds,
       quantile_cont((arrived - started) / 1e6, 0.95) AS p95_seconds
FROM arrivals JOIN starts USING (call_id)
WHERE arrived IS NOT NULL AND started IS NOT NULL
GROUP BY arrivals.flow, arrivals.node
HAVING count(*) >= $min_calls
ORDER BY arrivals.flow, arrivals.node
"""

#: Per node: the seconds from a call's first step to its first step at the node, for
#: the calls that reached it (median and 95th percentile), from the steps' times: ``at``,
#: or in a log placed by ``seq`` alone, the sum of the ``seconds`` of the steps before
#: (a step whose earlier steps do not all have ``seconds`` has no time; a call none of
#: whose steps has ``at`` or ``seconds`` has none).  Nodes of fewer than $min_calls timed
#: calls are left out.
REACH_SECONDS = (
    """
WITH timed AS (
    SELECT call_id, flow, node, moment AS logged_at, seconds,
           CASE WHEN moment IS NOT NULL THEN moment
                WHEN count(*) OVER earlier = count(seconds) OVER earlier
                THEN CAST(round(coalesce(sum(seconds) OVER earlier, 0) * 1e6) AS BIGINT)
                END AS moment
    FROM steps
    WINDOW earlier AS (PARTITION BY call_id ORDER BY position
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
arrivals AS (
    SELECT call_id, flow, node, min(moment) AS arrived FROM timed GROUP BY call_id, flow, node
),
starts AS (
    SELECT call_id, min(moment) AS started
    FROM timed
    GROUP BY call_id
    HAVING count(logged_at) + count(seconds) > 0
)
"""
    + _REACH_TAIL
)

#: :data:`REACH_SECONDS` for logs whose every step has its time (``at``, or a platform's
#: own): the same rows without the windows that sum ``seconds``.
REACH_MOMENTS = (
    """
WITH arrivals AS (
    SELECT call_id, flow, node, min(moment) AS arrived FROM steps GROUP BY call_id, flow, node
),
starts AS (
    SELECT call_id, min(moment) AS started FROM steps GROUP BY call_id HAVING count(moment) > 0
)
"""
    + _REACH_TAIL
)

#: The counts file's one table: every row has every column (docs/traffic.md).  A node
#: row's ``median_seconds`` and ``p95_seconds`` are the times calls took to reach it
#: (:data:`REACH_SECONDS`; NULL when the log has no times or they are suppressed).
COUNTS_TABLE = """
CREATE TEMP TABLE counts (
    kind VARCHAR, flow VARCHAR, node VARCHAR, to_flow VARCHAR, to_node VARCHAR,
    key VARCHAR, calls BIGINT, steps BIGINT, ended BIGINT,
    median_seconds DOUBLE, p95_seconds DOUBLE, days DOUBLE
)
"""
#: All rows in one statement, one list per column (row by row, 40,000 edges took 20 s).
COUNTS_INSERT = """
INSERT INTO counts
SELECT unnest($kind), unnest($flow), unnest($node), unnest($to_flow), unnest($to_node),
       unnest($key), unnest($calls), unnest($steps), unnest($ended),
       unnest($median_seconds), unnest($p95_seconds), unnest($days)
"""
#: The columns every counts file has (a file of the first version lacks the times).
COUNTS_REQUIRED = ("kind", "flow", "node", "to_flow", "to_node", "key", "calls", "steps", "ended")
#: The times to reach a node, in a counts file since the second version.
COUNTS_TIMES = ("median_seconds", "p95_seconds")
#: The days the logs cover (the ``total`` row) and each flow's own (``span`` rows), in a
#: counts file since the third version.
COUNTS_SPAN = ("days",)
COUNTS_COLUMNS = COUNTS_REQUIRED + COUNTS_TIMES + COUNTS_SPAN
#: ``{times}`` is ``median_seconds, p95_seconds``, or two NULLs for a file without them;
#: ``{days}`` is ``days``, or a NULL.
COUNTS_READ = """
SELECT kind, flow, node, to_flow, to_node, key, calls, steps, ended, {times}, {days}
FROM read_parquet({path})
ORDER BY kind, flow, node, to_flow, to_node, key
"""
COUNTS_NO_TIMES = "CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)"
COUNTS_NO_SPAN = "CAST(NULL AS DOUBLE)"
COUNTS_WRITE = "COPY (SELECT * FROM counts) TO {path} (FORMAT parquet)"

#: DuckDB's settings while counting: a memory cap, so the walk spills to a temporary
#: directory instead of being held whole, every CPU, and no insertion order to keep (every
#: result is ordered by its names).
COUNTING_SETTINGS = (
    "SET memory_limit = {memory}",
    "SET temp_directory = {folder}",
    "SET threads = {threads}",
    "SET preserve_insertion_order = false",
)

#: The columns of a group of files, read without typing them (``DESCRIBE``).
DESCRIBE = "DESCRIBE SELECT * FROM {source}"


def literal(text: str) -> str:
    """``text`` as an SQL string literal (table functions take file names as literals)."""
    return "'" + text.replace("'", "''") + "'"


def literal_list(texts: list[str]) -> str:
    return "[" + ", ".join(literal(text) for text in texts) + "]"


#: The counts file's rows in one portable query, for a cluster whose logs outgrow one
#: machine (docs/traffic.md, "On a cluster"): over a table ``steps (call_id, flow, node,
#: position, key, moment, seconds)`` made as :data:`STEP_COLUMNS` makes it, the same rows
#: as :data:`TOTALS`, :data:`NODE_COUNTS`, :data:`EDGE_COUNTS` and :data:`REACH_SECONDS`
#: give, with plain windows, ``count(DISTINCT ...)``, ``CASE`` and the standard
#: ``percentile_cont(...) WITHIN GROUP (ORDER BY ...)``, so Spark SQL and DuckDB run it as
#: written, and Trino with ``approx_percentile`` in its place (tests/traffic/
#: test_cluster_sql.py runs it in DuckDB).  ``threshold`` holds ``--min-calls``.
PORTABLE_COUNTS = """
WITH threshold AS (SELECT 5 AS min_calls),
walked AS (
    SELECT call_id, flow, node, key,
           lead(flow) OVER (PARTITION BY call_id ORDER BY position) AS to_flow,
           lead(node) OVER (PARTITION BY call_id ORDER BY position) AS to_node,
           moment AS logged_at, seconds,
           CASE WHEN moment IS NOT NULL THEN moment
                WHEN count(*) OVER (PARTITION BY call_id ORDER BY position
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                     = count(seconds) OVER (PARTITION BY call_id ORDER BY position
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN CAST(round(coalesce(sum(seconds) OVER (
                         PARTITION BY call_id ORDER BY position
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) * 1e6) AS BIGINT)
                END AS step_time
    FROM steps
),
per_node AS (
    SELECT flow, node, count(DISTINCT call_id) AS calls, count(*) AS steps,
           count(CASE WHEN to_node IS NULL THEN 1 END) AS ended
    FROM walked
    GROUP BY flow, node
),
per_edge AS (
    SELECT flow, node, to_flow, to_node, key,
           count(DISTINCT call_id) AS calls, count(*) AS steps
    FROM walked
    WHERE to_node IS NOT NULL
    GROUP BY flow, node, to_flow, to_node, key
),
arrivals AS (
    SELECT call_id, flow, node, min(step_time) AS arrived
    FROM walked
    GROUP BY call_id, flow, node
),
starts AS (
    SELECT call_id, min(step_time) AS started
    FROM walked
    GROUP BY call_id
    HAVING count(logged_at) + count(seconds) > 0
),
per_reach AS (
    SELECT arrivals.flow, arrivals.node, count(*) AS calls,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY (arrived - started) / 1e6)
               AS median_seconds,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY (arrived - started) / 1e6)
               AS p95_seconds
    FROM arrivals JOIN starts ON arrivals.call_id = starts.call_id
    WHERE arrived IS NOT NULL AND started IS NOT NULL
    GROUP BY arrivals.flow, arrivals.node
),
per_flow AS (
    SELECT flow, min(logged_at) AS first_at, max(logged_at) AS last_at
    FROM walked
    WHERE logged_at IS NOT NULL
    GROUP BY flow
),
counted_flows AS (
    SELECT DISTINCT flow FROM per_node CROSS JOIN threshold WHERE calls >= min_calls
)
SELECT 'total' AS kind, NULL AS flow, NULL AS node, NULL AS to_flow, NULL AS to_node,
       NULL AS key, count(CASE WHEN to_node IS NULL THEN 1 END) AS calls,
       count(*) AS steps, NULL AS ended,
       CAST(NULL AS DOUBLE) AS median_seconds, CAST(NULL AS DOUBLE) AS p95_seconds,
       (max(logged_at) - min(logged_at)) / 1e6 / 86400.0 AS days
FROM walked
UNION ALL
SELECT 'min_calls', NULL, NULL, NULL, NULL, NULL, min_calls, NULL, NULL, NULL, NULL, NULL
FROM threshold
UNION ALL
SELECT 'node', per_node.flow, per_node.node, NULL, NULL, NULL, per_node.calls,
       per_node.steps,
       CASE WHEN ended BETWEEN 1 AND min_calls - 1 THEN NULL ELSE ended END,
       CASE WHEN per_reach.calls >= min_calls THEN per_reach.median_seconds END,
       CASE WHEN per_reach.calls >= min_calls THEN per_reach.p95_seconds END,
       NULL
FROM per_node
CROSS JOIN threshold
LEFT JOIN per_reach ON per_reach.flow = per_node.flow AND per_reach.node = per_node.node
WHERE per_node.calls >= min_calls
UNION ALL
SELECT 'edge', flow, node, to_flow, to_node, key, calls, steps, NULL, NULL, NULL, NULL
FROM per_edge CROSS JOIN threshold
WHERE calls >= min_calls
UNION ALL
SELECT 'span', flow, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (last_at - first_at) / 1e6 / 86400.0
FROM per_flow
WHERE flow IN (SELECT flow FROM counted_flows)
"""
