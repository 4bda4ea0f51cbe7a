"""Asterisk: conditions fixed by what was read (constants, call arguments, number ranges),
jumps to run-time labels, and the priority Goto reads.  Fixtures in fixtures/constants/, each
citing the Asterisk documentation it follows."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load, load_all
from ivraudit.formats.asterisk.match import condition_holds, expression_value
from ivraudit.rules.engine import audit

HERE = Path(__file__).resolve().parent / "fixtures" / "constants"


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, str, int]]:
    found = []
    for menu in load_all(path):
        found.extend((f.rule, f.node, f.line) for f in audit(menu).findings)
    return sorted(set(found))


# -- expressions ($[...]) as ast_expr2 evaluates them --------------------------------------------


def test_expressions_of_constants_are_evaluated_as_asterisk_does():
    assert condition_holds("$[6818 >= 6817 && 6818 <= 6819]") is True
    assert condition_holds("$[6816 >= 6817 & 6816 <= 6819]") is False
    assert condition_holds('$["FALSE"!="TRUE"]') is True
    assert condition_holds("$[${LEN(rg)}]") is True  # LEN of a constant
    assert condition_holds("$[${LEN()}]") is False
    assert condition_holds("$[$[1=1] | $[2>3]]") is True
    assert condition_holds("abc") is True  # pbx_checkcondition: any other text is true
    assert condition_holds("") is False
    assert expression_value("$[1+2*3]") == "7"


def test_what_is_known_only_at_run_time_or_not_modelled_stays_undecided():
    assert condition_holds("$[${DB(x)}]") is None
    assert condition_holds('$["x"=1]') is None  # a quoted string against a bare one
    assert condition_holds("$[${X} =~ a.*]") is None


# -- a constant Set() just before a GotoIf ---------------------------------------------------------


def test_a_variable_set_to_a_constant_decides_the_gotoif_after_it():
    (menu,) = load_all(HERE / "set_then_gotoif.conf")
    # Set(__REVERSAL_REJECT=FALSE) then GotoIf($["${REVERSAL_REJECT}"!="TRUE"]?...): it always
    # jumps, so the GotoIf to a label that does not exist after it is no route (no ST001).
    assert menu.start == "from-pstn,s,post-reverse-charge"
    assert "from-pstn,s,4" not in menu.nodes
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "set_then_gotoif.conf") == [
        ("DE008", "from-pstn,s,post-reverse-charge", 10),
        ("MN002", "from-pstn,s,post-reverse-charge", 10),
    ]


# -- a label entered for a range of numbers, one GotoIf per number -------------------------------


def test_gotoifs_covering_every_number_a_label_is_entered_for_leave_no_fall_through():
    menus = {menu.id: menu for menu in load_all(HERE / "number_ranges.conf")}
    trunk = menus["from-trunk"]
    # 1470-1472 each have their GotoIf: the last one always jumps, the Hangup is no route.
    assert fields(trunk, "from-trunk,_X.,range_147x") == {
        "type": "branch",
        "cases": [{"when": "$[${NUM} = 1470] or $[${NUM} = 1471]", "next": "sales,s,1"}],
        "else": "support,s,1",
    }
    assert "from-trunk,_X.,10" not in trunk.nodes
    # 1482 is entered for but sent nowhere: that Hangup is a route, but it rejects a
    # number no service answers before the caller hears or chooses anything (round 4):
    # not a refused choice, so no DE003.
    assert fields(trunk, "from-trunk,_X.,range_148x")["else"] == "from-trunk,_X.,14"
    assert fields(trunk, "from-trunk,_X.,14")["reason"] == "completed"
    assert "a number no service answers" in fields(trunk, "from-trunk,_X.,14")["note"]
    assert not [f for f in findings(HERE / "number_ranges.conf") if f[2] == 20]
    assert not [f for f in findings(HERE / "number_ranges.conf") if f[2] == 15]


# -- Gosub arguments passed as constants ---------------------------------------------------


def test_gosub_arguments_given_as_constants_decide_the_subroutine_per_call_site():
    menu = load(HERE / "gosub_args.conf")
    assert fields(menu, "from-pstn,1,1")["menu"] == "gosub sub-error,s,1 with ARG2=0"
    assert fields(menu, "from-pstn,2,1")["menu"] == "gosub sub-error,s,1 with ARG2=2"
    # EM=0: straight to endSvc (a person); EM=2: the wrong-key prompt; neither hangs up.
    assert set(menu.subflows["gosub sub-error,s,1 with ARG2=0"].nodes) == {
        "sub-error,s,endSvc",
        "sub-error,s,9",
    }
    assert set(menu.subflows["gosub sub-error,s,1 with ARG2=2"].nodes) == {
        "sub-error,s,wrong",
        "sub-error,s,6",
    }
    # An argument known only at run time: both arms, and the Hangup after them, stay routes.
    assert fields(menu, "from-pstn,5,1")["menu"] == "gosub sub-error,s,1"
    # Goto(${ARG1}) with ARG1=sales lands on the label; with a run-time argument, unknown.
    assert set(menu.subflows["gosub sub-pick,s,1 with ARG1=sales"].nodes) == {
        "sub-pick,s,sales",
        "sub-pick,s,3",
    }
    assert fields(menu.subflows["gosub sub-pick,s,1"], "sub-pick,s,1") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "sub-pick,s,${ARG1}",
        "note": "Goto(${ARG1}): jumps to a priority known only at run time (${ARG1})",
    }
    # 'i' and 't' go back to the menu with no counter (DE008).
    assert findings(HERE / "gosub_args.conf") == [
        ("DE003", "from-pstn,5,1/sub-error,s,4", 28),
        ("DE008", "from-pstn,s,2", 7),
    ]


def test_dialplan_exists_of_a_constant_place_is_decided():
    menu = load(HERE / "dialplan_exists.conf")
    # sub-record-check has no extension 'rg': the GotoIf falls through to Return().
    sub = menu.subflows["gosub sub-record-check,s,1 with ARG1=rg"]
    assert set(sub.nodes) == {"sub-record-check,s,2"}
    assert findings(HERE / "dialplan_exists.conf") == []


# -- jumps to labels known only at run time --------------------------------------------------------


def test_a_gotoif_to_a_label_held_in_a_variable_is_unknown_not_a_fault():
    menu = load(HERE / "runtime_label.conf")
    assert fields(menu, "from-pstn,s,3:case 1") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "from-pstn,s,${DIALGOTO}",
        "note": "jumps to a priority known only at run time (${DIALGOTO})",
    }
    # crm-save follows an unconditional Goto and nothing names it: not a route, so the
    # Goto to a missing label after it is not reported.
    assert "from-pstn,s,crm-save" not in menu.nodes
    assert [f for f in findings(HERE / "runtime_label.conf") if f[0] == "ST001"] == []


# -- the priority Goto reads ---------------------------------------------------------------


def test_a_stray_parenthesis_after_the_priority_is_read_as_asterisk_reads_it():
    menu = load(HERE / "stray_paren.conf")
    assert menu.start == "from-pstn,_XXXX.,2"
    assert [f for f in findings(HERE / "stray_paren.conf") if f[0] == "ST001"] == [
        ("ST001", "from-pstn,_XXXX.,2", 8)
    ]
