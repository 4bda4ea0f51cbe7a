"""Asterisk, round 6: values carried across priorities, jumps and extensions (the forward
pass of carried.py): a variable set before WaitExten() is known in the extension a key
leads to, the values every GotoIf() into an extension pins, and a retry limit held in a
channel variable (fixtures under fixtures/round6/, each citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round6"


def findings(path: Path) -> list[tuple[str, int, str]]:
    report = check([str(path)], skip_non_menus=True).report
    return [(f.rule, f.line, f.message) for f in report.findings]


_NO_MATCH = "has no no-match handler: the platform hangs up on a caller who mistypes"


def test_a_value_set_before_waitexten_is_known_where_the_keys_lead():
    (menu,) = load_all(HERE / "carried_waitexten.conf")
    # ExecIf($[${recording}=1]?WaitExten(30):Hangup()) always waits: a menu, no Hangup arm.
    assert menu.nodes["recording,waiting,2"].type == "menu"
    assert "recording,waiting,2:else" not in menu.nodes
    assert findings(HERE / "carried_waitexten.conf") == [
        ("DE004", 9, f"menu 'recording,s,2' {_NO_MATCH}"),
        ("DE004", 15, f"menu 'recording,waiting,2' {_NO_MATCH}"),
    ]


def test_a_key_pressed_before_the_value_is_set_leaves_it_unknown():
    assert findings(HERE / "carried_waitexten_unset.conf") == [
        ("DE004", 7, f"menu 'recording,s,2' {_NO_MATCH}"),
        ("DE003", 13, "'recording,waiting,2:else' hangs up and gives no reason"),
    ]


def test_the_values_every_jump_into_an_extension_pins_decide_its_tests():
    (menu,) = load_all(HERE / "carried_label_values.conf")
    tests = menu.nodes["from-pstn,chosen,2"]
    assert [case.next for case in tests.cases] == ["from-pstn,sales,1"]
    assert tests.else_ == "from-pstn,support,1"  # KIND=2 there: the Hangup() is not a route
    assert "from-pstn,chosen,4" not in menu.nodes
    # Only the Read() going back to itself after 'invalid' with no counter (DE008).
    assert findings(HERE / "carried_label_values.conf") == [
        (
            "DE008",
            7,
            "when the caller says nothing or presses an invalid key at 'from-pstn,s,ask', it "
            "asks again with no limit: a caller who cannot answer hears it until they hang up",
        )
    ]


def test_a_retry_limit_held_in_a_channel_variable_makes_the_exit_retries_exhausted():
    (menu,) = load_all(HERE / "carried_limit.conf")
    asked = menu.nodes["from-pstn,s,ask"]
    assert asked.retries == 2
    assert asked.retries_exhausted == "from-pstn,s,goodbye"
    assert [rule for rule, _, _ in findings(HERE / "carried_limit.conf")] == ["DE005", "MN002"]
