"""Configuration: where it is found, what it may say, and how it changes the audit."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ivraudit import ConfigError, Severity, load_config, loads
from ivraudit.cli import main
from ivraudit.config import Config, find_config
from ivraudit.rules.config import config_from_dict
from ivraudit.rules.engine import audit

MENU = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: Press 1 to 6.
    options: {"1": a, "2": a, "3": a, "4": a, "5": a, "6": a}
    no_input: main
    no_match: main
  a: {type: transfer, target: "queue:a"}
"""


def rules_found(config: Config, text: str = MENU) -> list[str]:
    return [f"{f.rule}:{f.severity}" for f in audit(loads(text, name="m.yaml"), config).findings]


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config() == Config()


def test_found_by_walking_up(tmp_path, monkeypatch):
    (tmp_path / "ivraudit.toml").write_text("max_options = 7\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == tmp_path / "ivraudit.toml"
    assert load_config().settings.max_options == 7


def test_pyproject_tool_table(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ivraudit]\nignore = ["MN"]\n'
        "[tool.ivraudit.settings]\nmax_presses = 2\n"
    )
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.ignore == ["MN"]
    assert config.settings.max_presses == 2


def test_pyproject_without_the_table_is_passed_over(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert find_config() is None


def test_thresholds_select_ignore_and_severity():
    assert rules_found(config_from_dict({"select": ["MN001"]})) == ["MN001:warning"]
    assert rules_found(config_from_dict({"select": ["MN001"], "max_options": 6})) == []
    assert (
        rules_found(
            config_from_dict({"select": ["MN"], "ignore": ["MN002", "too-many-options", "MN003"]})
        )
        == []
    )
    raised = config_from_dict({"select": ["MN001"], "severity": {"MN": "error"}})
    assert rules_found(raised) == ["MN001:error"]


def test_per_file_ignores():
    config = config_from_dict({"select": ["MN001"], "per_file_ignores": {"legacy/*.yaml": ["MN"]}})
    assert audit(loads(MENU, name="legacy/old.yaml"), config).findings == []
    assert len(audit(loads(MENU, name="new/menu.yaml"), config).findings) == 1
    # However the path is spelled on the command line.
    assert audit(loads(MENU, name="./legacy/old.yaml"), config).findings == []


def test_extra_identity_fields():
    text = """\
ivraudit: 1
start: first
nodes:
  first: {type: ask, say: Enter your loyalty code., next: second, fail: second}
  second: {type: ask, say: Please key in your loyalty code again., next: agent,
           fail: agent}
  agent: {type: transfer, target: "queue:a", fail: agent}
"""
    assert rules_found(config_from_dict({"select": ["ID001"]}), text) == []
    extra = config_from_dict(
        {"select": ["ID001"], "identity_fields": {"loyalty_code": ["loyalty code"]}}
    )
    assert rules_found(extra, text) == ["ID001:warning"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"max_option": 3},
            "<config>: unknown config key 'max_option' (did you mean 'max_options'?)",
        ),
        ({"selct": ["DE"]}, "<config>: unknown config key 'selct' (did you mean 'select'?)"),
        (
            {"max_options": "many"},
            "<config>: config key 'max_options': Input should be a valid "
            "integer, unable to parse string as an integer",
        ),
        (
            {"severity": {"DE001": "loud"}},
            "<config>: config key 'severity.DE001': Input should be 'error', 'warning' or 'info'",
        ),
        (
            {"select": ["DE01X"]},
            "<config>: config key 'select': 'DE01X' names no rule; see 'ivraudit rules'",
        ),
        (
            {"severity": {"XX001": "info"}},
            "<config>: config key 'severity': 'XX001' names no rule; see 'ivraudit rules'",
        ),
        (
            {"per_file_ignores": {"legacy/*": ["ZZ"]}},
            "<config>: config key 'per_file_ignores.legacy/*': 'ZZ' names no rule; "
            "see 'ivraudit rules'",
        ),
        (
            {"operator_key": "00"},
            "<config>: config key 'operator_key': '00' is not one key; use a digit, '*', '#' "
            "or A-D",
        ),
    ],
)
def test_bad_config_is_a_clear_error(data, message):
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)
    assert str(caught.value) == message


def test_bad_toml_is_a_clear_error(tmp_path):
    path = tmp_path / "ivraudit.toml"
    path.write_text("max_options = \n")
    with pytest.raises(ConfigError, match=r"ivraudit.toml: invalid TOML: "):
        load_config(path)


def test_fail_on_never_and_cli_flags_override(tmp_path):
    config = config_from_dict({"fail_on": "never"})
    assert config.fail_on is None
    menu = tmp_path / "m.yaml"
    menu.write_text(MENU)
    toml = tmp_path / "ivraudit.toml"
    toml.write_text('select = ["MN001"]\nfail_on = "never"\n')
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(menu), "--config", str(toml)]).exit_code == 0
    result = runner.invoke(
        main, ["check", str(menu), "--config", str(toml), "--fail-on", "warning"]
    )
    assert result.exit_code == 1
    result = runner.invoke(main, ["check", str(menu), "--config", str(toml), "--select", "ST"])
    assert result.exit_code == 0
    assert Severity.WARNING.rank > Severity.INFO.rank
