"""Every count the tool reports equals what the generator (benchmarks/traffic_generate.py)
put in the log, in every log format: calls, steps, per node, per edge, and each finding's
calls and share."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivraudit.cli import main
from ivraudit.traffic import read_counts
from tests.conftest import MENUS

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "traffic_generate.py"
_spec = importlib.util.spec_from_file_location("traffic_generate", GENERATOR)
assert _spec and _spec.loader
traffic_generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = traffic_generate  # its dataclass looks itself up there
_spec.loader.exec_module(traffic_generate)

#: The file each platform's log is written to (the generic log takes every suffix).
PLATFORM_SUFFIXES = {
    "twilio-studio": ".json",
    "connect-flow-logs": ".jsonl",
    "asterisk-cel": ".csv",
}
KEYS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "no_input", "no_match"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    menu=st.sampled_from(sorted(p.name for p in MENUS.iterdir() if p.suffix in (".yaml", ".json"))),
    calls=st.integers(min_value=1, max_value=80),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    weights=st.dictionaries(st.sampled_from(KEYS), st.floats(min_value=0, max_value=5)),
    hangup=st.floats(min_value=0, max_value=0.6),
    answered=st.floats(min_value=0, max_value=1),
    suffix=st.sampled_from([".csv", ".jsonl", ".parquet"]),
    order=st.sampled_from(["seq", "at", "both"]),
    log_format=st.sampled_from(traffic_generate.LOG_FORMATS),
)
def test_every_count_equals_what_the_generator_wrote(
    menu, calls, seed, weights, hangup, answered, suffix, order, log_format
):
    suffix = PLATFORM_SUFFIXES.get(log_format, suffix)
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "log" + suffix)
        truth = traffic_generate.generate(
            str(MENUS / menu), log, calls, seed, weights, hangup, answered, order, log_format
        )
        counts_file = os.path.join(folder, "counts.parquet")
        made = CliRunner().invoke(
            main, ["traffic", log, "--counts", counts_file, "--min-calls", "1"]
        )
        assert made.exit_code == 0, made.output
        counts = read_counts(counts_file)

        assert (counts.calls, counts.steps, counts.min_calls) == (truth.calls, truth.steps, 1)
        assert {n.node: (n.calls, n.steps, n.ended) for n in counts.nodes} == {
            node: (truth.reached[node], truth.visits[node], truth.ended[node])
            for node in truth.reached
        }
        assert {(e.node, e.to_node, e.key): (e.calls, e.steps) for e in counts.edges} == {
            edge: (truth.edge_calls[edge], truth.edge_steps[edge]) for edge in truth.edge_calls
        }

        if log_format == "asterisk-cel":
            return  # CEL names context,extension: the generated menus are no dialplans

        reported = CliRunner().invoke(
            main, ["traffic", str(MENUS / menu), log, "--min-calls", "1", "-f", "json"]
        )
        assert reported.exit_code == 0, reported.output
        (report,) = json.loads(reported.stdout)["menus"]
        assert report["calls"] == truth.calls
        for outcome in report["outcomes"]:
            assert outcome["calls"] == truth.reached[outcome["node"]]
        for row in report["nodes"]:
            assert row["calls"] == truth.reached[row["node"]]
            if row["abandoned_known"]:
                assert row["abandoned"] == truth.ended[row["node"]]

        checked = CliRunner().invoke(
            main,
            ["check", str(MENUS / menu), "-f", "json", "--no-witness", "--traffic", counts_file],
        )
        report = json.loads(checked.stdout)
        assert report["traffic"]["drift"] == {"steps": 0, "nodes": []}
        for finding in report["findings"]:
            reached = truth.reached[finding["node"]]
            assert finding["calls"] == reached
            assert finding["share"] == round(reached / truth.calls, 6)
        shown = [finding["calls"] for finding in report["findings"]]
        assert shown == sorted(shown, reverse=True)
