"""Asterisk, round 5: a catch-all pattern takes every value a jump can name, and a value
pinned by the jumps into a label survives a Gosub that never sets it (fixtures under
fixtures/round5/, each citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.formats.asterisk.parse import read_dialplan
from ivraudit.formats.asterisk.writes import Writes, step_assigns
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round5"
# Both Read() menus play 'invalid' and go back to the question with no counter (DE008).
ENDLESS = (
    "when the caller says nothing or presses an invalid key at 'from-pstn,s,ask', it asks "
    "again with no limit: a caller who cannot answer hears it until they hang up"
)


def findings(path: Path) -> list[tuple[str, int, str]]:
    report = check([str(path)], skip_non_menus=True).report
    return [(f.rule, f.line, f.message) for f in report.findings]


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def test_a_catch_all_pattern_takes_every_value_of_a_run_time_jump():
    (menu,) = load_all(HERE / "catch_all_pattern.conf")
    (sub,) = menu._subflows.values()
    jump = "s-${DB(CALLER/${CALLERID(num)}/mode)}"
    # Round 7: the value comes from the database (DB()), not from the caller's keys:
    # Asterisk runs ONE extension there, known only at run time.
    assert fields(sub, "setcid,s,1") == {
        "type": "unknown",
        "reason": "run-time",
        "target": f"setcid,{jump},1",
        "note": f"Goto({jump},1): jumps to extension {jump} of 'setcid', known only at run "
        "time (not a number the caller dialled or keyed)",
    }
    assert findings(HERE / "catch_all_pattern.conf") == []


def test_without_the_catch_all_a_database_value_is_still_known_only_at_run_time():
    # No finding: which extension the DB value names is not known, so no route is claimed
    # to find none (round 7; before, the else of a fan-out was a hangup).
    assert findings(HERE / "no_catch_all.conf") == []


def test_a_value_pinned_by_the_jumps_into_a_label_survives_a_gosub_that_never_sets_it():
    (menu,) = load_all(HERE / "gosub_keeps_value.conf")
    assert "from-pstn,s,10" not in menu.nodes  # the Hangup() after both tests
    assert findings(HERE / "gosub_keeps_value.conf") == [("DE008", 7, ENDLESS)]


def test_a_gosub_that_sets_the_value_leaves_it_unknown_after_it():
    assert findings(HERE / "gosub_sets_value.conf") == [
        ("DE008", 5, ENDLESS),
        ("DE003", 13, "'from-pstn,s,10' hangs up and gives no reason"),
    ]


def test_what_a_subroutine_may_assign():
    text = (
        "[sub]\nexten => s,1,Set(A=1)\n same => n,MSet(B=2,__C=3)\n"
        " same => n,ExecIf($[1]?Set(LOCAL(D)=4):Read(E,x,1))\n same => n,Gosub(inner,s,1)\n"
        " same => n,Return()\n"
        "[inner]\nexten => s,1,Set(CDR(userfield)=x)\n same => n,Return()\n"
        "[agi]\nexten => s,1,AGI(lookup.agi)\n same => n,Return()\n"
        "[wild]\nexten => s,1,Set(${NAME}=1)\n same => n,Return()\n"
        "[away]\nexten => s,1,Goto(${WHERE},s,1)\n"
        "[macro]\nexten => s,1,Macro(missing)\n"
    )
    writes = Writes(read_dialplan(text, "<t>"))
    assert writes.of("sub") == {"A", "B", "C", "D", "E", "GOSUB_RETVAL", ""}
    # An AGI, a variable named at run time, a jump known at run time, a context not read:
    assert [writes.of(name) for name in ("agi", "wild", "away", "macro", "nowhere")] == [None] * 5
    assert step_assigns("Playback", "hello") == set()
    assert step_assigns("Dial", "SIP/1") is None  # Dial sets DIALSTATUS and more
