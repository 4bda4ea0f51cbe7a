"""The rules that need traffic (TR001-TR004) end to end: ``check --traffic`` on a log
written by the generator (benchmarks/traffic_generate.py) gives the rules the counts,
and every number they say is the generator's."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.config import ConfigError, parse_config

duckdb = pytest.importorskip("duckdb")

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "traffic_generate.py"
_spec = importlib.util.spec_from_file_location("traffic_generate", GENERATOR)
assert _spec is not None and _spec.loader is not None
traffic_generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = traffic_generate  # its dataclass looks itself up there
_spec.loader.exec_module(traffic_generate)

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: >-
      For billing press 1. For a fault press 2. For fax orders press 3.
      To speak to someone press 0.
    options: {"1": billing_info, "2": faults, "3": fax, "0": adviser}
  billing_info:
    type: say
    say: >-
      Bills are issued on the first working day of each month and are payable within
      fourteen days. You can view, download and pay your bills online or in our app at
      any time, and set up a direct debit so that you never miss a payment again. If
      you think your bill is wrong, please have your account number and the bill date
      ready before you speak to our billing team, who will look into it for you.
    next: billing_team
  billing_team: {type: transfer, target: "queue:billing"}
  faults: {type: say, say: Our fault line has moved. Please call us on another number.}
  fax: {type: voicemail, say: Leave your fax order after the tone.}
  adviser: {type: transfer, target: "queue:advisers"}
"""

#: 600 calls over 6 hours (under a day: counted as one day); key 2 is chosen twice as
#: often as key 1 and key 3 never; every call that presses 2 meets a dead end.
FOUND = """\
menu.yaml:4:3: TR001 info: menu 'main' announces options 1, 2, 3 but callers choose 2 67%, 1 33%, 3 0%: announcing them in order of use would save about 464 caller-seconds a day (514 choices a day, 8 s prompt) (600 calls, 100.0%)
menu.yaml:9:47: TR002 info: option 3 of menu 'main' (to 'fax') was chosen by fewer than 5 of the 600 logged calls that reached the menu (600 calls, 100.0%)
menu.yaml:20:3: TR003 warning: 100% of the 344 logged calls that reached 'faults' hung up there (344 calls), more than the limit of 20% (344 calls, 57.3%)
"""  # noqa: E501

#: A counts file of the first version keeps no times: TR004 weighs the estimated time to
#: each person.
EXPECTED = (
    FOUND
    + "menu.yaml:19:3: TR004 warning: callers who reached a person took about 33 s from the start on average over 213 logged calls ('billing_team' 41 s (159 calls), 'adviser' 10 s (54 calls); times estimated), more than the limit of 30 s (159 calls, 26.5%)\n"  # noqa: E501
    + "4 findings (0 errors, 2 warnings, 2 info) in 1 file.\n"
)
#: The log's steps are 4 s apart: the logged times (8 s and 4 s) are under 30 s.
LOGGED = FOUND + "3 findings (0 errors, 1 warning, 2 info) in 1 file.\n"
#: ...and over 5 s.
LOGGED_OVER_5 = (
    FOUND + "menu.yaml:19:3: TR004 warning: callers who reached a person took about 7 s from "
    "the start on average over 213 logged calls ('billing_team' 8 s (159 calls), "
    "'adviser' 4 s (54 calls); times logged), more than the limit of 5 s "
    "(159 calls, 26.5%)\n4 findings (0 errors, 2 warnings, 2 info) in 1 file.\n"
)


@pytest.fixture
def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> traffic_generate.Truth:
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(MENU, encoding="utf-8")
    Path("ivraudit.toml").write_text("max_seconds_to_human = 30\n", encoding="utf-8")
    weights = {"1": 3, "2": 6, "3": 0, "0": 1}
    return traffic_generate.generate("menu.yaml", "calls.csv", 600, 7, weights, order="at")


def check(*args: str) -> tuple[int, str]:
    run = CliRunner().invoke(
        main, ["check", "menu.yaml", "--config", "ivraudit.toml", "--select", "TR", *args]
    )
    return run.exit_code, run.stdout


def test_check_traffic_gives_the_rules_the_counts(logged: traffic_generate.Truth) -> None:
    assert check("--traffic", "calls.csv", "--no-witness") == (1, LOGGED)
    # Every count the rules say is the generator's.
    assert logged.reached["main"] == 600
    assert (logged.reached["faults"], logged.ended["faults"]) == (344, 344)
    assert (logged.reached["billing_team"], logged.reached["adviser"]) == (159, 54)
    options = [("1", "billing_info"), ("2", "faults"), ("3", "fax")]
    chosen = {key: logged.edge_calls[("main", nxt, key)] for key, nxt in options}
    assert chosen == {"1": 170, "2": 344, "3": 0}
    # The prompt's 20 words take 8 s: its three options are heard after 8/3, 16/3 and 8 s.
    # Announcing 2 before 1 saves (344 - 170) x 8/3 = 464 caller-seconds on the one day.
    assert round((chosen["2"] - chosen["1"]) * 8 / 3) == 464
    assert sum(chosen.values()) == 514


