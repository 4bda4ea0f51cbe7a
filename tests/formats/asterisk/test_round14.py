"""Round 14: macros as app_macro.c runs them (fixtures/round14): a Goto out of the macro
ends it, MACRO_CONTEXT/MACRO_EXTEN/MACRO_PRIORITY are known per call site, and
MACRO_OFFSET moves where the caller goes on."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load
from tests.conftest import findings_of, node_fields

HERE = Path(__file__).resolve().parent / "fixtures" / "round14"


_fields = node_fields


def _findings(path: Path) -> list[tuple[str, str, int]]:
    return [found[:3] for found in findings_of(path)]


# -- 1a. A Goto out of the macro's context ends the macro: no way back to the caller ------------


def test_a_goto_out_of_the_macro_never_returns_to_the_caller():
    path = HERE / "macro_goto_out.conf"
    menu = load(path)
    assert _fields(menu, "main,1,1") == {
        "note": "Macro(tosales)",
        "type": "subflow",
        "menu": "macro macro-tosales,s,1",
    }
    assert "main,1,2" not in menu.nodes
    macro = menu.subflows["macro macro-tosales,s,1"]
    assert _fields(macro, "macro-tosales,s,1")["next"] == "sales,s,1"
    # Running off the end of 'sales' is the end of an extension, not the macro's return.
    assert _fields(macro, "sales,s,<end>") == {
        "note": "extension s has no priority 3: Asterisk hangs up here (autofallthrough)",
        "type": "hangup",
    }
    assert _findings(path) == []


def test_a_macro_that_runs_out_of_priorities_in_its_context_returns():
    path = HERE / "macro_returns.conf"
    menu = load(path)
    assert _fields(menu, "main,1,1")["next"] == "main,1,2"
    macro = menu.subflows["macro macro-tosales,s,1"]
    assert _fields(macro, "macro-tosales,s,<end>")["type"] == "return"
    assert _findings(path) == [("ST001", "main,1,2", 9)]


# -- 1b. MACRO_CONTEXT / MACRO_EXTEN are those of the call site -----------------------------------


def test_macro_exten_is_the_calling_extension():
    path = HERE / "macro_site.conf"
    menu = load(path)
    key = "macro macro-route,s,1 with MACRO_EXTEN=200"
    assert _fields(menu, "main,200,1") == {
        "note": "Macro(route,SIP/200)",
        "type": "subflow",
        "menu": key,
        "next": "main,200,2",
    }
    # Called from 200: ${MACRO_EXTEN} = 100 never holds, and the mailbox is 200.
    macro = menu.subflows[key]
    assert macro.start == "macro-route,s,2"
    assert "macro-route,s,vip" not in macro.nodes
    assert _fields(macro, "macro-route,s,3")["box"] == "200"
    # From the pattern _X00 the extension is the number dialled (100 among them): both ways.
    assert _fields(menu, "main,_X00,1")["menu"] == "macro macro-route,s,1"
    both = menu.subflows["macro macro-route,s,1"]
    assert _fields(both, "macro-route,s,1")["cases"] == [
        {"when": '$["${MACRO_EXTEN}" = "100"]', "next": "macro-route,s,vip"}
    ]
    assert _findings(path) == [("DE003", "main,_X00,1/macro-route,s,vip", 29)]


def test_goto_macro_context_macro_exten_jumps_back_to_the_caller_and_stays_there():
    menu = load(HERE / "macro_site.conf")
    key = "macro macro-jumpback,s,1 with MACRO_CONTEXT=main,MACRO_EXTEN=300"
    # The Goto leaves the macro: the caller's priority 2 (Hangup) is never reached.
    assert _fields(menu, "main,300,1") == {
        "note": "Macro(jumpback,SIP/300)",
        "type": "subflow",
        "menu": key,
    }
    macro = menu.subflows[key]
    assert _fields(macro, "macro-jumpback,s,1")["fail"] == "main,300,back"
    assert _fields(macro, "main,300,back")["target"] == "SIP/operator"
    assert _fields(macro, "main,300,<end>")["type"] == "hangup"


# -- 1c. MACRO_OFFSET: the caller goes on at N + offset + 1 ----------------------------------------


def test_macro_offset_set_on_every_way_moves_the_caller_on():
    path = HERE / "macro_offset.conf"
    menu = load(path)
    assert _fields(menu, "main,1,1") == {
        "note": "Macro(check)",
        "type": "subflow",
        "menu": "macro macro-check,s,1",
        "next": "main,1,102",
    }
    assert "main,1,2" not in menu.nodes
    assert _findings(path) == []


def test_macro_offset_set_on_some_ways_is_a_branch_and_run_time_values_unknown():
    path = HERE / "macro_offset_sometimes.conf"
    menu = load(path)
    assert _fields(menu, "main,1,1")["next"] == "main,1,1:returns"
    assert _fields(menu, "main,1,1:returns") == {
        "note": "where the caller goes on after the macro",
        "type": "branch",
        "cases": [
            {"when": "the macro set MACRO_OFFSET to 100", "next": "main,1,102"},
            {"when": "the macro set MACRO_OFFSET at run time", "next": "main,1,1:offset"},
        ],
        "else_": "main,1,2",
    }
    assert _fields(menu, "main,1,1:offset")["type"] == "unknown"
    # Without MACRO_OFFSET the caller does go on at priority 2, whose label is missing.
    assert _findings(path) == [("ST001", "main,1,2", 9)]
