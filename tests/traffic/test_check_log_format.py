"""`ivraudit check --traffic LOGS --log-format NAME`: the logs' format forced, as
`ivraudit traffic` forces it."""

from __future__ import annotations

from click.testing import CliRunner

from ivraudit.cli import main
from tests.traffic.test_platforms import TWILIO_FLOW, twilio_steps, write


def check(*args: str):
    return CliRunner().invoke(main, ["check", str(TWILIO_FLOW), "--no-witness", *args])


def test_a_forced_log_format_weighs_the_findings_as_auto_does(tmp_path):
    log = str(write(tmp_path / "steps.json", twilio_steps()))
    forced = check("--traffic", log, "--log-format", "twilio-studio", "--select", "DE003")
    found = check("--traffic", log, "--select", "DE003")
    assert forced.exit_code == found.exit_code == 1
    assert forced.stdout == found.stdout
    assert forced.stdout == (
        f"{TWILIO_FLOW}:54:9: DE003 warning: 'check_hours: end of flow' hangs up and gives "
        "no reason (under 5 calls)\n"
        "    fix: before the flow ends, Say/Play a message that says the caller was served, "
        "or connect the route to Send to Flex or Connect Call To\n"
        "1 finding (0 errors, 1 warning, 0 info) in 1 file.\n"
    )


def test_a_log_forced_into_a_format_it_is_not_in_is_refused(tmp_path):
    log = str(write(tmp_path / "steps.json", twilio_steps()))
    result = check("--traffic", log, "--log-format", "connect-flow-logs")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"ivraudit: error: {log}: a log of Amazon Connect flow logs needs the columns "
        "contactid, identifier, timestamp; missing contactid, identifier, timestamp\n"
    )


def test_log_format_needs_traffic():
    result = check("--log-format", "generic")
    assert result.exit_code == 2
    assert "--log-format goes with --traffic" in result.stderr


def test_a_counts_file_has_no_log_format(tmp_path):
    log = str(write(tmp_path / "steps.json", twilio_steps()))
    counts = str(tmp_path / "counts.parquet")
    made = CliRunner().invoke(main, ["traffic", log, "--counts", counts, "--min-calls", "1"])
    assert made.exit_code == 0
    result = check("--traffic", counts, "--log-format", "twilio-studio")
    assert result.exit_code == 2
    assert result.stderr == (
        f"ivraudit: error: {counts}: a counts file has no log format: drop --log-format\n"
    )
