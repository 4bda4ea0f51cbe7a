"""VoiceXML read as its engineers read it: catch-all and unmatchable grammars, prompt
words known only during the call, and constant conditions.  Each fixture under
fixtures/semantics cites the section of VoiceXML 2.0, SRGS 1.0 or ECMA-262 it follows,
and most have a near-identical twin that behaves the other way."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivraudit.formats import load_all
from ivraudit.formats._xml import parse_xml
from ivraudit.formats.vxml.conditions import Conditions
from ivraudit.formats.vxml.grammars import catch_all, never_matches
from ivraudit.rules.engine import audit
from ivraudit.runner import check
from tests.conftest import kinds

HERE = Path(__file__).resolve().parent / "fixtures" / "semantics"


def _load(name: str):
    return load_all(HERE / name)[0]


def _found(name: str) -> list[tuple[str, str, int]]:
    return [(f.rule, f.node, f.line) for f in audit(_load(name)).findings]


# -- a catch-all grammar (SRGS 2.2.3 GARBAGE) in a <choice> or a <link> ---------------------------


def test_a_garbage_choice_is_a_catch_all_not_an_option():
    menu = _load("catch_all_choice.vxml")
    assert menu.nodes["main"].speech["<any>"] == "other"
    # Five keys and the operator: the catch-all is not a sixth option to remember.
    assert _found("catch_all_choice.vxml") == []


def test_a_worded_choice_is_an_option_to_remember():
    assert _load("worded_choice.vxml").nodes["main"].speech["complaints"] == "other"
    assert _found("worded_choice.vxml") == [("MN001", "main", 8)]


def test_a_garbage_link_is_a_route_not_dropped():
    menu = _load("catch_all_link.vxml")
    assert menu.nodes["main"].speech == {
        "sales": "desk",
        "hours": "hours",
        "operator": "desk",
        "<any>": "desk",
    }
    assert _found("catch_all_link.vxml") == []


# -- <value expr> worked out during the call ------------------------------------------------------


def test_words_known_only_during_the_call_are_unknown():
    main = _load("value_unknown.vxml").nodes["main"]
    assert (main.say, main.play) == (
        "For sales press 1. {session.connection.aai}",
        "{session.connection.aai}",
    )
    # Whether key 2 is announced is unknown: no MN003.
    assert _found("value_unknown.vxml") == []


def test_a_value_of_a_constant_is_known_words():
    main = _load("value_known.vxml").nodes["main"]
    assert (main.say, main.play) == ("For sales press 1. Thank you for calling.", None)
    assert _found("value_known.vxml") == [("MN003", "main", 8)]


# -- constant conditions (VoiceXML 5.1.2, ECMA-262 11) ---------------------------------------------


def test_parentheses_literals_same_literal_assigns_and_form_vars_are_decided():
    menu = _load("conds.vxml")
    assert kinds(menu)["main:block2"] == "say"
    assert menu.nodes["main:block2"].next == "main:block3"
    assert menu.nodes["main:block3"].note == (
        'cond "greeted || !(is_user && true)" never holds (greeted is only ever false '
        "(line 11), is_user is only ever true (line 9)): the FIA skips this <block> and "
        "goes on to 'main:block4'"
    )
    assert _found("conds.vxml") == [("ST002", "unregistered", 17)]


def test_a_condition_on_a_value_of_the_call_stays_a_branch():
    menu = _load("conds_assigned.vxml")
    assert [case.when for case in menu.nodes["main:block2"].cases] == ["(!is_user)"]
    assert menu.nodes["main:block2"].else_ == "main:block3"
    assert _found("conds_assigned.vxml") == [("DE003", "unregistered", 17)]


_DOCUMENT = """<vxml version="2.1"><var name="x" expr="true"/><var name="n" expr="5"/>
<var name="s" expr="'dtmf'"/><form id="f"><var name="local" expr="false"/>
<block cond="x"/></form><form id="g"><block/></form></vxml>"""


@pytest.mark.parametrize(
    ("cond", "holds"),
    [
        ("(!x)", False),
        ("((x))", True),
        ("x && true", True),
        ("true && x", True),
        ("!x && unknown", False),
        ("x || unknown", True),
        ("unknown && x", None),
        ("x && unknown", None),
        ("n == 5 && s != 'voice'", True),
        ("n > 4 && n <= 5", True),
        ("n == -1", False),
        ("x == 'true'", False),
        ("!(n === 5) || s === 'voice'", False),
        ("document.x", True),
        ("application.x", None),
        ("session.connection.aai", None),
        ("f(x)", None),
        ("x = false", None),
        ("n + 1 == 6", None),
        ("(x", None),
        ("x)", None),
        ("false", False),
        ("local", False),
        ("!dialog.local", True),
    ],
)
def test_conditions_are_decided_as_ecmascript_does(cond: str, holds: bool | None):
    root = parse_xml(_DOCUMENT, "inline.vxml").value
    form = root.findall("form")[0]
    assert Conditions.of_document(root).decide(cond, form) is holds


def test_a_form_level_var_is_read_only_in_its_own_form():
    root = parse_xml(_DOCUMENT, "inline.vxml").value
    conditions = Conditions.of_document(root)
    assert conditions.decide("local", root.findall("form")[1]) is None
    assert conditions.decide("local") is None


# -- grammars no caller can match (SRGS 2.2.3 VOID, 2.5 DTMF tokens, 4 ABNF) ---------------------


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("void_grammar.vxml", "the VOID rule, which can never be spoken"),
        ("dtmf_words.vxml", "the key presses 'XXXXX XXXX', which no keypad sends"),
        ("abnf_placeholder.vxml", "'XXXXX XXXX'"),
    ],
)
def test_a_grammar_that_never_matches_is_not_a_route(name: str, note: str):
    menu = _load(name)
    assert kinds(menu) == {"main": "say", "agent": "transfer", "agent:filled": "hangup"}
    assert menu.nodes["main"].next == "agent"
    assert menu.nodes["main"].note == (
        f"<field> 'pause' listens only for {note}: no caller matches it, its <filled> "
        "never runs, and the call goes on through <noinput> or <nomatch>"
    )
    # No DE003 on the <filled> that never runs.
    assert _found(name) == []


@pytest.mark.parametrize("name", ["dtmf_keys.vxml", "abnf_words.vxml"])
def test_a_grammar_callers_can_match_fills_the_field(name: str):
    menu = _load(name)
    assert (kinds(menu)["main"], menu.nodes["main"].next) == ("ask", "main:filled")
    assert _found(name) == [("DE003", "main:filled", 12)]


@pytest.mark.parametrize(
    ("grammar", "mode", "never", "anything"),
    [
        ('<rule id="r"><ruleref special="GARBAGE"/></rule>', "voice", False, True),
        ('<rule id="r">help <ruleref special="GARBAGE"/></rule>', "voice", False, False),
        ('<rule id="r"><ruleref special="NULL"/></rule>', "voice", False, False),
        ('<rule id="r"><ruleref uri="other.grxml"/></rule>', "voice", False, False),
        ('<rule id="r"><item>zzzz<tag>out="sales"</tag></item></rule>', "voice", True, False),
        ('<rule id="r"><ruleref uri="#s"/></rule><rule id="s">XXXX</rule>', "voice", True, False),
        ('<rule id="r"><item>4321</item></rule>', "dtmf", False, False),
        ('<rule id="r"><item>1 2 #</item></rule>', "dtmf", False, False),
        ("#ABNF 1.0; mode dtmf; root $r; $r = dtmf-1 | dtmf-star;", "dtmf", False, False),
        ("#ABNF 1.0; root $r; $r = $GARBAGE;", "voice", False, True),
        ("#ABNF 1.0; root $r; public $r = $VOID;", "voice", True, False),
        ("#ABNF 1.0; root $r; $r = $&lt;other.gram#x&gt;;", "voice", False, False),
        ("minDigits=1; maxDigits=5; terminators=#", "dtmf", False, False),
    ],
)
def test_what_a_grammar_can_match(grammar: str, mode: str, never: bool, anything: bool):
    element = parse_xml(f'<grammar mode="{mode}">{grammar}</grammar>', "inline.vxml").value
    assert (never_matches(element, mode) is not None, catch_all(element)) == (never, anything)


def test_a_fault_in_a_document_another_reaches_is_reported_once():
    # billing.vxml's keys 1 and 2 go to forms it does not have; main.vxml reaches it
    # (VoiceXML 2.0 §5.3.7 <goto next>).  Checked together, each missing form is one
    # finding, not one for billing.vxml alone and one more for main.vxml's route into it.
    folder = Path(__file__).resolve().parent / "fixtures" / "once"
    report = check([str(folder)]).report
    missing = [(f.rule, f.line, f.column) for f in report.findings if f.rule == "ST001"]
    assert missing == [("ST001", 7, 5), ("ST001", 8, 5)]


def test_a_literal_a_document_script_declares_and_nothing_writes_is_decided():
    folder = Path(__file__).resolve().parent / "fixtures" / "semantics"
    found = check([str(folder / "script_const.vxml")]).report.findings
    assert ("ST002", "no") in [(f.rule, f.node) for f in found]  # cond="x" always holds
    # A function that may write x: the condition stays the call's to decide.
    kept = check([str(folder / "script_written.vxml")]).report.findings
    assert ("ST002", "no") not in [(f.rule, f.node) for f in kept]