def test_a_counts_file_gives_the_same_findings(logged: traffic_generate.Truth) -> None:
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "counts.parquet"])
    assert made.exit_code == 0, made.output
    # The counts file keeps the times to reach each node: TR004 weighs them as with the
    # log (8 s and 4 s, under 30 s).  It keeps no span: its calls count as one day, as
    # this log's 6 hours do.
    assert check("--traffic", "counts.parquet", "--no-witness") == (1, LOGGED)
    Path("ivraudit.toml").write_text("max_seconds_to_human = 5\n", encoding="utf-8")
    assert check("--traffic", "counts.parquet", "--no-witness") == (1, LOGGED_OVER_5)


def test_a_counts_file_without_times_weighs_the_estimates(
    logged: traffic_generate.Truth,
) -> None:
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "counts.parquet"])
    assert made.exit_code == 0, made.output
    # A counts file of the first version: the same rows without the times.
    columns = "kind, flow, node, to_flow, to_node, key, calls, steps, ended"
    duckdb.sql(f"COPY (SELECT {columns} FROM 'counts.parquet') TO 'old.parquet' (FORMAT parquet)")
    assert check("--traffic", "old.parquet", "--no-witness") == (1, EXPECTED)


def test_tr004_weighs_the_logged_times(logged: traffic_generate.Truth) -> None:
    # Steps 4 s apart: 'billing_team' is the third step (8 s in), 'adviser' the second.
    Path("ivraudit.toml").write_text("max_seconds_to_human = 5\n", encoding="utf-8")
    assert check("--traffic", "calls.csv", "--no-witness") == (1, LOGGED_OVER_5)


def test_the_rules_are_silent_without_logs(logged: traffic_generate.Truth) -> None:
    assert check() == (0, "0 findings (0 errors, 0 warnings, 0 info) in 1 file.\n")


def test_a_config_file_cannot_set_traffic() -> None:
    with pytest.raises(ConfigError, match="'traffic' is set by 'check --traffic' only"):
        parse_config({"traffic": {"calls": 1}}, "ivraudit.toml")


def _menu(name: str) -> str:
    return (
        f"ivraudit: 1\nstart: {name}_main\nnodes:\n"
        f"  {name}_main:\n    type: menu\n"
        "    say: For sales press 1. For support press 2.\n"
        f'    options: {{"1": {name}_sales, "2": {name}_support}}\n'
        f'  {name}_sales: {{type: transfer, target: "queue:sales"}}\n'
        f'  {name}_support: {{type: transfer, target: "queue:support"}}\n'
    )


def _flow_steps(name: str, calls: int, days: int) -> list[str]:
    """``calls`` calls of flow ``name`` spread over ``days`` days, one in five pressing 1."""
    start = datetime(2026, 3, 2, tzinfo=timezone.utc)
    rows = []
    for number in range(calls):
        at = start + timedelta(days=days) * number / (calls - 1)
        key, to = ("1", "sales") if number % 5 == 0 else ("2", "support")
        call = f"{name}-{number}"
        rows.append(f"{call},{name}_main,{at.isoformat()},{key},{name}")
        rows.append(f"{call},{name}_{to},{(at + timedelta(seconds=5)).isoformat()},,{name}")
    return rows


def test_tr001_counts_calls_a_day_over_each_flows_own_span(tmp_path, monkeypatch):
    # One log of an estate of two flows: 'a' logged 300 calls over 2 days, 'b' 3,000
    # over 10.  The prompt's 8 words take 3.2 s (options heard at 1.6 s and 3.2 s);
    # announcing 2 first saves (240 - 60) x 1.6 = 288 caller-seconds over the log of 'a',
    # 144 a day over its 2 days (over the log's 10 days it would be 29, under the 60 of
    # min_reorder_saving), and 2,880 over 'b', 288 a day over its 10.
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text(_menu("a"), encoding="utf-8")
    Path("b.yaml").write_text(_menu("b"), encoding="utf-8")
    lines = ["call_id,node,at,key,flow", *_flow_steps("a", 300, 2), *_flow_steps("b", 3000, 10)]
    Path("calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = CliRunner().invoke(
        main,
        [
            "check",
            "a.yaml",
            "b.yaml",
            "--select",
            "TR001",
            "--no-witness",
            "--traffic",
            "calls.csv",
        ],
    )
    assert (run.exit_code, run.stdout) == (
        0,
        "b.yaml:4:3: TR001 info: menu 'b_main' announces options 1, 2 but callers choose "
        "2 80%, 1 20%: announcing them in order of use would save about 288 caller-seconds "
        "a day (300 choices a day, 3 s prompt) (3000 calls, 90.9%)\n"
        "a.yaml:4:3: TR001 info: menu 'a_main' announces options 1, 2 but callers choose "
        "2 80%, 1 20%: announcing them in order of use would save about 144 caller-seconds "
        "a day (150 choices a day, 3 s prompt) (300 calls, 9.1%)\n"
        "2 findings (0 errors, 0 warnings, 2 info) in 2 files.\n",
    )
    # A counts file keeps the log's span and each flow's (its 'days' column): the same
    # calls a day, and the same findings, as from the log.
    made = CliRunner().invoke(main, ["traffic", "calls.csv", "--counts", "counts.parquet"])
    assert made.exit_code == 0, made.output
    arguments = ["check", "a.yaml", "b.yaml", "--select", "TR001", "--no-witness", "--traffic"]
    counted = CliRunner().invoke(main, [*arguments, "counts.parquet"])
    assert (counted.exit_code, counted.stdout) == (run.exit_code, run.stdout)
