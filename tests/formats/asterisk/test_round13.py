"""Round 13: what the verifier of issue 14 found the importer misread (fixtures/round13)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load
from tests.conftest import findings_of, node_fields

HERE = Path(__file__).resolve().parent / "fixtures" / "round13"


_fields = node_fields


def _findings(path: Path) -> list[tuple[str, str, int, str]]:
    return findings_of(path)


# -- 1. FreePBX IVRs: the keys Read() stores are the caller's, the counted 'i' is DE005's -------


def test_freepbx_direct_dial_goes_to_the_options_the_caller_keyed():
    menu = load(HERE / "freepbx_ivr.conf")
    # NODEFOUND=0 on every route into While(): the loop is always entered, no "no case holds".
    assert menu.start == "ivr-1,s,16"
    assert "ivr-1,s,beforewhile" not in menu.nodes
    # IVREXT holds the key Read() stored, DIGITS the keys before it: options 1 and 2 appear,
    # and a key no extension answers is a wrong key counted by 'i' (back to the question).
    assert _fields(menu, "ivr-1,s,nodedial") == {
        "type": "branch",
        "note": "Goto(${DIGITS}${IVREXT},1)",
        "cases": [
            {"when": "${DIGITS}${IVREXT} is 1", "next": "ext-queues,400,1"},
            {"when": "${DIGITS}${IVREXT} is 2", "next": "ext-local,200,2"},
        ],
        "else_": "ivr-1,s,16",
    }
    assert _fields(menu, "ivr-1,s,16")["retries_exhausted"] == "ivr-1,i,final"
    assert "ivr-1,i,2" not in menu.nodes
    assert _findings(HERE / "freepbx_ivr.conf") == [
        (
            "DE005",
            "ivr-1,s,16",
            42,
            "when the caller runs out of retries at 'ivr-1,s,16', the call ends at hangup "
            "'ivr-1,i,final' instead of reaching a person",
        )
    ]


def test_a_number_keyed_that_names_no_extension_is_a_wrong_key_counted_by_i():
    path = HERE / "freepbx_direct_dial.conf"
    menu = load(path)
    assert _fields(menu, "ivr-1,_X.,1") == {
        "type": "branch",
        "note": "written in context from-did-direct-ivr",
        "cases": [
            {
                "when": "$[${DIALPLAN_EXISTS(from-did-direct,${EXTEN},1)} = 0]",
                "next": "ivr-1,s,start",
            }
        ],
        "else_": "from-did-direct,200,1",
    }
    # The empty Goto() after the retries is DE005's only: no DE003 at line 27.
    assert _findings(path) == [
        (
            "DE005",
            "ivr-1,s,start",
            18,
            "when the caller runs out of retries at 'ivr-1,s,start', the call ends at hangup "
            "'ivr-1,i,final' instead of reaching a person",
        )
    ]


# -- 2. waits that are not menus: data entry and "press # when done" -------------------------------


def test_a_read_whose_every_key_goes_to_one_place_is_data_entry():
    menu = load(HERE / "read_weekday.conf")
    assert _fields(menu, "main,s,ask") == {
        "type": "ask",
        "play": "enter-delivery-day",
        "note": "Read(DAY): every key accepted (/^[1-7]$/) goes to the same place: a value "
        "entered (data entry), not a menu",
        "no_input": "main,s,ask",
        "no_match": "main,s,ask",
        "retries": 2,
        "retries_exhausted": "main,op,1",
        "timeout": 5.0,
        "collects": "DAY",
        "next": "main,s,gotday",
    }
    # No option rule (MN002 "no operator key 0") on a value entered; the call ends after
    # thank-you-order-placed, a served call.
    assert [f[0] for f in _findings(HERE / "read_weekday.conf")] == []


def test_a_press_hash_when_done_wait_is_no_menu_and_its_silence_no_caller_error():
    menu = load(HERE / "record_until_hash.conf")
    assert _fields(menu, "record,s,wait") == {
        "type": "branch",
        "note": "a 'press # when done' wait: the other keys (/^[0-9*]$/) keep waiting; # or "
        "60 s of silence ends it (not a menu: nothing is chosen)",
        "cases": [{"when": "the caller presses #", "next": "record,#,2"}],
        "else_": "record,t,2",
    }
    assert _findings(HERE / "record_until_hash.conf") == []


def test_a_press_hash_wait_whose_silence_drops_the_call_stays_a_menu():
    # Near-identical: 't' hangs up in silence, the recording is lost: the silent caller
    # is still judged.
    menu = load(HERE / "record_until_hash_dropped.conf")
    assert menu.nodes["record,s,wait"].type == "menu"
    assert [f[:3] for f in _findings(HERE / "record_until_hash_dropped.conf")] == [
        ("DE005", "record,s,wait", 17),
        ("MN002", "record,s,wait", 18),
    ]


# -- 3. Background() then a forward through a GotoIf is an announcement ----------------------------


def test_background_then_a_branch_whose_arms_both_forward_is_an_announcement():
    menu = load(HERE / "announce_branch.conf")
    assert _fields(menu, "main,2,1") == {
        "type": "say",
        "play": "pls-hold-while-try",
        "note": "Background() then a Goto elsewhere with nothing waiting for digits: an "
        "announcement, not a menu",
        "next": "support,s,1",
    }
    assert _findings(HERE / "announce_branch.conf") == []


def test_background_then_a_branch_with_an_arm_that_waits_stays_a_menu():
    menu = load(HERE / "announce_branch_waits.conf")
    assert menu.nodes["main,2,1"].type == "menu"
