"""Options callers count: keys and words that only move around the menus are not options,
an information option that plays a message and comes back is one (fixtures/counting)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load
from ivraudit.analysis.context import AuditContext
from ivraudit.config import Config
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "counting"
MENU_RULES = Config(select=["MN001", "MN007"])


def _choices(name: str) -> dict[str, list[str]]:
    ctx = AuditContext(load(HERE / name))
    return {node: ctx.menu_choices(node) for node, _ in ctx.nodes("menu")}


def _found(name: str) -> list[tuple[str, str, int, str]]:
    report = check([str(HERE / name)], MENU_RULES).report
    return [(f.rule, f.node, f.line, f.message) for f in report.findings]


def test_a_connect_repeat_key_through_the_blocks_own_error_step_is_not_an_option():
    # Amazon Connect flow language (Get customer input, Transitions): a block with an Error
    # branch is entered through 'Main menu (runs)', written at the block itself; keys 9
    # (again) and 8 (main menu, on the main menu) go back to it.
    assert _choices("connect-repeat.json") == {"Main menu": ["1", "2", "3", "4", "5"]}
    assert _found("connect-repeat.json") == []
    # The twin with key 8 a real option: six options, and the prompt skips 6 and 7.
    assert _found("connect-eight.json") == [
        (
            "MN001",
            "Main menu",
            11,
            "menu 'Main menu' offers 6 options, more than the limit of 5",
        ),
        (
            "MN007",
            "Main menu",
            11,
            "the prompt of 'Main menu' skips keys 6, 7: 1, 2, 3, 4, 5, 8",
        ),
    ]


def test_vxml_words_of_a_repeat_back_or_main_menu_choice_are_not_options():
    # The words "repeat", "back", "main menu" are the spoken grammar of choices that go back:
    # the same navigation as their keys.
    assert _choices("vxml-navigation.vxml") == {
        "main": ["1", "2", "3", "4", "5"],
        "more": ["1", "2", "3", "4", "5"],
    }
    assert _found("vxml-navigation.vxml") == []


def test_an_information_option_is_an_option_and_a_repeat_key_is_not():
    # Key 5 plays the opening hours, then the menu again: callers must remember it.
    assert _found("asterisk-info.conf") == [
        ("MN001", "main,s,menu", 6, "menu 'main,s,menu' offers 6 options, more than the limit of 5")
    ]
    # Key 9 goes back to the menu with nothing to hear: six options, not seven.
    assert _found("asterisk-repeat.conf") == [
        ("MN001", "main,s,menu", 5, "menu 'main,s,menu' offers 6 options, more than the limit of 5")
    ]
    assert "9" not in _choices("asterisk-repeat.conf")["main,s,menu"]


def test_a_repeat_key_through_a_message_that_only_says_again_is_not_an_option():
    # Twilio Studio: key 7 plays "Here are the options again." and goes back to the menu.
    assert "7" not in next(iter(_choices("twilio-repeat-say.json").values()))
    assert _found("twilio-repeat-say.json") == []


def test_a_key_that_runs_an_action_and_comes_back_is_an_option_in_a_menu_built_in_python():
    # An action (an SMS with the address, say) is something of its own, wherever the menu
    # was built: only a platform's own block step (Menu.block_steps) is passed through.
    from ivraudit.model.menu import Menu
    from ivraudit.rules.engine import audit

    options = {str(key): f"team{key}" for key in range(1, 6)} | {"6": "sms"}
    nodes = {
        "main": {"type": "menu", "say": "Choose.", "options": options},
        "sms": {"type": "action", "note": "texts our address", "next": "main"},
    }
    nodes |= {f"team{key}": {"type": "transfer", "target": f"t{key}"} for key in range(1, 6)}
    menu = Menu.model_validate({"ivraudit": 1, "start": "main", "nodes": nodes})
    assert AuditContext(menu).menu_choices("main") == ["1", "2", "3", "4", "5", "6"]
    assert [f.rule for f in audit(menu, Config(select=["MN001"])).findings] == ["MN001"]
