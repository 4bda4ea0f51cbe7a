"""Asterisk: parts no caller enters, what a silent wait or a pass-through announcement is,
and calls that end as intended (fixtures under fixtures/roles3/, each citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load, load_all
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "roles3"


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in check([str(path)], skip_non_menus=True).report.findings]


def test_disa_and_a_context_that_only_passes_calls_on_to_be_dialled_are_internal():
    roles = {menu.id: (menu.role, menu.role_reason) for menu in load_all(HERE / "dial_out.conf")}
    assert roles == {
        "incoming": (
            "entry",
            "context incoming plays a prompt and waits for digits, and nothing in the "
            "dialplan leads to it",
        ),
        "agentdial": (
            "internal",
            "context agentdial places calls out: its extensions only pass the number on to "
            "be dialled, without a word to the caller (context outgoing is where DISA() "
            "gives a dial tone, at dial_out.conf:14)",
        ),
        "disa": (
            "internal",
            "context disa gives a dial tone to place calls out (DISA, Direct Inward System Access)",
        ),
    }
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "dial_out.conf") == [("DE008", 8)]


def test_a_route_into_the_fax_extension_is_the_fax_side_not_a_hangup():
    menu = load(HERE / "fax.conf")
    assert fields(menu, "incoming,fax,1:fax") == {
        "type": "unknown",
        "reason": "unsupported",
        "target": "incoming,fax,1",
        "note": "extension fax of context incoming takes the calls fax detection sends there "
        "(a fax machine), not a caller's line",
    }
    assert menu.nodes["incoming,s,menu"].options["1"] == "incoming,fax,1:fax"
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "fax.conf") == [("DE008", 7)]


def test_a_silent_wait_after_a_forward_is_no_question_and_no_wrong_answer():
    menu = load(HERE / "silent_wait.conf")
    assert fields(menu, "incoming,s,<end>") == {
        "type": "action",
        "next": "incoming,t,1",
        "note": "extension s has no priority 3; with autofallthrough=no Asterisk waits "
        "silently (the response timeout, 10 s) for an extension to be dialled, with no "
        "prompt asking for one: the caller hears silence, then the timeout",
    }
    assert not [node for node in menu.nodes.values() if node.type in ("ask", "menu")]
    assert findings(HERE / "silent_wait.conf") == []  # was DE005 "gives no valid answer"


def test_a_one_second_wait_whose_t_and_i_go_on_is_an_announcement_not_a_menu():
    menu = load(HERE / "pass_through.conf")
    assert fields(menu, "app-announcement-1,s,play") == {
        "type": "say",
        "play": "please-wait",
        "next": "ivr-main,s,1",
        "note": "Background() then WaitExten() of 1 s whose timeout ('t') and invalid key "
        "('i') both go on to the same place: an announcement, not a menu",
    }
    # Was MN002 at line 12; ivr-main's 'i' and 't' go back to it with no counter (DE008).
    assert findings(HERE / "pass_through.conf") == [("DE008", 18)]


def test_a_blacklisted_caller_turned_away_is_no_refused_service():
    menu = load(HERE / "blacklist.conf")
    (check_flow,) = menu.subflows.values()
    hangups = {
        node_id: fields(check_flow, node_id)
        for node_id, node in check_flow.nodes.items()
        if node.type == "hangup"
    }
    assert hangups == {
        "app-blacklist-check,s,blacklisted": {
            "type": "hangup",
            "play": "ss-noservice",
            "reason": "completed",
            "note": "a caller on the blacklist (BLACKLIST()) is turned away on purpose",
        }
    }
    # Key 2's "not taking calls" is still a refused service; the blacklist's is not.
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "blacklist.conf") == [("DE008", 7), ("DE003", 13)]


def test_skipped_lines_that_change_nothing_for_callers_are_not_reported():
    menus = {menu.id: menu for menu in load_all(HERE / "notices.conf")}
    # Line 12 (a skipped Goto back to the menu) is reported with the menu that reaches it;
    # line 14 (a last HangUp()) and line 19 (in a feature-code context) change nothing.
    assert [notice.position.line for notice in menus["incoming"].notices] == [12]
    assert menus["phones-only"].role == "internal"
    assert menus["phones-only"].notices == []
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "notices.conf") == [("DE008", 7), ("DE003", 11), ("ST004", 12)]
