"""The Asterisk dialplan importer: fixtures written from the Asterisk docs, and the corpus."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivraudit import MenuError, load, load_all, loads, to_graph
from ivraudit.cli import main as cli
from ivraudit.config import Config
from ivraudit.formats import FORMATS, Estate, loads_all
from ivraudit.formats.asterisk.loader import AEL_MESSAGE, detect
from ivraudit.formats.asterisk.match import Pattern, app_args, split_condition, substitute
from ivraudit.model.errors import NotAMenuError
from ivraudit.rules.engine import audit
from tests.conftest import edges, kinds, lines, structural

HERE = Path(__file__).resolve().parent / "fixtures"


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


# -- a menu: Background + WaitExten, options, i and t, Queue, Dial, VoiceMail, Read --------------


def test_background_and_waitexten_make_one_menu_with_every_extension_as_an_option():
    menu = load(HERE / "main_menu.conf")
    assert menu.source_format == "asterisk"
    assert menu.id == "bank-main"
    assert menu.start == "bank-main,s,menu"
    assert kinds(menu) == {
        "bank-main,s,menu": "menu",
        "bank-main,2,1": "transfer",
        "bank-main,2,3": "voicemail",
        "bank-main,2,4": "hangup",
        "bank-main,0,1": "transfer",
        "bank-main,_9XX,1": "transfer",
        "bank-main,_9XX,<end>": "hangup",
        "bank-main,#,1": "hangup",
        "bank-main,i,1": "say",
        "bank-main,closed,1": "hangup",
        "bank-accounts,s,1": "ask",
        "bank-accounts,s,2": "ask",
        "bank-accounts,s,3": "branch",
        "bank-accounts,s,4": "menu",
        "bank-accounts,1,1": "say",
        "bank-accounts,0,1": "transfer",
        "bank-accounts,0,2": "hangup",
    }
    assert edges(menu) == [
        ("bank-accounts,0,1", "bank-accounts,0,2", "fail", None),
        ("bank-accounts,1,1", "bank-accounts,s,4", "next", None),
        ("bank-accounts,s,1", "bank-accounts,s,2", "fail", None),
        ("bank-accounts,s,1", "bank-accounts,s,2", "next", None),
        ("bank-accounts,s,2", "bank-accounts,s,3", "fail", None),
        ("bank-accounts,s,2", "bank-accounts,s,3", "next", None),
        ("bank-accounts,s,3", "bank-accounts,s,1", "case", "1"),
        ("bank-accounts,s,3", "bank-accounts,s,4", "else", None),
        ("bank-accounts,s,4", "<platform disconnect>", "no_input", None),
        ("bank-accounts,s,4", "<platform disconnect>", "no_match", None),
        ("bank-accounts,s,4", "bank-accounts,0,1", "key", "0"),
        ("bank-accounts,s,4", "bank-accounts,1,1", "key", "1"),
        ("bank-accounts,s,4", "bank-main,s,menu", "key", "9"),
        ("bank-main,0,1", "bank-main,closed,1", "fail", None),
        ("bank-main,2,1", "bank-main,2,3", "fail", None),
        ("bank-main,2,3", "bank-main,2,4", "next", None),
        ("bank-main,_9XX,1", "bank-main,_9XX,<end>", "fail", None),
        ("bank-main,i,1", "bank-main,s,menu", "next", None),
        ("bank-main,s,menu", "bank-accounts,s,1", "key", "1"),
        ("bank-main,s,menu", "bank-main,#,1", "key", "#"),
        ("bank-main,s,menu", "bank-main,0,1", "key", "0"),
        ("bank-main,s,menu", "bank-main,2,1", "key", "2"),
        ("bank-main,s,menu", "bank-main,_9XX,1", "key", "/^9[0-9][0-9]$/"),
        ("bank-main,s,menu", "bank-main,closed,1", "no_input", None),
        ("bank-main,s,menu", "bank-main,i,1", "no_match", None),
    ]
    assert structural(menu) == []


def test_nodes_point_at_their_exten_and_same_lines():
    menu = load(HERE / "main_menu.conf")
    assert lines(menu) == {
        "bank-main,s,menu": 16,
        "bank-main,2,1": 21,
        "bank-main,2,3": 23,
        "bank-main,2,4": 24,
        "bank-main,0,1": 25,
        "bank-main,_9XX,1": 27,
        "bank-main,_9XX,<end>": 27,
        "bank-main,#,1": 28,
        "bank-main,i,1": 30,
        "bank-main,closed,1": 33,
        "bank-accounts,s,1": 39,
        "bank-accounts,s,2": 40,
        "bank-accounts,s,3": 41,
        "bank-accounts,s,4": 42,
        "bank-accounts,1,1": 44,
        "bank-accounts,0,1": 49,
        "bank-accounts,0,2": 50,
    }
    where = menu.locate("nodes", "bank-main,s,menu")
    assert (where.file, where.line, where.column) == (str(HERE / "main_menu.conf"), 16, 2)
    assert menu.locate("nodes", "bank-main,s,menu", "options", "2").line == 21


def test_prompts_timeouts_globals_and_platform_details_are_kept():
    menu = load(HERE / "main_menu.conf")
    assert fields(menu, "bank-main,s,menu") == {
        "type": "menu",
        "play": "welcome&main-menu",
        "options": {
            "1": "bank-accounts,s,1",
            "2": "bank-main,2,1",
            "0": "bank-main,0,1",
            "/^9[0-9][0-9]$/": "bank-main,_9XX,1",
            "#": "bank-main,#,1",
        },
        "no_input": "bank-main,closed,1",
        "no_match": "bank-main,i,1",
        "timeout": 6.0,
    }
    # Playback before Queue() is what the caller hears before the transfer.
    assert fields(menu, "bank-main,2,1") == {
        "type": "transfer",
        "play": "transferring",
        "target": "queue:sales",
        "fail": "bank-main,2,3",
    }
    assert fields(menu, "bank-main,closed,1") == {
        "type": "hangup",
        "play": "all-agents-busy&vm-goodbye",
    }
    assert fields(menu, "bank-accounts,s,2")["collects"] == "PIN"
    assert fields(menu, "bank-accounts,s,2")["timeout"] == 5.0
    assert fields(menu, "bank-accounts,0,1")["note"] == "written in context bank-common"
    # The block-commented [old-menu] and the h extension are not part of any call route.
    assert not any(node_id.startswith("old-menu") for node_id in menu.nodes)
    assert not any(",h," in node_id for node_id in menu.nodes)


# -- Read() menus and questions ----------------------------------------------------------------


def test_read_followed_by_gotoif_on_the_key_is_a_menu_and_free_input_is_an_ask():
    menu = load(HERE / "read_menus.conf")
    assert menu.start == "order-main,_X.,ask"
    assert fields(menu, "order-main,_X.,ask") == {
        "type": "menu",
        "play": "order/main-menu",
        "options": {
            "1": "order,s,1",
            "2": "order-main,_X.,status",
            "0": "order-main,_X.,agent",
        },
        "no_input": "order-main,_X.,noinput",
        # Set(WRONG=$[${WRONG}+1]) then GotoIf($[${WRONG} < 3]?retry:bye,1): a retry counter.
        "no_match": "order-main,_X.,retry",
        "retries": 2,
        "retries_exhausted": "order-main,bye,1",
        "timeout": 5.0,
        "note": "Read(CHOICE) then GotoIf on the key entered",
    }
    assert kinds(menu) == {
        "order-main,_X.,ask": "menu",
        "order-main,_X.,retry": "say",
        "order-main,_X.,noinput": "say",
        "order-main,_X.,status": "ask",
        "order-main,_X.,15": "branch",
        "order-main,_X.,16": "action",
        "order-main,_X.,agent": "transfer",
        "order-main,bye,1": "hangup",
        "order,s,1": "ask",
        "order,s,2": "branch",
        "order,s,4": "hangup",
    }
    # A 10-digit order number checked by length is free input, not a menu.
    assert fields(menu, "order-main,_X.,status")["collects"] == "ORDERNO"
    # One key tested on an 8-digit read is still free input; TTS text is said.
    assert fields(menu, "order,s,1")["collects"] == "ACCT"
    assert fields(menu, "order,s,4") == {
        "type": "hangup",
        "say": "Thank you. Your order is placed.",
    }
    assert edges(menu) == [
        ("order,s,1", "order,s,2", "fail", None),
        ("order,s,1", "order,s,2", "next", None),
        ("order,s,2", "<missing order-main,s,ask>", "case", "1"),
        ("order,s,2", "order,s,1", "case", "2"),
        ("order,s,2", "order,s,4", "else", None),
        ("order-main,_X.,15", "order-main,_X.,16", "else", None),
        ("order-main,_X.,15", "order-main,_X.,retry", "case", "1"),
        ("order-main,_X.,16", "order-main,bye,1", "next", None),
        ("order-main,_X.,agent", "order-main,bye,1", "fail", None),
        ("order-main,_X.,ask", "order,s,1", "key", "1"),
        ("order-main,_X.,ask", "order-main,_X.,agent", "key", "0"),
        ("order-main,_X.,ask", "order-main,_X.,noinput", "no_input", None),
        ("order-main,_X.,ask", "order-main,_X.,retry", "no_match", None),
        ("order-main,_X.,ask", "order-main,_X.,status", "key", "2"),
        ("order-main,_X.,ask", "order-main,bye,1", "retries_exhausted", None),
        ("order-main,_X.,noinput", "order-main,_X.,ask", "next", None),
        ("order-main,_X.,retry", "order-main,_X.,ask", "next", None),
        ("order-main,_X.,status", "order-main,_X.,15", "fail", None),
        ("order-main,_X.,status", "order-main,_X.,15", "next", None),
        # A wrong-length number counts against the same WRONG counter: a caller error.
        ("order-main,_X.,status", "order-main,_X.,retry", "no_match", None),
        ("order-main,_X.,status", "order-main,bye,1", "retries_exhausted", None),
    ]


def test_a_jump_to_an_extension_a_context_does_not_have_is_reported_as_missing():
    # order-main only has _X., which does not match "s": Asterisk would hang up there.
    menu = load(HERE / "read_menus.conf")
    assert structural(menu) == [
        (
            "ST001",
            "order,s,2",
            27,
            "case 1 of 'order,s,2' goes to 'order-main,s,ask', which does not exist "
            "(did you mean 'order-main,_X.,ask'?)",
        )
    ]


# -- subroutines ---------------------------------------------------------------------------------


def test_gosub_and_macro_are_subflows_expanded_at_each_call():
    menu = load(HERE / "subroutines.conf")
    assert menu.start == "support,s,2"
    # sub-verify returns bad or ok and the caller branches on ${GOSUB_RETVAL}: one copy
    # per value returned (docs.asterisk.org Dialplan Applications "Return", "Gosub").
    assert sorted(menu.subflows) == [
        "gosub sub-queue,s,1",
        "gosub sub-verify,s,1 returning bad",
        "gosub sub-verify,s,1 returning ok",
        "gosub sub-vip,s,1",
        "macro macro-announce,s,1",
        "macro macro-goodbye,s,1",
    ]
    verify = menu.subflows["gosub sub-verify,s,1 returning ok"]
    assert verify.start == "sub-verify,s,1"
    assert kinds(verify) == {
        "sub-verify,s,1": "ask",
        "sub-verify,s,2": "branch",
        "sub-verify,s,good": "return",
    }
    assert lines(verify) == {"sub-verify,s,1": 20, "sub-verify,s,2": 21, "sub-verify,s,good": 23}
    assert kinds(menu.subflows["gosub sub-verify,s,1 returning bad"])["sub-verify,s,3"] == "return"
    # A macro returns when it runs out of priorities.
    assert kinds(menu.subflows["macro macro-announce,s,1"]) == {
        "macro-announce,s,1": "say",
        "macro-announce,s,<end>": "return",
    }
    assert edges(menu) == [
        ("support,1,1", "support,1,1:else", "else", None),
        ("support,1,1", "support,1,1:then", "case", "1"),
        ("support,1,1:else", "support,1,1:else/sub-queue,s,1", "subflow", None),
        ("support,1,1:else/sub-queue,s,1", "support,1,1:else/sub-queue,s,2", "fail", None),
        ("support,1,1:else/sub-queue,s,2", "support,1,2", "return", None),
        ("support,1,1:then", "support,1,1:then/sub-vip,s,1", "subflow", None),
        ("support,1,1:then/sub-vip,s,1", "support,1,1:then/sub-vip,s,2", "fail", None),
        ("support,1,1:then/sub-vip,s,2", "support,1,2", "return", None),
        ("support,2,1", "support,2,2", "next", None),
        ("support,3,1", "support,3,1:unknown", "else", None),
        ("support,3,1", "support,3,<end>", "case", "1"),
        ("support,4,1", "<missing sub-verify,s,nolabel>", "error", None),
        ("support,5,1", "support,5,1/macro-announce,s,1", "subflow", None),
        (
            "support,5,1/macro-announce,s,1",
            "support,5,1/macro-announce,s,<end>",
            "next",
            None,
        ),
        ("support,5,1/macro-announce,s,<end>", "support,5,2", "return", None),
        ("support,i,1", "support,i,1/macro-goodbye,s,1", "subflow", None),
        ("support,s,2", "support,s,2:returns bad", "case", "1"),
        ("support,s,2", "support,s,2:returns ok", "else", None),
        ("support,s,2:returns bad", "support,s,2:returns bad/sub-verify,s,1", "subflow", None),
        (
            "support,s,2:returns bad/sub-verify,s,1",
            "support,s,2:returns bad/sub-verify,s,2",
            "fail",
            None,
        ),
        (
            "support,s,2:returns bad/sub-verify,s,1",
            "support,s,2:returns bad/sub-verify,s,2",
            "next",
            None,
        ),
        (
            "support,s,2:returns bad/sub-verify,s,2",
            "support,s,2:returns bad/sub-verify,s,3",
            "else",
            None,
        ),
        ("support,s,2:returns bad/sub-verify,s,3", "support,s,4", "return", None),
        ("support,s,2:returns ok", "support,s,2:returns ok/sub-verify,s,1", "subflow", None),
        (
            "support,s,2:returns ok/sub-verify,s,1",
            "support,s,2:returns ok/sub-verify,s,2",
            "fail",
            None,
        ),
        (
            "support,s,2:returns ok/sub-verify,s,1",
            "support,s,2:returns ok/sub-verify,s,2",
            "next",
            None,
        ),
        (
            "support,s,2:returns ok/sub-verify,s,2",
            "support,s,2:returns ok/sub-verify,s,good",
            "else",
            None,
        ),
        ("support,s,2:returns ok/sub-verify,s,good", "support,s,menu", "return", None),
        ("support,s,4", "support,s,4/macro-goodbye,s,1", "subflow", None),
        ("support,s,menu", "<platform disconnect>", "no_input", None),
        ("support,s,menu", "support,1,1", "key", "1"),
        ("support,s,menu", "support,2,1", "key", "2"),
        ("support,s,menu", "support,3,1", "key", "3"),
        ("support,s,menu", "support,4,1", "key", "4"),
        ("support,s,menu", "support,5,1", "key", "5"),
        ("support,s,menu", "support,i,1", "no_match", None),
    ]


def test_a_goto_to_a_label_chosen_by_the_caller_lands_where_the_call_site_says():
    text = (
        "[from-pstn]\n"
        "exten => s,1,Answer()\n"
        " same => n,Gosub(pick,s,1(sales))\n"
        " same => n,Hangup()\n"
        "[pick]\n"
        "exten => s,1,Goto(${ARG1})\n"
        " same => n(sales),Dial(SIP/sales,20)\n"
        " same => n,Return()\n"
        " same => n(support),Dial(SIP/support,20)\n"
        " same => n,Return()\n"
    )
    # ARG1 is the constant 'sales' at the call: the subroutine is built for it (see
    # test_constants.py; a label known only at run time is an unknown).
    pick = loads(text, format="asterisk").subflows["gosub pick,s,1 with ARG1=sales"]
    assert pick.start == "pick,s,sales"
    assert set(pick.nodes) == {"pick,s,sales", "pick,s,3"}


def test_subroutines_that_cannot_be_followed_are_actions_that_say_why():
    menu = load(HERE / "subroutines.conf")
    assert fields(menu, "support,2,1") == {
        "type": "action",
        "note": "Gosub(sub-loop,s,1): not expanded, because it calls itself (directly or "
        "through other subroutines)",
        "next": "support,2,2",
    }
    # A Gosub into a context no file given defines: it returns (Gosub is for that) or
    # the route leaves what was read.
    assert fields(menu, "support,3,1:unknown") == {
        "type": "unknown",
        "target": "sub-missing,s,1",
        "note": "Gosub(sub-missing,s,1): subroutine not followed: jumps to context "
        "'sub-missing', which the files given do not define (Asterisk needs it from another "
        "configuration file, or the jump fails)",
    }
    # A macro that always hangs up never comes back: no way on after the call.
    assert fields(menu, "support,s,4") == {
        "type": "subflow",
        "menu": "macro macro-goodbye,s,1",
        "note": "Macro(goodbye,failed)",
    }
    assert structural(menu) == [
        (
            "ST001",
            "support,4,1",
            14,
            "'error' of 'support,4,1' goes to 'sub-verify,s,nolabel', which does not exist",
        )
    ]


# -- hours, conditions, loops, run-time jumps ----------------------------------------------------


def test_gotoiftime_execif_while_and_run_time_jumps():
    menu = load(HERE / "jumps.conf")
    assert menu.id == "reception"
    assert menu.start == "reception,s,2"
    assert fields(menu, "reception,s,2") == {
        "type": "hours",
        "schedule": "08:00-18:00,mon-fri,*,*",
        "open": "reception,s,open",
        "closed": "reception,s,closed",
    }
    # ExecIf(...?Playback) is a prompt played under a condition; ExecIf(...?Goto) a branch;
    # the While loop of Set() only is bookkeeping and disappears.
    assert fields(menu, "reception,s,open") == {
        "type": "say",
        "play": "anonymous-caller",
        "note": 'anonymous-caller is played only when $["${CALLERID(num)}" = ""]',
        "next": "reception,s,4",
    }
    assert fields(menu, "reception,s,4") == {
        "type": "branch",
        "cases": [{"when": "$[${VIP} = 1]", "next": "reception,vip,1"}],
        "else": "reception,s,9",
    }
    # Goto(dial-${DIALSTATUS},1) after Dial: one case per failure the status can name, and
    # any other status (ANSWER, CANCEL, ...) where the pattern _dial-. catches it.
    assert fields(menu, "reception,s,10") == {
        "type": "branch",
        "cases": [
            {
                "when": "${DIALSTATUS} is NOANSWER or ${DIALSTATUS} is CHANUNAVAIL or "
                "${DIALSTATUS} is CONGESTION",
                "next": "reception,_dial-.,1",
            },
            {"when": "${DIALSTATUS} is BUSY", "next": "reception,dial-BUSY,1"},
        ],
        "else": "reception,_dial-.,1",
        "note": "Goto(dial-${DIALSTATUS},1)",
    }
    # Goto(${NIGHT_CONTEXT},s,1): a constant global; night includes holidays on 25 Dec only.
    assert fields(menu, "reception,s,closed") == {
        "type": "hours",
        "schedule": "*,*,25,dec",
        "open": "night,s,1",
        "closed": "after-hours,s,1",
        "note": "Goto(${NIGHT_CONTEXT},s,1): the extension is in a context included only at "
        "these times",
    }
    # Reached only on the closed side of an hours check: it ends an out-of-hours call.
    assert fields(menu, "after-hours,s,1") == {
        "type": "hangup",
        "say": "We are closed. Please call again tomorrow.",
        "reason": "closed",
        "note": "written in context after-hours",
    }
    # VoiceMail: 0 during the greeting goes to extension o.
    assert fields(menu, "reception,dial-BUSY,1:after") == {
        "type": "branch",
        "cases": [{"when": "the caller pressed 0 during the greeting", "next": "reception,o,1"}],
        "else": "reception,dial-BUSY,<end>",
        "note": "VoiceMail sends 0 to extension 'o' and * to extension 'a'",
    }
    # Goto(${TRANSFER_TO},1): nothing the caller dialled or keyed sets TRANSFER_TO, so
    # Asterisk runs the ONE extension it names, known only at run time: not a fan-out.
    assert fields(menu, "reception,vip,2") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "reception,${TRANSFER_TO},1",
        "note": "Goto(${TRANSFER_TO},1): jumps to extension ${TRANSFER_TO} of 'reception', "
        "known only at run time (not a number the caller dialled or keyed)",
    }
    assert structural(menu) == []


def test_text_to_speech_and_said_digits_are_spoken_prompts():
    menus = load_all(HERE / "speech.conf")
    assert [menu.id for menu in menus] == ["did-routing"]
    menu = menus[0]
    assert menu.start == "did-routing,5551000,2"
    assert fields(menu, "did-routing,5551000,2") == {
        "type": "menu",
        "say": "Welcome to the help line. Press 1 for opening hours.",
        "options": {
            "5551000": "did-routing,5551000,2",
            "1": "did-routing,1,1",
            "5552000": "did-routing,5552000,1",
            "/^5{3}[0-9]{4}$/": "did-routing,_555XXXX,1",
        },
        "timeout": 5.0,
    }
    assert fields(menu, "did-routing,1,2") == {
        "type": "say",
        "say": "95",
        "note": "SayDigits(95)",
        "next": "did-routing,5551000,2",
    }
    assert fields(menu, "did-routing,5552000,2") == {
        "type": "hangup",
        "reason": "completed",
        "note": "Congestion(); the caller hears the congestion tone: the call cannot be completed",
    }


def test_autofallthrough_no_waits_for_another_extension_instead_of_hanging_up():
    menu = load(HERE / "fallthrough.conf")
    assert menu.start == "attendant,s,2"
    assert fields(menu, "attendant,s,<end>") == {
        "type": "menu",
        "options": {"100": "attendant,100,1", "101": "attendant,101,1"},
        "no_input": "attendant,t,1",
        "note": "extension s has no priority 3; with autofallthrough=no Asterisk waits for "
        "the caller to dial an extension of this context",
    }
    assert ("attendant,s,<end>", "<platform disconnect>", "no_match", None) in edges(menu)


# -- #include ----------------------------------------------------------------------------------


def test_include_files_are_read_relative_to_the_including_file():
    menu = load(HERE / "with_includes.conf")
    assert menu.start == "front-desk,s,2"
    assert list(menu.nodes) == [
        "front-desk,s,2",
        "front-desk,3,1",
        "front-desk,0,1",
        "front-desk,0,<end>",
        "front-desk,i,1",
        "sales-menu,s,1",
        "sales-menu,s,3",
        "sales-menu,s,<end>",
        "support-menu,s,1",
    ]
    where = menu.locate("nodes", "front-desk,0,1")
    assert (Path(where.file).name, where.line) == ("front-desk-extras.conf", 2)
    where = menu.locate("nodes", "support-menu,s,1")
    assert (Path(where.file).name, where.line) == ("sub-support.conf", 2)
    # SALES comes from a global set in an included file.
    assert fields(menu, "sales-menu,s,1")["target"] == "PJSIP/sales"


def test_a_missing_include_does_not_fail_the_load_and_is_named_where_it_matters():
    menu = load(HERE / "with_includes.conf")
    assert fields(menu, "front-desk,s,2")["note"] == (
        "options may be missing: #include 'missing-menus.conf', "
        "'/usr/local/bin/make-menus.sh' could not be read"
    )
    assert fields(menu, "front-desk,3,1") == {
        "type": "unknown",
        "target": "billing-menu,s,1",
        "note": "Goto(billing-menu,s,1): jumps to context 'billing-menu', which is not in the "
        "files read; it may be in '/usr/local/bin/make-menus.sh', 'missing-menus.conf', "
        "which could not be read",
    }


def test_an_include_loop_is_an_error_not_a_hang():
    with pytest.raises(MenuError) as caught:
        load(HERE / "loop" / "a.conf")
    assert str(caught.value) == (
        f"{HERE / 'loop' / 'b.conf'}:2:1: #include 'a.conf' includes a file that is already "
        "being read (an #include loop) (remove the #include that leads back to this file)"
    )


def test_includes_in_text_are_not_read():
    text = "[in]\nexten => s,1,Background(menu)\n same => n,WaitExten()\n#include more.conf\n"
    menu = loads(text, format="asterisk")
    assert (
        fields(menu, "in,s,1")["note"]
        == "options may be missing: #include 'more.conf' could not be read"
    )


def test_templates_switches_and_jumps_that_cannot_be_followed():
    text = (
        "; templates, switches and jumps nobody can follow\n"
        "[menu-template](!)\n"
        "exten => i,1,Playback(invalid)\n"
        " same => n,Goto(s,1)\n"
        "\n"
        "[lobby](menu-template)\n"
        "switch => IAX2/hq/lobby\n"
        "exten => s,1,Background(lobby-menu)\n"
        " same => n,WaitExten(3)\n"
        "exten => 1,1,GotoIf($[${LEN(${X})} > 0]:done)\n"
        " same => n(done),Goto(${NEXT_CONTEXT},s,1)\n"
    )
    menu = loads(text, format="asterisk")
    assert menu.id == "lobby"
    assert fields(menu, "lobby,s,1") == {
        "type": "menu",
        "play": "lobby-menu",
        "options": {"1": "lobby,1,1", "/^[0-9*#]+$/": "lobby,s,1:switch"},
        "no_match": "lobby,i,1",
        "timeout": 3.0,
    }
    # The template's i extension is part of [lobby]; it points at the template's line.
    assert fields(menu, "lobby,i,1") == {"type": "say", "play": "invalid", "next": "lobby,s,1"}
    assert menu.locate("nodes", "lobby,i,1").line == 3
    assert fields(menu, "lobby,s,1:switch") == {
        "type": "unknown",
        "target": "switch => IAX2/hq/lobby",
        "note": "keys that match no extension here are looked up through switch => "
        "IAX2/hq/lobby, a remote dialplan ivraudit cannot read",
    }
    assert fields(menu, "lobby,1,1") == {
        "type": "action",
        "note": "GotoIf($[${LEN(${X})} > 0]:done) has no '?': Asterisk takes no branch and goes on",
        "next": "lobby,1,done",
    }
    assert fields(menu, "lobby,1,done") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "${NEXT_CONTEXT},s,1",
        "note": "Goto(${NEXT_CONTEXT},s,1): jumps to a context known only at run time "
        "(${NEXT_CONTEXT})",
    }


# -- files that are not menus ------------------------------------------------------------------


def test_a_dialplan_with_everything_commented_out_is_not_a_menu():
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "commented_out.conf")
    assert caught.value.message == (
        "Asterisk dialplan with no extensions: every 'exten =>' line is commented out "
        "(; or ;-- --;), so there is no phone menu to audit"
    )


def test_a_dialplan_that_never_answers_a_call_is_not_a_menu():
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "outbound_only.conf")
    assert caught.value.message == (
        "Asterisk dialplan with no context where calls enter: every context that answers, "
        "plays a prompt or reads digits is reached from another one, is a subroutine or is not "
        "a caller's line (a feature code, an outbound route), so "
        "there is no phone menu to audit"
    )


def test_ael_is_refused_with_advice_whether_detected_or_named():
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "menu.ael")
    assert caught.value.message == AEL_MESSAGE
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "menu.ael", format="asterisk")
    assert caught.value.message == AEL_MESSAGE
    assert AEL_MESSAGE == (
        "Asterisk AEL dialplan (extensions.ael): ivraudit does not read AEL; convert it to "
        "extensions.conf syntax (aelparse -d -w writes extensions.conf.aeldump) or give "
        "ivraudit the extensions.conf instead"
    )


# -- malformed dialplans -------------------------------------------------------------------------

ERRORS = [
    (
        "[main\nexten => s,1,Hangup()\n",
        "<text>:1:1: context header '[main' has no closing ']' (write it as [name])",
    ),
    (
        "[main](base)\nexten => s,1,Hangup()\n",
        "<text>:1:1: context 'main' inherits from 'base', which is not defined before it "
        "(define the template [base](!) above [main])",
    ),
    (
        "[main](+)\nexten => s,1,Hangup()\n",
        "<text>:1:1: [main](+) adds to context 'main', which is not defined before it "
        "(define [main] first)",
    ),
    (
        "exten => s,1,Answer()\n[main]\n",
        "<text>:1:1: this line is not inside any [context] (put a [context] header above it)",
    ),
    (
        "[main]\nexten => s,1,NoOp(a--;b)\n",
        "<text>:2:20: '--;' ends a block comment that was never opened: Asterisk ignores the "
        "rest of the file after it (remove it, or write the semicolon as \\;)",
    ),
    (
        "[main]\nexten => s,1,Answer()\n;-- this looks like a comment\nexten => s,2,Hangup()\n",
        "<text>:3:1: block comment ';--' is never closed with '--;': Asterisk ignores "
        "everything after it (close it with --; or, for a one-line comment, write ';' without "
        "'--')",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_malformed_dialplans_are_errors_with_a_position_and_a_fix(text, message):
    with pytest.raises(MenuError) as caught:
        loads(text, format="asterisk")
    assert not isinstance(caught.value, NotAMenuError)
    assert str(caught.value) == message


# Lines pbx_config skips with a warning: the rest is audited, each is a notice (ST004).
SKIPPED = [
    (
        "exten => s,start,Hangup()\n",
        "priority 'start' of extension 's' is neither a number nor a label defined above it; "
        "Asterisk skips this line with a warning (use a number, 'n', or a label of this "
        "extension)",
    ),
    (
        "exten => s,3(menu,Answer()\n",
        "label in priority '3(menu' has no closing ')'; Asterisk skips this line with a warning",
    ),
    (
        "exten => s,0,Answer()\n",
        "priority 0 of extension 's' is below 1; Asterisk skips this line with a warning",
    ),
    (
        "exten => s,3,\n",
        "priority 3 of extension 's' runs no application; Asterisk skips this line with a "
        "warning (write an application after the priority, e.g. NoOp())",
    ),
    (
        "exten => ,1,Macro(user-callerid,)\n",
        "'exten =>' has no extension name; Asterisk skips this line with a warning "
        "(write exten => name,1,App())",
    ),
    (
        "exten => s,1,Hangup()\n",
        "priority 1 of extension 's' in context 'main' is defined twice (first at <text>:2); "
        "Asterisk keeps the first and drops this one; Asterisk skips this line with a warning "
        "(renumber or remove one of them)",
    ),
    (
        "SAME = > n,Playback(bye)\n",
        "priority '> n' of extension 's' is neither a number nor a label defined above it; "
        "Asterisk skips this line with a warning (use a number, 'n', or a label of this "
        "extension)",
    ),
]


@pytest.mark.parametrize(("line", "message"), SKIPPED)
def test_lines_asterisk_skips_with_a_warning_are_notices_and_the_rest_is_audited(line, message):
    text = "[main]\nexten => s,1,Answer()\n same => n,Playback(hello)\n" + line
    menu = loads(text, format="asterisk")
    assert [(n.position.line, n.message) for n in menu.notices] == [(4, message)]
    assert fields(menu, "main,s,2")["play"] == "hello"
    findings = audit(menu, Config(select=["ST004"])).findings
    assert [(f.rule, f.line, f.message) for f in findings] == [("ST004", 4, message)]


def test_a_same_line_with_no_extension_before_it_is_a_notice():
    menu = loads("[main]\n same => n,Answer()\nexten => s,1,Playback(hi)\n", format="asterisk")
    assert [(n.position.line, n.message) for n in menu.notices] == [
        (
            2,
            "'same =>' has no extension before it in context 'main'; Asterisk skips this line "
            "with a warning (start the extension with 'exten => name,1,...')",
        )
    ]


def test_a_plain_comment_after_a_line_is_not_a_block_comment():
    menu = loads("[main]\nexten => s,1,Answer() ; the end --;\n", format="asterisk")
    assert kinds(menu) == {"main,s,<end>": "hangup"}


def test_lines_asterisk_itself_drops_are_dropped_the_same_way():
    # FreePBX writes 'n' on the first line of a context; Asterisk skips it with a warning.
    text = (
        "[main]\nexten => s,n,Playback(never-heard)\nexten => s,1,Answer()\n"
        " same => n,Playback(hello)\nexten => 100,hint,PJSIP/100\nthis line has no equals sign\n"
    )
    menu = loads(text, format="asterisk")
    assert fields(menu, "main,s,2") == {"type": "say", "play": "hello", "next": "main,s,<end>"}


# -- the real corpus -------------------------------------------------------------------------------

CORPUS_RESULTS = {
    "asterisk/Darcia2125__IVR__extensions.conf": [("demo", 27, 43, 85), ("work", 14, 15, 27)],
    "asterisk/Distrotech__distrotech-core__extensions.conf": [
        # Goto(agents,${EXTEN},1) into AgentLogin is the agents' side: an unknown, not a menu.
        # autofallthrough=no: a wait after a Dial() is silence until 't' (default's t:
        # the SIT tone, then hang-up), not a choice among the context's extensions.
        # disa (DISA) and agent, ccdialin, cccall (they only pass the number on to userout,
        # where DISA() gives its dial tone) are internal; the 'fax' extension is an unknown.
        # Goto(telco,${EXTEN},1)) (line 440) names label '1)', which Asterisk 12+ cannot find.
        # A Goto to an extension held in a variable the caller did not choose (${AEXTEN}
        # from the database, the SIP To header of sipddi, ${ANext}, ${AGENTNUM}) runs ONE
        # extension known only at run time: an unknown, not a case per extension. The
        # dialled ${EXTEN} (misdnfwd -> ddi) still reaches every extension it can find.
        ("ivr-std", 100, 103, 144),
        ("callback", 5, 5, 4),
        ("sugarcrm", 1, 1, 0),
        ("clickcall", 1, 1, 0),
        ("h323", 216, 336, 494),
        ("disa", 6, 6, 6),
        ("misdnfwd", 224, 344, 496),
        ("sipddi", 5, 5, 4),
        ("agent", 63, 64, 75),
        ("ccdialin", 1, 1, 0),
        ("cccall", 133, 135, 165),
    ],
    "asterisk/asterisk__asterisk__extensions.conf.sample": [("demo", 25, 36, 74)],
    # Read alone, extensions.conf #includes extensions_foas.conf and extensions_magic.conf
    # (collected beside it as inhyunc__baro_ars__extensions_foas.conf, ...).  Its trunk
    # contexts dispatch on the number dialled: each service given is a line of its own.
    "asterisk/inhyunc__baro_ars__extensions.conf": [
        # Retry counters (countWRONG/countENTER) after Read()s and in mbox_PlayErrMesg are
        # the menus' and questions' retries: the counter tests are no nodes of their own.
        ("magicbox-main", 112, 272, 374),
        # foas_order's GotoIf on ${RecvGetOffType} after Gosub(foas_init): 1 or 2, no else.
        ("foas_main", 125, 167, 283),
        ("call-file-test", 1, 1, 0),
        ("pri_tg_trunk", 318, 524, 749),
        ("avoxi_trunk", 2, 2, 1),
        ("rpi_trunk", 2, 2, 2),
        ("vars_keyno", 1, 1, 0),
        ("public", 307, 513, 734),
    ],
    "asterisk/inhyunc__baro_ars__extensions_foas.conf": [("foas_main", 125, 167, 283)],
    "asterisk/inhyunc__baro_ars__extensions_magic.conf": [("magicbox-main", 112, 272, 374)],
}
FREEPBX = "asterisk/Matto9781__freePBX01__extensions_additional.conf"
CORPUS_REFUSED = {
    "asterisk/asterisk__asterisk__extensions.ael.sample": AEL_MESSAGE,
    "asterisk/inhyunc__baro_ars__extensions.ael": AEL_MESSAGE,
    "asterisk/inhyunc__baro_ars__extensions_07075401880.ael": AEL_MESSAGE,
    "asterisk/leifmadsen__atdg-configs__extensions.conf": (
        "Asterisk dialplan with no extensions: every 'exten =>' line is commented out "
        "(; or ;-- --;), so there is no phone menu to audit"
    ),
}


def corpus_files(corpus: Path) -> list[str]:
    rows = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return sorted({row.split("\t")[1] for row in rows if row.split("\t")[0] == "asterisk"})


def summary(menus) -> list[tuple[str, int, int, int]]:
    result = []
    for menu in menus:
        graph = to_graph(menu)
        result.append((menu.id, len(menu.nodes), graph.number_of_nodes(), graph.number_of_edges()))
    return result


def test_the_corpus_lists_every_file_this_test_knows(corpus):
    expected = {*CORPUS_RESULTS, *CORPUS_REFUSED, FREEPBX}
    assert corpus_files(corpus) == sorted(expected)


@pytest.mark.parametrize("name", sorted(CORPUS_RESULTS))
def test_every_corpus_dialplan_loads_with_its_entry_contexts(corpus, name):
    menus = load_all(corpus / name)  # detected, even when the file starts with '[general]'

    assert all(menu.source_format == "asterisk" for menu in menus)
    assert summary(menus) == CORPUS_RESULTS[name]


def test_the_freepbx_dialplan_is_audited_from_its_inbound_contexts_only(corpus):
    menus = load_all(corpus / FREEPBX)
    # Feature codes (app-*, *NN), parking, paging, vm-callme and outbound routes are not
    # caller lines: only FreePBX's inbound contexts are audited.
    assert [(menu.id, menu.role, menu.role_reason) for menu in menus] == [
        (
            "ext-did-catchall",
            "entry",
            "FreePBX inbound context ext-did-catchall: calls from trunks",
        ),
        (
            "from-trunk-pjsip-Trunk_01",
            "entry",
            "FreePBX inbound context from-trunk-pjsip-Trunk_01: calls from trunks",
        ),
        ("from-zaptel", "entry", "FreePBX inbound context from-zaptel: calls from trunks"),
    ]
    # The trunk hands the call to from-trunk, in FreePBX's core dialplan (not given).
    trunk = next(menu for menu in menus if menu.id == "from-trunk-pjsip-Trunk_01")
    assert fields(trunk, trunk.start) == {
        "type": "unknown",
        "target": "from-trunk,${EXTEN},1",
        "note": "Goto(from-trunk,${EXTEN},1): jumps to context 'from-trunk': FreePBX's core "
        "dialplan (extensions.conf) defines it, and that file is not among the files given",
    }
    did = next(menu for menu in menus if menu.id == "ext-did-catchall")
    # The real IVR, reached through the DID and its announcement: WaitExten(10) with
    # the option 0, direct dialing, and loop counters on i and t.
    ivr = fields(did, "ivr-1,s,start")
    assert ivr["options"] == {
        "0": "ext-group,5241520521425,cid",
        "*38375604": "ivr-1,*38375604,4",
        "/^[0-9][0-9*#]+$/": "ivr-1,_X.,1",
    }
    # i counts wrong keys (INVALID_LOOPCOUNT) and plays the menu again: retries, whose
    # exhausted route ends in an empty Goto(), where Asterisk hangs up.  t's counter ends
    # elsewhere (a ring group), so it stays a branch.
    assert (ivr["no_input"], ivr["no_match"], ivr["timeout"]) == (
        "ivr-1,t,2",
        "ivr-1,s,start",
        10.0,
    )
    assert (ivr["retries"], ivr["retries_exhausted"]) == (3, "ivr-1,i,final")
    assert fields(did, "ivr-1,i,final") == {
        "type": "hangup",
        "play": "no-valid-responce-transfering",
        "note": "Goto() names no target: Asterisk hangs up",
    }


@pytest.mark.parametrize("name", sorted(CORPUS_REFUSED))
def test_corpus_files_that_are_not_menus_are_refused_with_the_reason(corpus, name):
    with pytest.raises(NotAMenuError) as caught:
        load_all(corpus / name)
    assert caught.value.message == CORPUS_REFUSED[name]


def test_the_stock_sample_checked_by_hand(corpus):
    (menu,) = load_all(corpus / "asterisk/asterisk__asterisk__extensions.conf.sample")
    assert menu.start == "demo,s,restart"
    assert kinds(menu) == {
        "demo,a,1": "action",
        "demo,a,2": "return",
        "demo,s,restart": "menu",
        "demo,s,instruct": "menu",
        "demo,2,1": "menu",
        "demo,1234,1": "say",
        "demo,1234,2": "subflow",
        "demo,1235,1": "voicemail",
        "demo,1235,1:after": "branch",
        "demo,1235,<end>": "hangup",
        "demo,1236,1": "transfer",
        "demo,1236,2": "voicemail",
        "demo,1236,2:after": "branch",
        "demo,1236,<end>": "hangup",
        "demo,#,1": "hangup",
        "demo,i,1": "say",
        "demo,i,<end>": "hangup",
        "demo,600,1": "say",
        "demo,600,2": "action",
        "demo,600,3": "say",
        "demo,76245,1": "action",
        "demo,_7XXX,1": "action",
        "demo,7999,2": "transfer",
        "demo,7999,<end>": "hangup",
        "demo,8500,1": "action",
    }
    assert fields(menu, "demo,s,restart") == {
        "type": "menu",
        "play": "demo-congrats",
        # What the sample's author wrote beside Playback(demo-congrats): a description,
        # kept as a note on the recording, never as the words callers hear.
        "recording_note": "Play a congratulatory message",
        "options": {
            "2": "demo,2,1",
            "3": "demo,s,restart",
            "1000": "demo,s,restart",
            "1234": "demo,1234,1",
            "1235": "demo,1235,1",
            "1236": "demo,1236,1",
            "#": "demo,#,1",
            "600": "demo,600,1",
            "76245": "demo,76245,1",
            "/^7[0-9]{3}$/": "demo,_7XXX,1",
            "7999": "demo,7999,2",
            "8500": "demo,8500,1",
        },
        "no_input": "demo,s,instruct",
        "no_match": "demo,i,1",
        "note": "keys pressed during the prompt (Background) choose an extension",
    }
    # The upstream sample calls Gosub(page,s,1), but [page] only has _X.: Asterisk would
    # hang up there (the sample was converted from Macro(page,...)).
    assert structural(menu) == [
        (
            "ST001",
            "demo,76245,1",
            612,
            "'error' of 'demo,76245,1' goes to 'page,s,1', which does not exist",
        ),
        (
            "ST001",
            "demo,_7XXX,1",
            614,
            "'error' of 'demo,_7XXX,1' goes to 'page,s,1', which does not exist",
        ),
    ]


# -- detection, the command line, helpers --------------------------------------------------------


def test_the_format_is_registered_and_detected():
    assert FORMATS["asterisk"].kind == "text"
    assert detect("[in]\nexten => s,1,Hangup()\n")
    assert detect("[a]\ninclude => b\n")
    assert not detect("[section]\nkey = value\n")
    assert not detect({"exten": 1})
    assert load(HERE / "main_menu.conf").source_format == "asterisk"


def test_the_cli_checks_a_dialplan(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--select", "ST", str(HERE / "read_menus.conf")])
    assert result.exit_code == 1
    assert "ST001" in result.output
    assert "read_menus.conf:27:" in result.output
    result = CliRunner().invoke(cli, ["check", "--select", "ST", str(HERE / "main_menu.conf")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("pattern", "matches", "misses", "regex"),
    [
        ("_X.", ["12", "1234"], ["1", "s"], "/^[0-9][0-9*#]+$/"),
        ("_1NXX", ["1200", "1999"], ["1100", "12000"], "/^1[2-9][0-9][0-9]$/"),
        ("_[1-3*]", ["2", "*"], ["4", "#"], "/^[1-3*]$/"),
        ("_#", ["#"], ["1"], "#"),
        ("_X!", ["1", "12"], ["", "a"], "/^[0-9][0-9*#]*$/"),
        ("_[a-z].", ["ab"], ["1b"], None),
        ("_s-.", ["s-BUSY", "sBUSY"], ["s", "t-BUSY"], None),
    ],
)
def test_extension_patterns(pattern, matches, misses, regex):
    parsed = Pattern.parse(pattern)
    assert all(parsed.matches(text) for text in matches)
    assert not any(parsed.matches(text) for text in misses)
    assert parsed.dtmf_regex() == regex


def test_arguments_conditions_and_variables_split_as_asterisk_does():
    assert app_args('googletts.agi,"Hello, caller",en') == ["googletts.agi", "Hello, caller", "en"]
    assert app_args("${CUT(EXTEN,*,2)},x") == ["${CUT(EXTEN,*,2)}", "x"]
    assert split_condition('$["${A}" = "1"]?yes,1:no') == ('$["${A}" = "1"]', "yes,1", "no")
    assert split_condition("${IF($[${X}]?a:b)}?t") == ("${IF($[${X}]?a:b)}", "t", None)
    assert substitute("${EXTEN:1}-${GLOBAL(Q)}@${CONTEXT}", {"Q": "q1"}, "91234", "c") == (
        "1234-q1@c"
    )


# -- nothing but a Menu or a MenuError ---------------------------------------------------------

FIXTURE_TEXTS = [
    path.read_text(encoding="utf-8")
    for path in sorted(HERE.glob("*.conf"))
    if path.name != "commented_out.conf"
]


def _mutate(text: str, seed: int) -> str:
    rng = random.Random(seed)
    rows = text.splitlines()
    for _ in range(rng.randint(1, 6)):
        if not rows:
            break
        index = rng.randrange(len(rows))
        action = rng.randrange(5)
        if action == 0:
            del rows[index]
        elif action == 1:
            rows.insert(index, rows[rng.randrange(len(rows))])
        elif action == 2 and rows[index]:
            cut = rng.randrange(len(rows[index]))
            rows[index] = (
                rows[index][:cut] + rng.choice(';,()[]=>_-$?:{}#!.\\"') + rows[index][cut + 1 :]
            )
        elif action == 3:
            rows[index] = rows[index][: rng.randrange(len(rows[index]) + 1)]
        else:
            rows.insert(index, rng.choice(["same => n,Goto(s,1)", ";--", "--;", "[x](!)"]))
    return "\n".join(rows) + "\n"


def _menu_or_error(text: str) -> None:
    with contextlib.suppress(MenuError):
        for menu in load_all(text if "\n" in text else text + "\n", format="asterisk"):
            to_graph(menu)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_gives_a_menu_or_a_menu_error(text):
    _menu_or_error(text + "\n")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(FIXTURE_TEXTS))), st.integers(0, 10**6))
def test_mutated_fixtures_give_a_menu_or_a_menu_error(which, seed):
    text = _mutate(FIXTURE_TEXTS[which], seed)
    try:
        for menu in load_all(text, format="asterisk"):
            to_graph(menu)
    except MenuError as error:
        assert not error.message.startswith("cannot convert this flow"), error


def test_a_fault_in_a_context_every_entry_shares_is_reported_once(tmp_path):
    dialplan = tmp_path / "extensions.conf"
    dialplan.write_text(
        "[from-sales]\n"
        "exten => s,1,Answer()\n"
        " same => n,Goto(shared,s,1)\n"
        "[from-support]\n"
        "exten => s,1,Answer()\n"
        " same => n,Goto(shared,s,1)\n"
        "[shared]\n"
        "exten => s,1,Background(main-menu)\n"
        " same => n,WaitExten(5)\n"
        "exten => 1,1,Dial(SIP/sales,20)\n"
        "exten => 2,1,Playback(closed)\n"
        " same => n,Hangup()\n"
    )
    assert [menu.id for menu in load_all(dialplan)] == ["from-sales", "from-support"]
    result = CliRunner().invoke(cli, ["check", str(dialplan), "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    # Both flows meet each fault; it is reported once, on the first flow's route.
    assert [(f["rule"], f["line"], f["node"], f["flow"]) for f in findings] == [
        ("DE004", 8, "shared,s,1", "from-sales"),
        ("MN002", 8, "shared,s,1", "from-sales"),
        ("DE003", 11, "shared,2,1", "from-sales"),
    ]


# -- the estate: files read together, channel configs, FreePBX roles ------------------------------


def _check(*paths: Path):
    from ivraudit.runner import check

    return check([str(path) for path in paths], skip_non_menus=True)


def test_a_channel_config_is_refused_and_its_context_lines_name_the_entries():
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "estate" / "chan_dahdi.conf")
    assert caught.value.message == (
        "not a dialplan: a channel config; its context= lines are read as entries"
    )
    estate = Estate.of(sorted((HERE / "estate").iterdir()))
    menus = load_all(HERE / "estate" / "inbound.conf", estate=estate)
    assert [(menu.id, menu.role, menu.role_reason) for menu in menus] == [
        (
            "from-pstn",
            "entry",
            "context from-pstn is named by chan_dahdi.conf:4 context=from-pstn",
        )
    ]


def test_a_jump_into_another_file_of_the_estate_resolves_and_its_fault_is_found():
    result = _check(HERE / "estate")
    found = [
        (Path(f.file).name, f.line, f.rule, f.node)
        for f in result.report.findings
        if f.rule in ("DE004", "ST004", "DE001")
    ]
    assert found == [("menus.conf", 4, "DE004", "main-menu,s,1")]
    # menus.conf owns no context callers enter: it is audited through inbound.conf.
    menus = load_all(
        HERE / "estate" / "inbound.conf", estate=Estate.of(sorted((HERE / "estate").iterdir()))
    )
    assert fields(menus[0], "main-menu,s,1")["options"] == {
        "1": "main-menu,1,1",
        "2": "main-menu,2,1",
    }


def test_without_the_other_file_the_jump_is_unknown_and_nothing_is_reported():
    result = _check(HERE / "alone" / "inbound.conf")
    assert [f.rule for f in result.report.findings] == []
    menu = load(HERE / "alone" / "inbound.conf")
    assert fields(menu, menu.start) == {
        "type": "unknown",
        "target": "main-menu,s,1",
        "note": "Goto(main-menu,s,1): jumps to context 'main-menu', which the files given do "
        "not define (Asterisk needs it from another configuration file, or the jump fails)",
    }


def test_freepbx_inbound_contexts_are_entries_and_feature_codes_are_not_audited():
    menus = load_all(HERE / "freepbx_roles.conf")
    assert [(menu.id, menu.role, menu.role_reason) for menu in menus] == [
        (
            "from-trunk-sip-carrier",
            "entry",
            "FreePBX inbound context from-trunk-sip-carrier: calls from trunks",
        ),
        ("ext-did", "entry", "FreePBX inbound context ext-did: calls from trunks"),
    ]
    # ivr-2 is named by no destination of the dialplan: no caller reaches it.
    did = menus[1]
    # The IVR is reached from the DID (the placeholder foo is no way in); jumps into
    # FreePBX's core dialplan (not given) are unknown, never a fault.
    assert did.start == "ivr-1,s,2"
    assert fields(did, "ivr-1,0,1")["type"] == "unknown"
    assert fields(did, "ivr-1,t,1")["target"] == "from-internal,100,1"
    rules = sorted({f.rule for menu in menus for f in audit(menu).findings})
    assert "MN002" not in rules and "DP003" not in rules


def test_hand_written_contexts_nothing_reaches_are_entries_only_when_they_wait_for_digits():
    text = (
        "[callout]\n"
        "exten => _9X.,1,Dial(SIP/${EXTEN:1}@carrier)\n"
        "[features]\n"
        "exten => *43,1,Answer()\n same => n,Echo()\n"
        "[lobby]\n"
        "exten => s,1,Background(lobby)\n same => n,WaitExten(5)\n"
        "exten => 1,1,Dial(PJSIP/desk)\n"
    )
    menus = loads_all(text, format="asterisk")
    assert [(menu.id, menu.role, menu.role_reason) for menu in menus] == [
        ("features", "internal", "feature code *43"),
        (
            "lobby",
            "entry",
            "context lobby plays a prompt and waits for digits, and nothing in the dialplan "
            "leads to it",
        ),
    ]


# -- round 2: lines dispatched on the number dialled, run-time jumps, retries, data entry ---------


def test_each_number_a_trunk_dispatches_to_a_service_is_a_line_of_its_own():
    result = _check(HERE / "dialled")
    found = sorted(
        (Path(f.file).name, f.line, f.rule, f.node, f.flow)
        for f in result.report.findings
        if f.rule.startswith("DP")
    )
    # The order line reaches no person (the trunk as a whole does, through support).
    assert found == [("services.conf", 4, "DP003", "orders,_X.,menu", "orders")]
    estate = Estate.of(sorted((HERE / "dialled").iterdir()))
    menus = load_all(HERE / "dialled" / "services.conf", estate=estate)
    assert [(menu.id, menu.role, menu.role_reason) for menu in menus] == [
        (
            "orders",
            "entry",
            "calls to number 1464 go to context orders: [from-trunk] dispatches on the "
            "number dialled (${NUM}) at extensions.conf:12",
        ),
        (
            "support",
            "entry",
            "calls to number 1470-1479 go to context support: [from-trunk] dispatches on the "
            "number dialled (${NUM}) at extensions.conf:13",
        ),
    ]
    # A fault in a service is one finding, whether the trunk's route or the line's meets it.
    rules = [(Path(f.file).name, f.line, f.rule) for f in result.report.findings]
    assert rules.count(("services.conf", 7, "DE003")) == 1


def test_without_the_services_file_the_dispatch_is_unknown_and_no_line_is_judged():
    result = _check(HERE / "dialled_alone" / "extensions.conf")
    # A number no service takes hears the recording 'not-in-service', whose words are
    # unknown, before the hangup, whoever calls: not judged (DE003's doc).
    assert [(f.line, f.rule) for f in result.report.findings] == []
    (menu,) = load_all(HERE / "dialled_alone" / "extensions.conf")
    assert menu.id == "from-trunk"


def test_a_run_time_jump_to_exten_finds_only_what_the_number_can_match():
    menu = load(HERE / "dynamic_exten.conf")
    # From _9X., ${EXTEN} is 911 (exact match first) or another 9X. number (_9X.):
    # no 'i' and no hang-up for a number nothing matches.
    assert fields(menu, "lobby,_9X.,1") == {
        "type": "branch",
        "note": "Goto(outbound,${EXTEN},1)",
        "cases": [{"when": "${EXTEN} is 911", "next": "outbound,911,1"}],
        "else": "outbound,_9X.,1",
    }
    # Taken only for numbers longer than 4: 911 cannot be one, and _X. takes the rest.
    assert fields(menu, "lobby,_X!,1:case 1") == {
        "type": "branch",
        "cases": [{"when": "${EXTEN} matches _9X.", "next": "outbound,_9X.,1"}],
        "else": "outbound,_X.,1",
    }
    # 'i' plays 'invalid' and goes back to the menu with no counter (DE008).
    assert [f.rule for f in audit(menu).findings] == ["DE004", "DE008"]


def test_a_retry_counter_is_the_menus_retries_and_its_exit_an_error_exit():
    menu = load(HERE / "data_entry.conf")
    day = fields(menu, "orders,s,day")
    # * goes to the same counter as a wrong key: it is a wrong key, not an option.
    assert day["options"] == {"0": "orders,s,day", "/^[1-6]$/": "orders,s,record"}
    assert (day["no_match"], day["retries"], day["retries_exhausted"]) == (
        "orders,s,again",
        2,
        "orders,bye,1",
    )
    findings = [(f.rule, f.line) for f in audit(menu).findings]
    assert ("DE005", 9) in findings
    assert not any(rule == "DE003" for rule, _ in findings)


def test_keys_that_all_lead_to_one_place_are_one_answer_not_options():
    menu = load(HERE / "data_entry.conf")
    # Weekdays 1-6 all go on to the recording; during it every key but # keeps waiting.
    assert fields(menu, "orders,s,record")["options"] == {
        "0": "orders,waiting,1",
        "/^[1-9*]$/": "orders,waiting,1",
        "#": "orders,#,2",
    }
    assert not any(f.rule == "MN001" for f in audit(menu).findings)


def test_out_of_hours_labels_holiday_dates_and_closed_flags_are_closed_routes():
    menu = load(HERE / "closed_hours.conf")
    # GotoIfTime(*,*,25,dec?FORADEATENDIMENTO): the Portuguese label names the closed side.
    assert fields(menu, "from-pstn,s,2")["closed"] == "menu,s,1"
    # GotoIf on ATENDIMENTO, set to 0 on that closed side, is the same hours check.
    assert fields(menu, "menu,1,1") == {
        "type": "hours",
        "open": "menu,1,2",
        "closed": "menu,1,FORA",
        "note": '$["${ATENDIMENTO}" = "0"] tests what a GotoIfTime() set on its closed side',
    }
    # What the closed side plays before hanging up is the out-of-hours message.
    assert fields(menu, "menu,1,FORA") == {
        "type": "hangup",
        "play": "FORADOHORARIO",
        "reason": "closed",
    }
    found = [(f.rule, f.line) for f in audit(menu).findings]
    # DE006 judges the out-of-hours routes, not DE003: key 2's closed route hangs up in
    # silence; key 1's plays FORADOHORARIO, a recording that may well give the hours.
    assert ("DE006", 25) in found and ("DE006", 21) not in found
    assert ("DE003", 23) not in found and ("DE003", 27) not in found


def test_a_date_is_a_holiday_check_and_a_time_is_not():
    text = (
        "[from-pstn]\n"
        "exten => s,1,GotoIfTime(*,*,1,jan?newyear)\n"
        "same => n,GotoIfTime(08:00-18:00,mon-fri,*,*?open)\n"
        "same => n,Playback(we-are-closed)\n"
        "same => n,Hangup()\n"
        "same => n(open),Background(main-menu)\n"
        "same => n,WaitExten(5)\n"
        "same => n(newyear),Playback(happy-new-year)\n"
        "same => n,Hangup()\n"
        "exten => 1,1,Queue(sales)\n"
        "exten => 2,1,Queue(support)\n"
    )
    menu = loads(text, "asterisk")
    holiday = fields(menu, "from-pstn,s,1")
    assert (holiday["holiday"], holiday["open"]) == ("from-pstn,s,newyear", "from-pstn,s,2")
    hours = fields(menu, "from-pstn,s,2")
    assert (hours["open"], hours["closed"]) == ("from-pstn,s,open", "from-pstn,s,3")


def test_keys_that_each_play_the_same_invalid_option_message_are_not_options():
    menu = load(HERE / "closed_hours.conf")
    assert fields(menu, "menu,s,1")["options"] == {
        "1": "menu,1,1",
        "2": "menu,2,1",
        "0": "menu,0,1",
        "/^[4-9]$/": "menu,s,1:invalid",
    }
    # Each key still runs its own extension: each hangs up on the caller on its own line.
    assert fields(menu, "menu,s,1:invalid")["else"] == "menu,9,1"
    found = [(f.rule, f.line) for f in audit(menu).findings]
    assert not any(rule == "MN001" for rule, _ in found)
    assert [line for rule, line in found if rule == "DE003"] == [30, 32, 34, 36, 38, 40]


# -- round 4: one Background/WaitExten menu; agent log-in reached by Goto -----------------------


def test_background_then_waitexten_is_one_menu_reported_once(tmp_path):
    # Fixture: fixtures/background_waitexten.conf (Asterisk docs, Background and WaitExten).
    path = HERE / "background_waitexten.conf"
    found = sorted((f.rule, f.line) for f in _check(path).report.findings)
    # The missing 'i' is one fault at the menu's first Background (line 9), not one per
    # priority a Goto can jump to; silence at the WaitExten part still ends at Hangup (10).
    assert ("DE004", 9) in found
    assert ("DE004", 10) not in found and ("DE004", 11) not in found
    assert ("DE005", 10) in found


def test_goto_into_agentlogin_is_the_agents_side_not_a_menu(tmp_path):
    # Fixture: fixtures/agent_login.conf (Asterisk docs, AgentLogin: the agent stays
    # logged in to take calls until they hang up).
    path = HERE / "agent_login.conf"
    found = [(f.rule, f.line) for f in _check(path).report.findings]
    assert not [hit for hit in found if hit[1] >= 14]
    (menu,) = load_all(path)
    unknowns = [n for n in menu.nodes.values() if n.type == "unknown"]
    assert any("AgentLogin" in (n.note or "") for n in unknowns)


def test_park_hands_the_call_to_the_parking_lot_not_to_the_next_priority():
    # Fixture: fixtures/park.conf (Asterisk docs, Dialplan_Applications/Park: the call
    # waits in the lot until someone picks it up with ParkedCall()).
    path = HERE / "park.conf"
    # Only 'i' going back to the menu with no counter (DE008), not the parking lot.
    assert [(f.rule, f.line) for f in _check(path).report.findings] == [("DE008", 8)]
    (menu,) = load_all(path)
    assert fields(menu, "incoming,1,2") == {
        "type": "transfer",
        "target": "parking:reception",
        "waits_in_queue": True,
        "note": "Park(reception): the call waits in parking lot reception until a person "
        "picks it up (ParkedCall); when nobody does, the parking lot's timeout decides",
    }
    assert "incoming,1,3" not in menu.nodes


WAIT_NOTE = (
    "extension {exten} has no priority {priority}; with autofallthrough=no Asterisk waits "
    "silently (the response timeout, 10 s) for an extension to be dialled, with no prompt "
    "asking for one: the caller hears silence, then the timeout"
)


def test_autofallthrough_no_after_a_dial_waits_for_an_extension_without_a_menu():
    # Fixture: fixtures/fallthrough_wait.conf (extensions.conf.sample, [general]
    # autofallthrough: "it will wait for a new extension to be dialed (like WaitExten)").
    path = HERE / "fallthrough_wait.conf"
    assert [(f.rule, f.line) for f in _check(path).report.findings] == []
    (menu,) = load_all(path)
    # Silence until the timeout, then 't' (issue 14: the wait is not a menu, and no
    # extension of the context is offered there: 100 and 0 are not routes from it).
    assert fields(menu, "reception,s,<end>") == {
        "type": "action",
        "next": "reception,0,1",
        "note": WAIT_NOTE.format(exten="s", priority=3),
    }
    # Calls enter [reception] at the extension they dial (100 is a DID of its own), not
    # through the wait.
    assert [case["next"] for case in fields(menu, "reception")["cases"]] == [
        "reception,s,2",
        "reception,100,1",
        "reception,0,1",
    ]
    assert not [node for node in menu.nodes.values() if node.type == "menu"]


def test_background_straight_into_a_goto_or_dial_is_an_announcement_not_a_menu():
    # Fixture: fixtures/announcement.conf (Asterisk docs, BackGround: it plays "while
    # waiting for an extension"; here nothing waits: the call is sent on at once).
    path = HERE / "announcement.conf"
    assert [(f.rule, f.line) for f in _check(path).report.findings] == []
    (menu,) = load_all(path)
    assert fields(menu, "incoming,s,2") == {
        "type": "say",
        "play": "thank-you-for-calling",
        "note": "Background() then a Goto elsewhere with nothing waiting for digits: an "
        "announcement, not a menu",
        "next": "reception,s,1",
    }
    assert fields(menu, "reception,s,1") == {
        "type": "transfer",
        "play": "please-hold-while-we-connect",
        "target": "PJSIP/reception",
        "fail": "reception,s,3",
    }
    assert not [node for node in menu.nodes.values() if node.type == "menu"]


def test_macroexit_comes_back_to_the_caller_and_macro_exten_stays_per_call():
    # Fixture: fixtures/macro_exit.conf (Asterisk docs, Macro: ${MACRO_EXTEN} is the
    # calling extension; MacroExit: exits "as if it had ended normally").
    path = HERE / "macro_exit.conf"
    # Only 'i' going back to the menu with no counter (DE008), not the macro.
    assert [(f.rule, f.line) for f in _check(path).report.findings] == [("DE008", 7)]
    (menu,) = load_all(path)
    assert fields(menu, "incoming,1,1")["next"] == "incoming,1,2"
    macro = menu.subflows["macro macro-reach,s,1"]
    assert fields(macro, "macro-reach,s,4") == {"type": "return", "note": "MacroExit()"}
    # The box is the caller's extension, known per call only: kept as written.
    assert fields(macro, "macro-reach,s,3")["box"] == "${MACRO_EXTEN}"
    graph_edges = edges(menu)
    assert ("incoming,1,1/macro-reach,s,4", "incoming,1,2", "return", None) in graph_edges


def test_autofallthrough_no_holds_in_its_file_and_the_files_it_includes_only():
    # Fixture: fixtures/fallthrough_files/ (extensions.conf.sample, [general]
    # autofallthrough): extensions.conf sets it and #includes extra.conf; other.conf,
    # given in the same run, keeps Asterisk's default.
    folder = HERE / "fallthrough_files"
    # Only each menu's 'i' going back to it with no counter (DE008), not the fallthrough.
    assert [(f.rule, f.line) for f in _check(folder).report.findings] == [
        ("DE008", 12),
        ("DE008", 4),
    ]
    estate = Estate.of(sorted(folder.iterdir()))
    (main,) = load_all(folder / "extensions.conf", estate=estate)
    assert kinds(main)["extra,s,<end>"] == "action"  # waits silently (test_roles_round3)
    assert kinds(main)["main,0,<end>"] == "action"
    (lobby,) = load_all(folder / "other.conf", estate=estate)
    assert kinds(lobby)["lobby,1,<end>"] == "hangup"
