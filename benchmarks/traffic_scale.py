"""The scale benchmark of call logs (issue 18, docs/performance.md "Call logs").

Writes a generic log of ``--calls`` calls (1,000,000 by default, 10 steps each: 10
million step rows) as Parquet, with DuckDB so that writing it takes seconds, then
measures on that one file:

* DuckDB alone: ``SELECT node, count(*) FROM read_parquet(...) GROUP BY node``, the
  floor any count per node must pay (best of ``--repeat`` runs, in this process);
* ``ivraudit traffic LOG --counts out.parquet``, the whole command in a subprocess:
  its wall time and its peak resident memory (``ru_maxrss`` of that child);
* the ratio of the two, against the target of at most 3x in under 1 GB.

    python benchmarks/traffic_scale.py                      # 10 million steps
    python benchmarks/traffic_scale.py --calls 100000       # a quick look
    python benchmarks/traffic_scale.py --keep /tmp/steps.parquet

Each call is ``welcome``, ``main``, then 8 steps among 60 nodes (``node_00`` ...), a
key pressed at about half of them; call ids are ``CA`` and 30 hex digits, as a
platform's call sids are.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

STEPS_PER_CALL = 10
NODES = 60

GENERATE = f"""
COPY (
    SELECT 'CA' || substr(md5(CAST(call AS VARCHAR)), 1, 30) AS call_id,
           CASE step WHEN 0 THEN 'welcome' WHEN 1 THEN 'main'
                ELSE 'node_' || lpad(CAST(hash(call, step) % {NODES} AS VARCHAR), 2, '0')
                END AS node,
           step + 1 AS seq,
           CASE WHEN hash(step, call) % 2 = 0
                THEN CAST(hash(call * 7 + step) % 10 AS VARCHAR) ELSE '' END AS key
    FROM range(?) AS calls(call), range({STEPS_PER_CALL}) AS steps(step)
) TO {{path}} (FORMAT parquet)
"""
GROUP_BY_NODE = "SELECT node, count(*) FROM read_parquet({path}) GROUP BY node"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def generate(path: str, calls: int) -> float:
    started = time.perf_counter()
    with duckdb.connect(":memory:") as connection:
        connection.execute(GENERATE.format(path=literal(path)), [calls])
    return time.perf_counter() - started


def duckdb_alone(path: str, repeat: int) -> float:
    best = float("inf")
    with duckdb.connect(":memory:") as connection:
        for _ in range(repeat):
            started = time.perf_counter()
            connection.execute(GROUP_BY_NODE.format(path=literal(path))).fetchall()
            best = min(best, time.perf_counter() - started)
    return best


def ivraudit_traffic(path: str, counts: str) -> tuple[float, int, str]:
    """Wall seconds, peak resident bytes, and stderr of ``ivraudit traffic``."""
    command = [sys.executable, "-m", "ivraudit", "traffic", path, "--counts", counts]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    said = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"ivraudit traffic failed ({child.returncode}): {said}")
    return seconds, usage.ru_maxrss * 1024, said.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best is kept)")
    parser.add_argument("--keep", help="write the log here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivraudit-scale-") as folder:
        log = args.keep or str(Path(folder) / "steps.parquet")
        made = generate(log, args.calls)
        rows = args.calls * STEPS_PER_CALL
        size = os.path.getsize(log) / 1e6
        print(
            f"log: {rows:,} steps of {args.calls:,} calls, {size:.0f} MB Parquet, "
            f"written in {made:.1f} s"
        )
        alone = duckdb_alone(log, args.repeat)
        print(f"DuckDB alone (SELECT node, count(*) ... GROUP BY node): {alone:.3f} s")
        runs = [
            ivraudit_traffic(log, str(Path(folder) / "out.parquet")) for _ in range(args.repeat)
        ]
        seconds = min(run[0] for run in runs)
        peak = max(run[1] for run in runs)
        print(
            f"ivraudit traffic LOG --counts out.parquet: {seconds:.3f} s, "
            f"peak {peak / 2**20:.0f} MiB"
        )
        print(f"  ({runs[0][2]})")
        ratio = seconds / alone
        verdict = "met" if ratio <= 3 and peak < 2**30 else "NOT met"
        print(f"ratio: {ratio:.1f}x (target: at most 3x in under 1 GB: {verdict})")
        print(
            f"DuckDB {duckdb.__version__}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        )


if __name__ == "__main__":
    main()
