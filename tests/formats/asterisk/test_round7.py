"""Asterisk, round 7: a run-time jump fans out only over what the caller chose, and
Pickup() puts the caller through to a person (fixtures under fixtures/round7/, each citing
the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.formats.asterisk.origin import chosen
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round7"
CASES = [
    {"when": "${DEPT} is 1", "next": "departments,1,1"},
    {"when": "${DEPT} is 2", "next": "departments,2,1"},
    {"when": "${DEPT} is 0", "next": "departments,0,1"},
]


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, int, str]]:
    report = check([str(path)], skip_non_menus=True).report
    return [(f.rule, f.line, f.message) for f in report.findings]


def test_keys_read_and_the_dialled_number_fan_out_a_database_value_is_unknown():
    (menu,) = load_all(HERE / "jump_origin.conf")
    # Read(DEPT): the caller's keys; every extension of [departments] they can name.
    assert fields(menu, "reception,s,3") == {
        "type": "branch",
        "note": "Goto(departments,${DEPT},1)",
        "cases": CASES,
        "else": "departments,i,1",
    }
    # Set(WANTED=${EXTEN:1}): part of the dialled number, still the caller's choice.
    wanted = fields(menu, "reception,_9XXX,2")
    assert [case["next"] for case in wanted["cases"]] == [case["next"] for case in CASES]
    # Set(NIGHTDESK=${DB(night/desk)}): ONE extension the administrator stored.
    assert fields(menu, "reception,0,2") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "departments,${NIGHTDESK},1",
        "note": "Goto(departments,${NIGHTDESK},1): jumps to extension ${NIGHTDESK} of "
        "'departments', known only at run time (not a number the caller dialled or keyed)",
    }
    # Key 2 of the caller's Read is a real refusal; the database jump adds nothing.
    assert findings(HERE / "jump_origin.conf") == [
        (
            "DE003",
            20,
            "'departments,2,1' hangs up after \"[recording closed-for-holidays]\" and gives "
            "no reason",
        )
    ]


def test_whose_choice_a_text_is():
    mine = {"DEPT"}.__contains__
    assert chosen("${EXTEN}", mine)
    assert chosen("${EXTEN:2}", mine)
    assert chosen("s-${DIALSTATUS}", mine)
    assert chosen("${DEPT}", mine)
    assert chosen('${IF($["${DEPT}" = ""]?s:${DEPT})}', mine)
    assert not chosen("${AEXTEN}", mine)
    assert not chosen("${DB(AMPUSER/${EXTEN}/cidnum)}", mine)
    assert not chosen("${CUT(SIP_HEADER(to),@,1):5}", mine)
    assert not chosen("${CALLERID(DNID)}", mine)
    assert not chosen("${EXTEN:${CCLEN}}", mine)
    assert not chosen("$[${DEPT} + 1]", mine)


def test_pickup_puts_the_caller_through_so_the_hangup_after_it_is_no_refusal():
    (menu,) = load_all(HERE / "pickup.conf")
    assert fields(menu, "front-desk,1,1") == {
        "type": "transfer",
        "target": "pickup:200@phones",
        "fail": "front-desk,1,2",
        "note": "Pickup(200@phones): answers a call ringing at 200@phones",
    }
    # Only 'i' and 't' going back to the menu with no counter (DE008).
    assert findings(HERE / "pickup.conf") == [
        (
            "DE008",
            7,
            "when the caller says nothing or presses an invalid key at 'front-desk,s,2', it "
            "asks again with no limit: a caller who cannot answer hears it until they hang up",
        )
    ]
