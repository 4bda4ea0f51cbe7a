"""Asterisk, round 4: what a jump to an extension held in a variable may reach, and calls
turned away before the caller hears or chooses anything (fixtures under fixtures/round4/,
each citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round4"
TURNED_AWAY = (
    "the call is turned away before it hears or chooses anything (a number no service answers)"
)


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in check([str(path)], skip_non_menus=True).report.findings]


def test_a_jump_to_a_number_held_in_a_variable_reaches_only_extensions_a_number_finds():
    (lobby,) = load_all(HERE / "runtime_goto.conf")
    # ${OPERATOR} comes from the database (ODBC_SETUP), not from the caller: Asterisk runs
    # the ONE extension it names, known only at run time (round 7: an unknown, not a case
    # per extension); the feature code *8, t and _[a-zA-Z]. are reached by nothing.
    assert fields(lobby, "lobby,0,2") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "dialout,${OPERATOR},1",
        "note": "Goto(dialout,${OPERATOR},1): jumps to extension ${OPERATOR} of 'dialout', "
        "known only at run time (not a number the caller dialled or keyed)",
    }
    assert not [node for node in lobby.nodes if node.startswith("dialout,")]
    # 'i' plays 'invalid' and goes back to the menu with no counter (DE008).
    assert findings(HERE / "runtime_goto.conf") == [("DE008", 9)]


def test_a_variable_naming_no_number_is_known_only_at_run_time(tmp_path):
    # ${CHANNEL(language)} is the channel's setting ("en"), not the caller's keys: one
    # extension, known only at run time.
    path = tmp_path / "extensions.conf"
    path.write_text(
        "; docs.asterisk.org, Dialplan_Applications/Goto and Function_CHANNEL (language)\n"
        "[main]\n"
        "exten => s,1,Answer()\n"
        " same => n,Goto(lang,${CHANNEL(language)},1)\n"
        " same => n(menu),Background(menu)\n"
        " same => n,WaitExten(5)\n"
        "exten => 1,1,Dial(SIP/desk,20)\n"
        " same => n,VoiceMail(100@default,u)\n"
        "exten => i,1,Goto(s,menu)\n"
        "exten => t,1,Goto(1,1)\n"
        "[lang]\n"
        "exten => en,1,Playback(hello)\n"
        " same => n,Goto(main,s,menu)\n"
        "exten => fr,1,Playback(bonjour)\n"
        " same => n,Goto(main,s,menu)\n",
        encoding="utf-8",
    )
    (main,) = load_all(path)
    assert fields(main, main.start)["type"] == "unknown"
    assert fields(main, main.start)["reason"] == "run-time"


def test_calls_turned_away_at_the_door_and_a_key_that_only_hangs_up_are_not_refusals():
    menus = {menu.id: menu for menu in load_all(HERE / "door.conf")}
    trunk = menus["from-trunk"]
    # No extension matches (the channel driver rejects the call), no number (s), a number
    # the dispatch sends nowhere, a route whose Dial is commented out.
    for node in ("from-trunk:else", "from-trunk,s,1", "from-trunk,_X.,4", "from-trunk,_81155X.,2"):
        assert fields(trunk, node)["reason"] == "completed", node
        assert fields(trunk, node)["note"].endswith(TURNED_AWAY), node
    assert fields(trunk, "desk,#,1") == {
        "type": "hangup",
        "reason": "completed",
        "note": "the caller pressed a key that only hangs up: they asked to end the call",
    }
    # The Dial that fails and hangs up after "sorry" is still what it was (not a door).
    assert "reason" not in fields(trunk, "desk,1,2")
    assert [rule for rule, _ in findings(HERE / "door.conf") if rule == "DE003"] == []


def test_a_silent_hangup_after_the_caller_heard_something_is_not_at_the_door(tmp_path):
    path = tmp_path / "extensions.conf"
    path.write_text(
        "; docs.asterisk.org, Dialplan_Applications/Background, WaitExten and Hangup\n"
        "[main]\n"
        "exten => s,1,Answer()\n"
        " same => n,Background(press-1)\n"
        " same => n,WaitExten(5)\n"
        "exten => 1,1,GotoIf($[${DB(open)} = 1]?desk)\n"
        " same => n,Hangup()\n"
        " same => n(desk),Dial(SIP/desk,20)\n"
        " same => n,VoiceMail(100@default,u)\n"
        "exten => i,1,Goto(s,2)\n"
        "exten => t,1,Goto(s,2)\n",
        encoding="utf-8",
    )
    assert ("DE003", 7) in findings(path)
