"""The VoiceXML importer: fixtures written from the VoiceXML 2.1 specification, and the corpus."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivraudit import MenuError, load, load_all, loads, to_graph
from ivraudit.cli import main as cli
from ivraudit.formats.vxml.fields import loose_equal, strict_equal
from ivraudit.model.errors import NotAMenuError
from ivraudit.rules.engine import audit
from tests.conftest import edges, kinds, lines, structural

HERE = Path(__file__).resolve().parent / "fixtures"


def vxml(body: str) -> str:
    return f'<?xml version="1.0"?>\n<vxml version="2.1">\n{body}\n</vxml>\n'


# -- menus, fields, events, transfer and record ---------------------------------------------------


def test_bank_nodes_and_positions():
    menu = load(HERE / "bank.vxml")
    assert menu.source_format == "vxml"
    assert menu.start == "main"
    assert kinds(menu) == {
        "main": "menu",
        "main:3": "unknown",
        "main:noinput": "say",
        "main:noinput#3": "hangup",
        "main:nomatch": "say",
        "main:exhausted": "branch",
        "balance": "ask",
        "pin": "ask",
        "balance:block3": "unknown",
        "balance:noinput+nomatch": "say",
        "balance:noinput+nomatch#2": "say",
        "move_money": "menu",
        "confirm": "menu",
        "move_money:filled.2": "say",
        "confirm:filled.1": "unknown",
        "operator": "transfer",
        "operator:block2": "hangup",
        "operator:filled": "branch",
        "document:app.fatal": "hangup",
        "message": "voicemail",
        "message:block2": "hangup",
        "message:noinput": "say",
        "message:result": "branch",
    }
    assert lines(menu) == {
        "main": 15,
        "main:3": 23,
        "main:noinput": 25,
        "main:noinput#3": 27,
        "main:nomatch": 30,
        "main:exhausted": 15,
        "balance": 35,
        "pin": 46,
        "balance:block3": 50,
        "balance:noinput+nomatch": 38,
        "balance:noinput+nomatch#2": 42,
        "move_money": 55,
        "confirm": 71,
        "move_money:filled.2": 64,
        "confirm:filled.1": 75,
        "operator": 84,
        "operator:block2": 95,
        "operator:filled": 87,
        "document:app.fatal": 7,
        "message": 101,
        "message:block2": 109,
        "message:noinput": 104,
        "message:result": 101,
    }
    assert menu.locate("nodes", "main", "options", "2").line == 22
    assert menu.locate("nodes", "main", "options", "0").line == 5  # the document <link>
    assert menu.locate("nodes", "move_money", "options", "3").line == 59


def test_bank_edges():
    assert edges(load(HERE / "bank.vxml")) == [
        ("balance", "balance:noinput+nomatch", "no_input", None),
        ("balance", "balance:noinput+nomatch", "no_match", None),
        ("balance", "balance:noinput+nomatch#2", "retries_exhausted", None),
        ("balance", "pin", "next", None),
        ("balance:noinput+nomatch", "balance", "next", None),
        ("balance:noinput+nomatch#2", "operator", "next", None),
        ("confirm", "confirm", "no_input", None),
        ("confirm", "confirm", "no_match", None),
        ("confirm", "confirm:filled.1", "key", "1"),
        ("confirm", "move_money", "key", "2"),
        ("confirm", "operator", "key", "0"),
        ("main", "balance", "key", "1"),
        ("main", "balance", "speech", "balance"),
        ("main", "main", "key", "*"),
        ("main", "main", "speech", "repeat"),
        ("main", "main:3", "key", "3"),
        ("main", "main:3", "speech", "cards"),
        ("main", "main:exhausted", "retries_exhausted", None),
        ("main", "main:noinput", "no_input", None),
        ("main", "main:nomatch", "no_match", None),
        ("main", "move_money", "key", "2"),
        ("main", "move_money", "speech", "transfers"),
        ("main", "operator", "key", "0"),
        ("main:exhausted", "main:noinput#3", "case", "1"),
        ("main:exhausted", "operator", "else", None),
        ("main:noinput", "main", "next", None),
        ("main:nomatch", "main", "next", None),
        ("message", "message:result", "next", None),
        ("message:noinput", "main", "next", None),
        ("message:result", "message:block2", "case", "1"),
        ("message:result", "message:noinput", "else", None),
        ("move_money", "confirm", "key", "1"),
        ("move_money", "confirm", "speech", "between my accounts"),
        ("move_money", "main", "key", "3"),
        ("move_money", "main", "speech", "main menu"),
        ("move_money", "move_money", "no_input", None),
        ("move_money", "move_money", "no_match", None),
        ("move_money", "move_money:filled.2", "key", "2"),
        ("move_money", "move_money:filled.2", "speech", "to someone else"),
        ("move_money", "operator", "key", "0"),
        ("move_money:filled.2", "operator", "next", None),
        ("operator", "operator:filled", "fail", None),
        ("operator:filled", "document:app.fatal", "case", "2"),
        ("operator:filled", "message", "case", "1"),
        ("operator:filled", "operator:block2", "else", None),
        ("pin", "balance:block3", "next", None),
        ("pin", "pin", "no_input", None),
        ("pin", "pin", "no_match", None),
    ]


def test_menu_prompt_enumerate_timeout_and_escalation():
    main = load(HERE / "bank.vxml").nodes["main"]
    assert main.say == (
        "Welcome to Acme Bank. For balance, press 1. For transfers, press 2. For cards, "
        "press 3. For repeat, press *."
    )
    assert main.timeout == 4.0
    assert main.retries == 2  # the last handlers have count 3
    assert main.note is None


def test_fields_asks_and_menus():
    nodes = load(HERE / "bank.vxml").nodes
    balance = nodes["balance"]
    assert (balance.collects, balance.say, balance.retries) == (
        "account_number",
        "Please enter your eight digit account number.",
        1,
    )
    assert balance.note == (
        "grammar: builtin:digits?length=8; also listens for key 0 (line 5, going to "
        "#operator), which ivraudit cannot attach to an ask"
    )
    assert nodes["pin"].note == (
        "grammar: builtin:digits; no <noinput> handler: VoiceXML re-prompts (platform "
        "default); no <nomatch> handler: VoiceXML re-prompts (platform default); also "
        "listens for key 0 (line 5, going to #operator), which ivraudit cannot attach to an ask"
    )
    assert nodes["move_money"].say == "Choose: between my accounts, to someone else, main menu"
    assert nodes["move_money"].note.startswith(
        "<field> 'kind' with fixed choices, read as a menu (grammar: 3 <option>s)"
    )
    assert nodes["confirm"].note.startswith(
        "<field> 'confirm' with fixed choices, read as a menu (grammar: builtin:boolean)"
    )


def test_transfer_record_and_handlers():
    nodes = load(HERE / "bank.vxml").nodes
    operator = nodes["operator"]
    assert (operator.target, operator.human, operator.fail) == (
        "tel:+15555550100",  # destexpr names a document variable that holds a literal
        True,
        "operator:filled",
    )
    assert operator.say == "Please hold while we connect you to an adviser."
    assert [case.when for case in nodes["operator:filled"].cases] == [
        "agent == 'busy' || agent == 'noanswer'",
        "agent == 'network_busy'",
    ]
    assert nodes["message"].say == "Please leave a message after the tone."
    assert nodes["message:block2"].say == "Your message has been recorded. Goodbye."
    assert nodes["document:app.fatal"].note == "<exit/>: exits the interpreter"
    assert nodes["main:3"].note == (
        "goes to the VoiceXML document cards.vxml#start: not among the files given"
    )
    # Other documents and servers that are not given stay unknown (issue 13).
    assert (nodes["main:3"].reason, nodes["balance:block3"].reason) == ("not-given", "not-given")
    assert nodes["balance:block3"].note == (
        "submits with account_number pin to https://bank.example.com/balance; the server's "
        "answer is the next document: a URL, fetched from its server during the call"
    )


# -- subdialogs, conditions, links, hand-offs ----------------------------------------------------


def test_subdialog_file_next_to_the_document_is_a_subflow():
    menu = load(HERE / "flows.vxml")
    assert menu.nodes["who"].type == "subflow"
    assert menu.nodes["who"].menu == "verify.vxml"
    assert sorted(menu.subflows) == ["verify.vxml"]
    assert edges(menu) == [
        ("adviser", "adviser:src", "else", None),
        ("adviser", "screen", "case", "1"),
        ("adviser:block3", "call", "next", None),
        ("adviser:block3", "document:catch", "error", None),
        ("call", "document:catch", "fail", None),
        ("choose", "choose:filled.1", "key", "1"),
        ("choose", "choose:filled.1", "speech", "news"),
        ("choose", "choose:filled.else", "key", "2"),
        ("choose", "choose:filled.else", "speech", "weather"),
        ("choose", "document:catch", "no_input", None),
        ("choose", "document:catch", "no_match", None),
        ("choose:cond", "choose", "case", "1"),
        ("choose:cond", "start:end", "else", None),
        ("choose:filled.else", "choose:filled.else:goto", "next", None),
        ("document:catch", "start", "next", None),
        ("screen", "adviser:block3", "next", None),
        ("screen", "document:catch", "error", None),
        ("start", "vip", "case", "1"),
        ("start", "who", "else", None),
        ("vip", "adviser", "key", "1"),
        ("vip", "document:catch", "no_input", None),
        ("vip", "document:catch", "no_match", None),
        ("vip", "start", "speech", "start over"),
        ("vip", "vip:app.bye", "speech", "goodbye"),
        ("who", "who/verify", "subflow", None),
        ("who/verify", "who/verify", "no_input", None),
        ("who/verify", "who/verify", "no_match", None),
        ("who/verify", "who/verify:exhausted", "retries_exhausted", None),
        ("who/verify", "who/verify:filled", "next", None),
        ("who/verify:exhausted", "who/verify", "else", None),
        ("who/verify:exhausted", "who/verify:noinput#2", "case", "1"),
        ("who/verify:filled", "who:filled", "return", None),
        ("who/verify:noinput#2", "who:filled", "return", None),
        ("who:filled", "choose", "case", "1"),
        ("who:filled", "start:block3", "else", None),
    ]


def test_flows_nodes_notes_and_findings():
    menu = load(HERE / "flows.vxml")
    assert kinds(menu) == {
        "start": "branch",
        "who": "subflow",
        "start:block3": "hangup",
        "choose:cond": "branch",
        "choose": "menu",
        "who:filled": "branch",
        "start:end": "hangup",
        "choose:filled.1": "unknown",
        "choose:filled.else": "action",
        "choose:filled.else:goto": "unknown",
        "document:catch": "say",
        "vip": "menu",
        "vip:app.bye": "hangup",
        "adviser": "branch",
        "screen": "action",
        "adviser:block3": "action",
        "call": "transfer",
        "adviser:src": "unknown",
    }
    nodes = menu.nodes
    assert nodes["start"].note == (
        "the FIA runs this <block> only when its cond holds; the application root document "
        "root.vxml is not read: its handlers, links and variables are not applied"
    )
    assert nodes["choose:filled.else"].note == (
        "<subdialog_is_not_here> is not VoiceXML 2.x executable content; ivraudit does not "
        "know what it does"
    )
    assert nodes["choose:filled.else:goto"].target == "{weatherPage}"
    assert nodes["adviser"].note == (
        "<subdialog src> https://crm.example.com/lookup.vxml: a URL, fetched from its server "
        "during the call"
    )
    assert (nodes["adviser:src"].reason, nodes["adviser:src"].target) == (
        "not-given",
        "https://crm.example.com/lookup.vxml",
    )
    assert nodes["adviser:block3"].note == "fetches data from https://crm.example.com/flags.xml"
    assert nodes["call"].note == (
        "blind transfer: when it cannot connect, the platform throws error.connection"
    )
    # <audio src> with fallback text: the words are known, so no recording of unknown words.
    assert (nodes["call"].say, nodes["call"].play) == ("Connecting you now.", None)
    # who's <filled> goes straight to 'choose', so the FIA never reaches its cond guard.
    assert structural(menu) == [
        (
            "ST002",
            "choose:cond",
            25,
            "no route from the start reaches 'choose:cond'; 1 more node behind it",
        )
    ]


def test_subdialog_document_on_its_own():
    menu = load(HERE / "verify.vxml")
    assert kinds(menu) == {
        "verify": "ask",
        "verify:filled": "return",
        "verify:noinput#2": "return",
        "verify:exhausted": "branch",
    }
    verify = menu.nodes["verify"]
    assert (verify.collects, verify.retries, verify.no_input) == ("dob", 1, "verify")
    assert menu.nodes["verify:filled"].note == "returns verified to the calling dialog"


def test_vxml_in_a_dot_xml_file_is_detected_by_its_root():
    menu = load(HERE / "welcome.xml")
    assert menu.source_format == "vxml"
    assert menu.start == "menu1"
    assert menu.nodes["menu1:1"].note == (
        "goes to the VoiceXML document english.vxml: not among the files given"
    )
    # verify.vxml is next to it, inside the estate's root: its nodes join as 'verify.vxml#id'.
    assert kinds(menu)["verify.vxml#verify"] == "ask"
    assert menu.nodes["menu1"].note == (
        "no <noinput> handler: VoiceXML re-prompts (platform default); no <nomatch> handler: "
        "VoiceXML re-prompts (platform default)"
    )
    assert edges(menu)[:4] == [
        ("menu1", "menu1", "no_input", None),
        ("menu1", "menu1", "no_match", None),
        ("menu1", "menu1:1", "key", "1"),
        ("menu1", "verify.vxml#verify", "key", "2"),
    ]
    assert menu.locate("nodes", "verify.vxml#verify").file.endswith("verify.vxml")


def test_application_root_document_is_not_a_menu():
    with pytest.raises(NotAMenuError) as caught:
        load(HERE / "root.vxml")
    assert str(caught.value) == (
        f"{HERE / 'root.vxml'}:2:1: VoiceXML document with no <form> or <menu>: it only "
        "declares shared variables, scripts or handlers (an application root document?), so "
        "there is no phone menu to audit"
    )


# -- the spec's defaults and rules, one at a time --------------------------------------------------


def test_default_handlers_reprompt_on_silence_and_exit_on_errors():
    menu = loads(
        vxml(
            '<form id="f">\n'
            '  <field name="n" type="number"><prompt>How many?</prompt></field>\n'
            '  <block><throw event="app.oops"/></block>\n'
            "</form>\n"
            '<form id="g">\n'
            '  <subdialog name="s" src="https://example.com/s.vxml"/>\n'
            "</form>"
        )
    )
    assert edges(menu) == [
        ("f", "f", "no_input", None),
        ("f", "f", "no_match", None),
        ("f", "f:block2", "next", None),
        ("f:block2", "default:app.oops", "next", None),
        ("g", "g:end", "case", "1"),
        ("g", "g:src", "else", None),
    ]
    # A subdialog at a URL is not read: it returns, or goes where ivraudit cannot see.
    assert menu.nodes["g:src"].reason == "not-given"
    assert menu.nodes["g:src"].target == "https://example.com/s.vxml"
    assert menu.nodes["default:app.oops"].note == (
        "no <catch> handles 'app.oops': VoiceXML's default handler exits the interpreter"
    )
    assert menu.nodes["f:block2"].note == "plays nothing; goes on to 'default:app.oops'"


def test_intermediate_escalation_handlers_are_noted():
    menu = loads(
        vxml(
            '<menu id="m">\n'
            "  <prompt>Press 1.</prompt>\n"
            '  <choice dtmf="1" next="#m"/>\n'
            "  <noinput>One.</noinput>\n"
            '  <noinput count="2">Two.</noinput>\n'
            '  <noinput count="3"><disconnect/></noinput>\n'
            "</menu>"
        )
    )
    node = menu.nodes["m"]
    assert (node.no_input, node.retries, node.retries_exhausted) == ("m:noinput", 2, "m:exhausted")
    assert node.note == (
        "the noinput handler for count 2 is not modelled (only the first and the last are); "
        "no <nomatch> handler: VoiceXML re-prompts (platform default)"
    )
    assert menu.nodes["m:exhausted"].cases[0].next == "m:noinput#3"
    assert menu.nodes["m:exhausted"].else_ == "m"


def test_clear_sends_the_fia_back_to_the_cleared_item():
    menu = loads(
        vxml(
            '<form id="f">\n'
            '  <field name="a" type="digits"><prompt>A?</prompt></field>\n'
            '  <field name="b" type="digits"><prompt>B?</prompt>\n'
            '    <filled><if cond="b &gt; a"><clear namelist="a b"/></if></filled>\n'
            "  </field>\n"
            "</form>"
        )
    )
    branch = menu.nodes["b:filled"]
    assert (branch.cases[0].next, branch.else_) == ("f", "f:end")


def test_goto_nextitem_to_a_dialog_is_followed_and_noted():
    menu = loads(
        vxml(
            '<menu id="m"><prompt>Press 1.</prompt><choice dtmf="1" next="#f"/>\n'
            '  <nomatch><goto nextitem="m"/></nomatch></menu>\n'
            '<form id="f"><block><goto nextitem="nowhere"/></block></form>'
        )
    )
    assert menu.nodes["m"].no_match == "m"
    assert menu.nodes["m"].note.endswith(
        "goto nextitem=\"m\" (line 4) names a dialog, not an item of 'm': VoiceXML 2.x throws "
        "error.badfetch there; ivraudit follows it to the dialog, as some platforms do"
    )
    assert structural(menu) == [
        ("ST001", "f", 5, "'next' of 'f' goes to 'nowhere', which does not exist"),
    ]


def test_field_compared_with_a_string_is_not_read_as_a_menu():
    # builtin boolean fills true/false; true == 'true' is false in ECMAScript.
    menu = loads(
        vxml(
            '<form id="f"><field name="ok" type="boolean"><prompt>Press 1 for yes.</prompt>\n'
            '  <filled><if cond="ok == \'true\'"><goto next="#f"/>'
            "<else/><disconnect/></if></filled>\n"
            "</field></form>"
        )
    )
    assert menu.nodes["f"].type == "ask"
    assert menu.nodes["f"].note.endswith(
        "not read as a menu: cond \"ok == 'true'\" (line 4) holds for none of the values the "
        "field's grammar fills (true, false)"
    )


@pytest.mark.parametrize(
    ("left", "right", "loose", "strict"),
    [
        ("2", 2.0, True, False),
        (True, "true", False, False),
        (True, 1.0, True, False),
        ("", 0.0, True, False),
        ("news", "news", True, True),
        (False, False, True, True),
    ],
)
def test_ecmascript_equality(left, right, loose, strict):
    assert loose_equal(left, right) is loose
    assert strict_equal(left, right) is strict


def test_inputmodes_dtmf_drops_spoken_choices():
    menu = loads(
        vxml(
            '<property name="inputmodes" value="dtmf"/>\n'
            '<menu id="m" dtmf="true"><prompt>Pick.</prompt>\n'
            '  <choice next="#m">again</choice><choice next="#m">once more</choice></menu>'
        )
    )
    assert (menu.nodes["m"].options, menu.nodes["m"].speech) == ({"1": "m", "2": "m"}, {})


def test_executable_content_directly_in_a_form_is_a_block():
    menu = loads(
        vxml(
            '<form id="bye"><log expr="\'x\'"/><audio src="bye.wav">Goodbye.</audio>'
            "<disconnect/></form>"
        )
    )
    bye = menu.nodes["bye"]
    # The recording carries its words as fallback text: they are known, nothing is unknown.
    assert (bye.type, bye.say, bye.play) == ("hangup", "Goodbye.", None)
    assert bye.note == (
        "<disconnect/>: disconnects the call; executable content directly in <form> (not "
        "VoiceXML 2.x): read as a <block>"
    )


def test_a_handler_that_throws_its_own_event_loops():
    menu = loads(
        vxml(
            '<catch event="x"><throw event="x"/></catch>\n'
            '<form id="f"><block><throw event="x"/></block></form>'
        )
    )
    assert edges(menu) == [
        ("document:x", "document:x", "next", None),
        ("f", "document:x", "next", None),
    ]


# -- errors ---------------------------------------------------------------------------------------

BAD = [
    pytest.param(
        '<form id="a"><block/></form>\n<menu id="a"/>',
        "<text>:4:1: duplicate dialog id 'a' (first at line 3) (dialog ids must be unique in a "
        "document)",
        id="duplicate-dialog",
    ),
    pytest.param(
        '<form id="a"><field name="x"/>\n<field name="x"/></form>',
        "<text>:4:1: duplicate form item name 'x' (first at line 3) (form item names must be "
        "unique in a form)",
        id="duplicate-item",
    ),
    pytest.param(
        '<form id="a"><block>\n  <goto/></block></form>',
        "<text>:4:3: <goto> has no next, expr, nextitem or expritem (say where it goes, e.g. "
        'next="#main")',
        id="goto-nowhere",
    ),
    pytest.param(
        '<menu id="m">\n  <choice dtmf="1">one</choice></menu>',
        '<text>:4:3: <choice> has no next, expr or event (say where it goes, e.g. next="#sales")',
        id="choice-nowhere",
    ),
    pytest.param(
        '<menu id="m">\n  <choice dtmf="12x" next="#m"/></menu>',
        "<text>:4:3: dtmf '12x' is not DTMF keys (use up to 20 of 0-9, *, #, A-D)",
        id="bad-dtmf",
    ),
    pytest.param(
        '<menu id="m"><choice dtmf="1" next="#m"/>\n  <choice dtmf="1" next="#m"/></menu>',
        "<text>:4:3: dtmf '1' is given to two choices of menu 'm' (give each choice its own key)",
        id="duplicate-dtmf",
    ),
    pytest.param(
        '<menu id="m">\n  <choice next="#m"/></menu>',
        "<text>:4:3: <choice> has no dtmf, text or grammar: callers cannot pick it (add "
        'dtmf="1" or the words a caller says)',
        id="choice-unselectable",
    ),
    pytest.param(
        '<menu id="m"><choice dtmf="1" next="#m"/>\n  <noinput count="two"/></menu>',
        '<text>:4:3: count="two" is not a whole number of 1 or more (write count="1", '
        'count="2", ...)',
        id="bad-count",
    ),
    pytest.param(
        '<link dtmf="0"/>\n<menu id="m"><choice dtmf="1" next="#m"/></menu>',
        "<text>:3:1: <link> has no next, expr, event or eventexpr (say where it goes, e.g. "
        'next="#main")',
        id="link-nowhere",
    ),
    pytest.param(
        '<form id="f"><block>'
        + '<if cond="a">' * 70
        + "<prompt>deep</prompt>"
        + "</if>" * 70
        + "</block></form>",
        "<text>:3:840: conditions and event handlers nest more than 64 levels deep (ivraudit "
        "does not follow deeper nesting; flatten the conditions)",
        id="too-deep",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_malformed_documents_are_positioned_errors(body, message):
    with pytest.raises(MenuError) as caught:
        loads(vxml(body), format="vxml")
    assert str(caught.value) == message


def test_invalid_xml_is_a_positioned_error():
    with pytest.raises(MenuError) as caught:
        loads('<vxml version="2.1">\n<form id="f">\n</vxml>\n')
    assert str(caught.value).startswith("<text>:3:3: invalid XML: mismatched tag")


# -- detection and the command line ---------------------------------------------------------------


def test_detected_without_naming_the_format():
    assert load(HERE / "bank.vxml").source_format == "vxml"
    assert loads(vxml('<form id="f"><block>Hi.</block></form>')).source_format == "vxml"


def test_check_through_the_cli():
    result = CliRunner().invoke(
        cli, ["check", str(HERE / "flows.vxml"), "--select", "ST", "--no-witness"]
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{HERE / 'flows.vxml'}:25:5: ST002 warning: no route from the start reaches "
        "'choose:cond'; 1 more node behind it",
        "1 finding (0 errors, 1 warning, 0 info) in 1 file.",
        "3 routes leave what was read: 1 run-time target, 2 in files or flows not given "
        "(--unknowns lists them).",
    ]


# -- the corpus -----------------------------------------------------------------------------------

CORPUS_FILES = {
    # file: (nodes, edges), or the exact error
    "Dialogic__dialogic-vxml-netann__VoiceMail.vxml": (9, 13),
    "alinaEfremova__ICT4D2021-RadioMaliVoterVoiceXML__language.xml": (3, 4),
    "ict4d-jem__voicexml__debug_root.vxml": (
        "{path}:2:1: VoiceXML document with no <form> or <menu>: it only declares shared "
        "variables, scripts or handlers (an application root document?), so there is no "
        "phone menu to audit"
    ),
    "myforce__opal__main_menu.vxml": (14, 27),
    "myforce__opal__test.vxml": (14, 25),
    "voximal__voicexml-examples__control_index2.vxml": (3, 4),
    "voximal__voicexml-examples__grammar_Welcome_DTMF.vxml": (5, 6),
    # conferma_num's "=='true'" case never holds: the graph does not follow it (MN008)
    "voximal__voicexml-examples__index.vxml": (17, 26),
    "voximal__voicexml-examples__parrot_menu.vxml": (4, 5),
    # ISO-8859-1, as its XML declaration says; the shared decoder reads only UTF-8 so far.
    "voximal__voicexml-examples__registrazione.vxml": (38, 68),
    "voximal__voicexml-examples__service_menu.vxml": (17, 24),
    "voximal__voicexml-examples__test1_in.vxml": (5, 6),
}


def test_corpus_holds_exactly_these_files(corpus):
    assert sorted(path.name for path in (corpus / "vxml").iterdir()) == sorted(CORPUS_FILES)


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_file(corpus, name):
    path = corpus / "vxml" / name
    expected = CORPUS_FILES[name]
    if isinstance(expected, str):
        with pytest.raises(MenuError) as caught:
            load_all(path)
        assert str(caught.value) == expected.format(path=path)
        return
    menus = load_all(path)
    assert [
        (menu.source_format, len(menu.nodes), to_graph(menu).number_of_edges()) for menu in menus
    ] == [("vxml", *expected)]


def test_corpus_latin1_document_is_read_in_its_declared_encoding(corpus):
    # registrazione.vxml declares ISO-8859-1, and is read as such.
    menu = load(corpus / "vxml" / "voximal__voicexml-examples__registrazione.vxml")
    assert (len(menu.nodes), to_graph(menu).number_of_edges()) == (38, 68)
    assert menu.nodes["domanda_telefono_2"].say.startswith("Fà attenzione!")
    # Offered a number that is already registered, the caller hears so and the form ends.
    end = menu.nodes["domanda_telefono:filled.1:if.else"]
    assert (end.type, end.say) == (
        "hangup",
        "Esiste già un utente con questo numero. Prova a cambiare.",
    )
    assert structural(menu) == []


def test_corpus_voicemail_by_hand(corpus):
    # Checked against the file: the menu re-prompts through its own handlers, option 2
    # records with an explicit noinput handler, and the goodbye form falls off its end.
    menu = load(corpus / "vxml" / "Dialogic__dialogic-vxml-netann__VoiceMail.vxml")
    assert kinds(menu) == {
        "main_menu": "menu",
        "main_menu:noinput": "say",
        "main_menu:nomatch": "say",
        "play_audio": "say",
        "record_message": "voicemail",
        "record_message:filled": "say",
        "record_message:noinput": "say",
        "record_message:result": "branch",
        "goodbye": "hangup",
    }
    assert lines(menu) == {
        "main_menu": 23,
        "main_menu:noinput": 39,
        "main_menu:nomatch": 33,
        "play_audio": 52,
        "record_message": 74,
        "record_message:filled": 91,
        "record_message:noinput": 84,
        "record_message:result": 74,
        "goodbye": 107,
    }
    assert edges(menu) == [
        ("main_menu", "goodbye", "key", "3"),
        ("main_menu", "main_menu:noinput", "no_input", None),
        ("main_menu", "main_menu:nomatch", "no_match", None),
        ("main_menu", "play_audio", "key", "1"),
        ("main_menu", "record_message", "key", "2"),
        ("main_menu:noinput", "main_menu", "next", None),
        ("main_menu:nomatch", "main_menu", "next", None),
        ("play_audio", "main_menu", "next", None),
        ("record_message", "record_message:result", "next", None),
        ("record_message:filled", "main_menu", "next", None),
        ("record_message:noinput", "main_menu", "next", None),
        ("record_message:result", "record_message:filled", "case", "1"),
        ("record_message:result", "record_message:noinput", "else", None),
    ]
    assert menu.nodes["record_message:filled"].play == (
        "file:///var/lib/xms/media/en-US/vxml/replay_intro.wav, {voiceMessage}"
    )
    assert structural(menu) == []


def test_corpus_index_dtmf_only_confirmation(corpus):
    menu = load(corpus / "vxml" / "voximal__voicexml-examples__index.vxml")
    switch = menu.nodes["switch2"]
    assert (switch.type, switch.options, switch.speech) == (
        "menu",
        {"2": "riconoscimento", "1": "iscrizione"},
        {},  # inputmodes is dtmf: the spoken grammar is off
    )
    assert (switch.retries, switch.retries_exhausted) == (1, "riconoscimento")
    assert menu.nodes["conferma_num"].type == "ask"
    assert "holds for none of the values the field's grammar fills (true, false)" in (
        menu.nodes["conferma_num"].note
    )
    # inputmodes is dtmf: builtin:dtmf/boolean is the only grammar on, so conferma_num is
    # true or false, and "conferma_num=='true'" (line 135) never holds: pressing 1 loops
    found = [(f.rule, f.node, f.line) for f in audit(menu).findings if f.rule == "MN008"]
    assert found == [("MN008", "conferma_num:filled", 135)]


def test_corpus_registrazione_confirmations_never_take_a_key(corpus):
    # Each confirmation listens with ../grammatiche/conf_1.grxml (voice, not given) and
    # builtin:dtmf/boolean; "x=='true'" never holds for the key 1 the prompt offers.  The
    # spoken route stays (what conf_1.grxml fills is not read), so no dead end is claimed.
    menu = load(corpus / "vxml" / "voximal__voicexml-examples__registrazione.vxml")
    found = [(f.rule, f.line) for f in audit(menu).findings]
    assert found == [
        ("MN008", 65),
        ("MN008", 100),
        ("DE008", 110),
        ("MN008", 120),
        ("DE003", 131),
        ("DE008", 140),
        ("MN008", 160),
        ("DE008", 179),
        ("MN008", 196),
        ("DE008", 209),
        ("MN008", 226),
    ]
    cases = menu.nodes["conferma_cognome:filled"].cases
    assert [(case.when, case.next, case.never is not None) for case in cases] == [
        ("conferma_cognome=='true'", "domanda_nome", True),
        (
            "conferma_cognome=='true', for speech (../grammatiche/conf_1.grxml is not read)",
            "domanda_nome",
            False,
        ),
    ]


def test_corpus_service_menu_undeclared_assign_ends_the_call(corpus):
    # <assign name="user_token"> (lines 267, 278): no <var> or script declares it, and no
    # handler catches error.semantic: the service the caller picked ends the call.  One
    # undeclared name is one fault: both assigns end at the first one's exit.
    menu = load(corpus / "vxml" / "voximal__voicexml-examples__service_menu.vxml")
    found = [(f.rule, f.node, f.line) for f in audit(menu).findings]
    assert found == [("DE008", "confirm", 187), ("DE003", "dummy:assign", 267)]


def test_never_holding_tests_and_undeclared_assigns():
    menu = load(HERE / "never.vxml")
    found = [(f.rule, f.node, f.line) for f in audit(menu).findings]
    # No field catches noinput or nomatch: VoiceXML's default handlers reprompt with no
    # count, so each asks again forever (DE008).
    assert found == [
        ("DE008", "confirm", 16),
        ("DP003", "confirm", 16),
        ("MN008", "confirm:filled", 20),  # answer=='true'; confirm_ok's cond="ok" holds
        ("DE008", "confirm_ok", 29),
        ("DE008", "spoken", 42),
        ("MN008", "spoken:filled", 47),  # for a key press; speech keeps its route
        ("DE008", "more", 60),
        ("DE003", "more:assign", 65),  # token is declared nowhere; session_id is
    ]
    assert next(f.message for f in audit(menu).findings if f.rule == "MN008") == (
        "case 1 of 'confirm:filled' (answer=='true') can never hold: 'answer' is only ever "
        "true or false (builtin:dtmf/boolean), which the test never matches; ECMAScript's == "
        "turns the string 'true' into a number (NaN), so true == 'true' is false"
    )
    assign = menu.nodes["more:assign"]
    assert (assign.type, assign.reason) == ("hangup", "error")
    assert assign.note == (
        '<assign name="token"> writes a variable that no <var> or script of the document '
        "declares: VoiceXML throws error.semantic, and no <error> or <catch> handles it: "
        "VoiceXML's default handler exits the interpreter"
    )
    # the store block's <assign name="session_id"> is declared: the block goes on
    assert menu.nodes["store"].next == "more"


def test_an_undeclared_assign_goes_to_the_error_handler():
    # With an <error> handler, error.semantic goes there; in a document with an application
    # root (not read) or a <script src>, what is declared is unknown: nothing is decided.
    body = (
        '<form id="f"><error><prompt>Sorry.</prompt><goto next="#f"/></error>\n'
        '<block><assign name="x" expr="1"/><prompt>Hi.</prompt></block></form>'
    )
    menu = loads(vxml(body))
    assert menu.nodes["f"].next == "f:error"
    for header in ('<vxml version="2.1" application="root.vxml">', '<vxml version="2.1">'):
        script = "" if "application" in header else '<script src="lib.js"/>'
        text = f'<?xml version="1.0"?>\n{header}{script}\n{body}\n</vxml>\n'
        assert loads(text).nodes["f"].say == "Hi."  # the <assign> is passed, the prompt plays


# -- robustness -----------------------------------------------------------------------------------

SEEDS = [path.read_text(encoding="utf-8") for path in sorted(HERE.iterdir()) if path.is_file()]
TOKENS = [
    '"',
    "<",
    ">",
    "/",
    "",
    '<if cond="a">',
    "</if>",
    "<else/>",
    '<goto next="#x"/>',
    '<throw event="e"/>',
    "<clear/>",
    "<reprompt/>",
    "<disconnect/>",
    'count="2"',
]


def _mutate(text: str, seed: int) -> str:
    rng = random.Random(seed)
    lines_ = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 5)):
        if not lines_:
            break
        index = rng.randrange(len(lines_))
        choice = rng.randrange(4)
        if choice == 0:
            del lines_[index]
        elif choice == 1:
            lines_.insert(index, lines_[rng.randrange(len(lines_))])
        elif choice == 2:
            line = lines_[index]
            cut = rng.randrange(len(line) + 1)
            lines_[index] = line[:cut] + rng.choice(TOKENS) + line[cut:]
        else:
            line = lines_[index]
            cut = rng.randrange(len(line) + 1)
            lines_[index] = line[:cut] + line[cut + rng.randint(1, 8) :]
    return "".join(lines_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEEDS) - 1), st.integers(0, 2**32), st.text(max_size=40))
def test_mutated_files_end_in_a_menu_or_a_menu_error(which, seed, noise):
    text = _mutate(SEEDS[which], seed)
    for candidate in (text, noise + text, vxml(noise)):
        with contextlib.suppress(MenuError):
            load_all(candidate if "\n" in candidate else candidate + "\n", format="vxml")


def test_a_long_document_loads_in_linear_time():
    count = 2000
    forms = "\n".join(
        f'<form id="f{i}"><field name="x{i}" type="digits"><prompt>Enter {i}</prompt>'
        f'<filled><if cond="x{i} == 1"><goto next="#f{i + 1}"/><else/><goto next="#f0"/>'
        "</if></filled></field></form>"
        for i in range(count)
    )
    menu = loads(
        vxml(f'<link dtmf="0" next="#f0"/>\n<noinput>Sorry.<reprompt/></noinput>\n{forms}')
    )
    assert len(menu.nodes) == 3 * count
    assert menu.nodes["f1999:filled"].cases[0].next == "f2000"


def test_input_file_is_not_modified(tmp_path: Path):
    for name in ("flows.vxml", "verify.vxml"):
        (tmp_path / name).write_bytes((HERE / name).read_bytes())
    before = (tmp_path / "flows.vxml").read_bytes()
    load(tmp_path / "flows.vxml")
    assert (tmp_path / "flows.vxml").read_bytes() == before
