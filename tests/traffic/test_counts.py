"""`ivraudit traffic`: logs in the generic format counted per node and per edge, exactly."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.traffic import Counts, EdgeCount, NodeCount, aggregate, read_counts, write_counts
from ivraudit.traffic.counts import FlowSpan

# Five calls: three press 1 and are served, one presses 0, one hangs up at main.
# Call c3 hesitates once (no_input) and hears main twice.  Call c1 types an account
# number at 'account': digits a caller typed never reach a count.
STEPS = [
    ("c1", "welcome", 1, ""),
    ("c1", "main", 2, "1"),
    ("c1", "account", 3, "12345678"),
    ("c1", "billing", 4, ""),
    ("c2", "welcome", 1, ""),
    ("c2", "main", 2, "1"),
    ("c2", "account", 3, ""),
    ("c2", "billing", 4, ""),
    ("c3", "welcome", 1, ""),
    ("c3", "main", 2, "no_input"),
    ("c3", "main", 3, "1"),
    ("c3", "account", 4, ""),
    ("c3", "billing", 5, ""),
    ("c4", "welcome", 1, ""),
    ("c4", "main", 2, "0"),
    ("c4", "adviser", 3, ""),
    ("c5", "welcome", 1, ""),
    ("c5", "main", 2, ""),
]

EXPECTED = Counts(
    calls=5,
    steps=18,
    min_calls=1,
    nodes=(
        NodeCount("", "account", 3, 3, 0),
        NodeCount("", "adviser", 1, 1, 1),
        NodeCount("", "billing", 3, 3, 3),
        NodeCount("", "main", 5, 6, 1),
        NodeCount("", "welcome", 5, 5, 0),
    ),
    edges=(
        EdgeCount("", "account", "", "billing", "", 3, 3),
        EdgeCount("", "main", "", "account", "1", 3, 3),
        EdgeCount("", "main", "", "adviser", "0", 1, 1),
        EdgeCount("", "main", "", "main", "no_input", 1, 1),
        EdgeCount("", "welcome", "", "main", "", 5, 5),
    ),
)


def write_csv(path: Path, steps: list[tuple[str, str, int, str]] = STEPS) -> Path:
    lines = ["call_id,node,seq,key", *(f"{c},{n},{s},{k}" for c, n, s, k in steps)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path) -> Path:
    # The same calls, placed by 'at' (ISO 8601, two offsets) instead of 'seq'.
    lines = []
    for call, node, seq, key in STEPS:
        at = f"2026-03-02T10:00:{seq:02d}Z" if call != "c4" else f"2026-03-02T11:00:{seq:02d}+01:00"
        row = {"call_id": call, "node": node, "at": at, "seconds": 2.5}
        if key:
            row["key"] = key
        lines.append(json.dumps(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path) -> Path:
    source = write_csv(path.with_suffix(".source.csv"))
    duckdb.sql(
        f"COPY (SELECT call_id, node, CAST(seq AS INTEGER) AS seq, key "
        f"FROM read_csv('{source}', all_varchar = true)) TO '{path}' (FORMAT parquet)"
    )
    source.unlink()
    return path


@pytest.mark.parametrize(
    "writer", [write_csv, write_jsonl, write_parquet], ids=["csv", "jsonl", "parquet"]
)
def test_each_format_gives_the_same_exact_counts(tmp_path, writer):
    suffix = {"write_csv": ".csv", "write_jsonl": ".jsonl", "write_parquet": ".parquet"}
    log = writer(tmp_path / f"log{suffix[writer.__name__]}")
    counts = aggregate([str(log)], min_calls=1)
    assert dataclasses.replace(counts, days=None, spans=()) == EXPECTED
    # Only the log placed by 'at' has times: its steps span 10:00:01 to 10:00:05 UTC.
    assert counts.days == (4 / 86400 if writer is write_jsonl else None)
    assert counts.spans == ((FlowSpan("", 4 / 86400),) if writer is write_jsonl else ())


def test_a_directory_of_logs_in_several_formats_is_one_log(tmp_path):
    first = STEPS[:8]  # calls c1 and c2
    write_csv(tmp_path / "a.csv", first)
    write_csv(tmp_path / "b.csv.txt", first)  # not a log by its name: not read
    rest = [(c, n, s, k) for c, n, s, k in STEPS[8:]]
    write_csv(tmp_path / "c.csv", rest)
    assert aggregate([str(tmp_path)], min_calls=1) == EXPECTED


def test_counts_under_min_calls_are_suppressed(tmp_path):
    log = write_csv(tmp_path / "log.csv")
    counts = aggregate([str(log)], min_calls=3)
    assert counts.nodes == (
        NodeCount("", "account", 3, 3, 0),  # 0 ended: nothing to hide
        NodeCount("", "billing", 3, 3, 3),
        NodeCount("", "main", 5, 6, None),  # 1 ended: under 3, suppressed
        NodeCount("", "welcome", 5, 5, 0),
    )
    assert counts.edges == (
        EdgeCount("", "account", "", "billing", "", 3, 3),
        EdgeCount("", "main", "", "account", "1", 3, 3),
        EdgeCount("", "welcome", "", "main", "", 5, 5),
    )


def test_ended_zero_is_not_suppressed_but_one_is(tmp_path):
    log = write_csv(tmp_path / "log.csv")
    counts = aggregate([str(log)], min_calls=2)
    ended = {row.node: row.ended for row in counts.nodes}
    assert ended == {"account": 0, "billing": 3, "main": None, "welcome": 0}


def test_the_counts_file_reads_back_as_written(tmp_path):
    counts = aggregate([str(write_csv(tmp_path / "log.csv"))], min_calls=1)
    write_counts(counts, str(tmp_path / "counts.parquet"))
    assert read_counts(str(tmp_path / "counts.parquet")) == counts
    columns = duckdb.sql(f"DESCRIBE SELECT * FROM '{tmp_path / 'counts.parquet'}'").fetchall()
    assert [(name, kind) for name, kind, *_ in columns] == [
        ("kind", "VARCHAR"),
        ("flow", "VARCHAR"),
        ("node", "VARCHAR"),
        ("to_flow", "VARCHAR"),
        ("to_node", "VARCHAR"),
        ("key", "VARCHAR"),
        ("calls", "BIGINT"),
        ("steps", "BIGINT"),
        ("ended", "BIGINT"),
        ("median_seconds", "DOUBLE"),
        ("p95_seconds", "DOUBLE"),
        ("days", "DOUBLE"),
    ]


def test_nothing_but_counts_and_node_names_reaches_the_counts_file(tmp_path):
    log = write_csv(tmp_path / "log.csv")
    result = CliRunner().invoke(
        main, ["traffic", str(log), "--counts", str(tmp_path / "c.parquet"), "--min-calls", "1"]
    )
    assert result.exit_code == 0, result.output
    cells = duckdb.sql(f"SELECT * FROM '{tmp_path / 'c.parquet'}'").fetchall()
    text = {str(cell) for row in cells for cell in row if cell is not None}
    assert not text & {"c1", "c2", "c3", "c4", "c5", "12345678"}
    assert text - {str(n) for n in range(20)} == {
        "total",
        "min_calls",
        "node",
        "edge",
        "",
        "welcome",
        "main",
        "account",
        "billing",
        "adviser",
        "no_input",
    }


def test_the_command_says_what_it_wrote(tmp_path):
    log = write_csv(tmp_path / "log.csv")
    out = tmp_path / "counts.parquet"
    result = CliRunner().invoke(main, ["traffic", str(log), "--counts", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        f"ivraudit: counted 5 calls (18 steps): 2 nodes and 1 edges of at least 5 calls "
        f"written to {out}\n"
    )
    assert read_counts(str(out)).nodes == (
        NodeCount("", "main", 5, 6, None),
        NodeCount("", "welcome", 5, 5, 0),
    )


#: Seconds spent at each node: a call reaches its next step that many seconds later.
SECONDS = {"welcome": 2, "main": 5, "account": 4, "billing": 3, "adviser": 3}


def write_timed(path: Path, untimed: tuple[str, ...] = ()) -> Path:
    """STEPS with each step's ``seconds``, none at 'welcome' for the calls ``untimed``."""
    lines = ["call_id,node,seq,key,seconds"]
    for call, node, seq, key in STEPS:
        seconds = "" if call in untimed and node == "welcome" else SECONDS[node]
        lines.append(f"{call},{node},{seq},{key},{seconds}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def node_times(path: Path) -> dict[str, tuple[int, float | None, float | None]]:
    rows = duckdb.sql(
        f"SELECT node, calls, median_seconds, p95_seconds FROM '{path}' WHERE kind = 'node'"
    ).fetchall()
    return {node: (calls, median, p95) for node, calls, median, p95 in rows}


def test_the_counts_file_keeps_the_times_to_reach_each_node(tmp_path):
    # c1, c2: welcome 0 s, main 2 s, account 7 s, billing 11 s; c3 hears main twice
    # (account 12 s, billing 16 s); c4 reaches the adviser at 7 s; c5 stops at main.
    log = write_timed(tmp_path / "log.csv")
    out = tmp_path / "counts.parquet"
    made = CliRunner().invoke(main, ["traffic", str(log), "--counts", str(out), "--min-calls", "1"])
    assert made.exit_code == 0, made.output
    assert node_times(out) == {
        "welcome": (5, 0.0, 0.0),
        "main": (5, 2.0, 2.0),
        # quantile_cont: the 95th percentile of 7, 7, 12 is 7 + 0.9 x 5.
        "account": (3, 7.0, 11.5),
        "billing": (3, 11.0, 15.5),
        "adviser": (1, 7.0, 7.0),
    }
    # ...and reads back as the logs counted with times give them.
    counted = aggregate([str(log)], min_calls=1, times=True)
    assert read_counts(str(out)) == counted
    assert [(r.node, r.median_seconds, r.p95_seconds) for r in counted.reach] == [
        ("account", 7.0, 11.5),
        ("adviser", 7.0, 7.0),
        ("billing", 11.0, 15.5),
        ("main", 2.0, 2.0),
        ("welcome", 0.0, 0.0),
    ]


def test_times_are_null_without_times_and_suppressed_under_min_calls(tmp_path):
    # c1 and c2 give no seconds at 'welcome': their later steps have no time, so only
    # c3 has times at account and billing, under --min-calls 3 (the rows stay, their
    # times are NULL); 'adviser' (1 call) is left out as before.
    log = write_timed(tmp_path / "log.csv", untimed=("c1", "c2"))
    out = tmp_path / "counts.parquet"
    made = CliRunner().invoke(main, ["traffic", str(log), "--counts", str(out), "--min-calls", "3"])
    assert made.exit_code == 0, made.output
    assert node_times(out) == {
        "welcome": (5, 0.0, 0.0),
        "main": (5, 2.0, 2.0),
        "account": (3, None, None),
        "billing": (3, None, None),
    }
    # A log with no times at all (seq, no seconds) writes no times, not even 0 s at the start.
    plain = tmp_path / "plain.parquet"
    made = CliRunner().invoke(
        main, ["traffic", str(write_csv(tmp_path / "p.csv")), "--counts", str(plain)]
    )
    assert made.exit_code == 0, made.output
    assert node_times(plain) == {"main": (5, None, None), "welcome": (5, None, None)}


def test_the_counts_file_keeps_the_days_the_logs_cover(tmp_path):
    counts = aggregate([str(write_jsonl(tmp_path / "log.jsonl"))], min_calls=1)
    assert counts.days == 4 / 86400 and counts.spans == (FlowSpan("", 4 / 86400),)
    out = tmp_path / "counts.parquet"
    write_counts(counts, str(out))
    assert read_counts(str(out)) == counts
    spans = duckdb.sql(f"SELECT flow, days FROM '{out}' WHERE kind = 'span'").fetchall()
    assert spans == [("", 4 / 86400)]
    # A file of the second version (times, no span) reads with no span.
    columns = "kind, flow, node, to_flow, to_node, key, calls, steps, ended, "
    columns += "median_seconds, p95_seconds"
    old = tmp_path / "second.parquet"
    duckdb.sql(f"COPY (SELECT {columns} FROM '{out}') TO '{old}' (FORMAT parquet)")
    assert read_counts(str(old)) == dataclasses.replace(counts, days=None, spans=())


def test_a_counts_file_of_the_first_version_reads_without_times(tmp_path):
    log = write_timed(tmp_path / "log.csv")
    out = tmp_path / "counts.parquet"
    write_counts(aggregate([str(log)], min_calls=1, times=True), str(out))
    old = tmp_path / "old.parquet"
    columns = "kind, flow, node, to_flow, to_node, key, calls, steps, ended"
    duckdb.sql(f"COPY (SELECT {columns} FROM '{out}') TO '{old}' (FORMAT parquet)")
    assert read_counts(str(old)) == dataclasses.replace(EXPECTED, reach=())


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            "call_id,step\nc1,main\n",
            "log.csv",
            "log.csv: a call log needs the columns call_id, node and seq (or at); "
            "missing node, seq or at (found: call_id)",
        ),
        (
            "call_id,node,seq\nc1,main,1\nc1,billing,1\n",
            "log.csv",
            "2 steps share their call and seq/at with another step, so their order is "
            "unknown (give each step of a call its own seq or at)",
        ),
        (
            "call_id,node,seq\nc1,,1\n",
            "log.csv",
            "1 step(s) have no call_id, node, or seq/at (every step needs all three)",
        ),
        (
            "call_id,node,seq\nc1,main,first\n",
            "log.csv",
            "cannot read as a call log: Conversion Error:",
        ),
        (
            "call_id,node,seq\nc1,main,1\n",
            "log.txt",
            "log.txt: not a call log (name it .csv, .jsonl, .ndjson, .json or .parquet)",
        ),
        (
            "call_id,node,seq\nc1,main,1\n",
            "log.csv",
            "the logs hold 1 call(s), fewer than --min-calls 5: every count would be suppressed",
        ),
    ],
    ids=["missing-column", "tied", "blank", "bad-seq", "not-a-log", "too-few-calls"],
)
def test_a_log_that_cannot_be_counted_is_one_line_and_exit_2(tmp_path, content, name, message):
    log = tmp_path / name
    log.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["traffic", str(log), "--counts", str(tmp_path / "c.pq")])
    assert result.exit_code == 2
    assert result.stderr.startswith("ivraudit: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "c.pq").exists()


def test_without_duckdb_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    log = write_csv(tmp_path / "log.csv")
    result = CliRunner().invoke(main, ["traffic", str(log), "--counts", str(tmp_path / "c.pq")])
    assert result.exit_code == 2
    assert result.stderr == (
        "ivraudit: error: reading call logs needs DuckDB: install ivraudit[traffic] "
        "(pip install 'ivraudit[traffic]')\n"
    )


def test_logs_alone_need_counts_or_a_menu(tmp_path):
    log = write_csv(tmp_path / "log.csv")
    result = CliRunner().invoke(main, ["traffic", str(log)])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: give a MENU and its LOGS, or LOGS with --counts FILE\n")


def test_a_flow_of_fewer_calls_than_min_calls_has_no_span(tmp_path):
    # Privacy: a flow whose calls are all suppressed shows neither its name nor its times.
    rows = ["call_id,node,at,flow"]
    for call in range(3):
        rows += [
            f"b{call},main,2026-12-0{call + 1}T10:00:00Z,big",
            f"b{call},end,2026-12-0{call + 1}T10:00:05Z,big",
        ]
    rows += ["s1,main,2026-12-01T09:00:00Z,small", "s1,end,2026-12-09T09:00:00Z,small"]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    counts = aggregate([str(log)], min_calls=3)
    assert [span.flow for span in counts.spans] == ["big"]
    write_counts(counts, str(tmp_path / "counts.parquet"))
    assert read_counts(str(tmp_path / "counts.parquet")).spans == counts.spans
