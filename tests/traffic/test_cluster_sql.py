"""The cluster recipe of docs/traffic.md: the documented query is `sql.PORTABLE_COUNTS`
word for word, and run in DuckDB over the steps of a generated log it writes the same
counts file as `ivraudit traffic --counts`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.traffic import read_counts, sql

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "traffic.md"

#: The steps table the recipe asks for (step 1), made in DuckDB from a generic log.
STEPS = """
CREATE TABLE steps AS
SELECT CAST(call_id AS VARCHAR) AS call_id,
       coalesce(CAST(flow AS VARCHAR), '') AS flow,
       CAST(node AS VARCHAR) AS node,
       {position} AS position,
       CASE WHEN regexp_full_match(trim(CAST(key AS VARCHAR)), '[0-9*#A-D]|[a-z_]{{1,32}}')
            THEN trim(CAST(key AS VARCHAR)) ELSE '' END AS key,
       {moment} AS moment,
       CASE WHEN TRY_CAST(seconds AS DOUBLE) >= 0 THEN TRY_CAST(seconds AS DOUBLE) END
           AS seconds
FROM (SELECT *, NULL AS flow FROM read_csv({path}, all_varchar = true))
"""


def documented_query() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- portable-counts -->\n```sql\n(.*?)```", text, re.DOTALL)
    assert found, "docs/traffic.md lost its portable counts query"
    return found.group(1)


def test_the_documented_query_is_the_one_in_sql_py():
    assert documented_query().strip() == sql.PORTABLE_COUNTS.strip()


AT = 'epoch_us(CAST("at" AS TIMESTAMPTZ))'


@pytest.mark.parametrize(
    ("menu", "order", "position", "moment"),
    [
        # Placed by seq: a step's time is the sum of the seconds of the steps before it.
        ("telecom-bad.yaml", "seq", "CAST(seq AS BIGINT)", "NULL"),
        ("bank.yaml", "at", AT, AT),
    ],
)
def test_the_portable_query_gives_the_counts_file_of_ivraudit(
    tmp_path, monkeypatch, menu, order, position, moment
):
    monkeypatch.chdir(tmp_path)
    generator = ROOT / "benchmarks" / "traffic_generate.py"
    command = [sys.executable, str(generator), str(ROOT / "menus" / menu), "--calls", "700"]
    command += ["-p", "1=3", "--order", order, "-o", "calls.csv"]
    subprocess.run(command, check=True, capture_output=True)
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "ivraudit.parquet"])
    assert made.exit_code == 0, made.output

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    steps = STEPS.format(position=position, moment=moment, path=sql.literal("calls.csv"))
    connection.execute(steps)
    connection.execute(f"COPY ({documented_query()}) TO 'cluster.parquet' (FORMAT parquet)")
    connection.close()

    theirs, ours = read_counts("cluster.parquet"), read_counts("ivraudit.parquet")
    assert theirs == ours
    assert theirs.calls == 700 and theirs.min_calls == 5
    assert len(theirs.nodes) > 5 and len(theirs.edges) > 5
    # Both keep the times to reach each node, and suppress them as the counts.
    assert len(theirs.reach) > 5
    assert {(r.flow, r.node) for r in theirs.reach} <= {(n.flow, n.node) for n in theirs.nodes}
    # ...and check --traffic reads it as it reads its own.
    runner = CliRunner()
    with_ours = runner.invoke(
        main, ["check", str(ROOT / "menus" / menu), "--traffic", "ivraudit.parquet", "-f", "json"]
    )
    with_theirs = runner.invoke(
        main, ["check", str(ROOT / "menus" / menu), "--traffic", "cluster.parquet", "-f", "json"]
    )
    assert with_ours.stdout == with_theirs.stdout
