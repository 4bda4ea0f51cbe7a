"""VoiceXML documents of one estate, decided conditions, unmatchable grammars, served ends and
recordings: fixtures written from the VoiceXML 2.0/2.1 specification (cited in each)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivraudit.formats import Estate, load_all
from ivraudit.rules.engine import audit
from ivraudit.runner import check
from tests.conftest import edges, kinds

HERE = Path(__file__).resolve().parent / "fixtures"
ESTATE = HERE / "estate"


def _found(menu) -> list[tuple[str, str, int]]:
    return [(f.rule, f.node, f.line) for f in audit(menu).findings]


def _estate_menus() -> dict[str, object]:
    files = sorted(str(path) for path in ESTATE.glob("*.vxml"))
    estate = Estate.of(files)
    return {Path(path).name: load_all(path, estate=estate)[0] for path in files}


def test_a_document_of_the_estate_is_followed_and_its_fault_found():
    menus = _estate_menus()
    main = menus["main.vxml"]
    assert main.nodes["main"].options["1"] == "sales.vxml#offer"
    assert kinds(main)["sales.vxml#offer"] == "ask"
    assert main.locate("nodes", "sales.vxml#offer:filled.1").file.endswith("sales.vxml")
    # Behind key 1, the order fails and the form falls off: a real DE003, in sales.vxml.
    assert ("DE003", "sales.vxml#offer:filled.1", 11) in _found(main)


def test_the_same_document_absent_leaves_an_unknown_and_no_finding(tmp_path: Path):
    shutil.copy(ESTATE / "main.vxml", tmp_path / "main.vxml")
    menu = load_all(tmp_path / "main.vxml")[0]
    unknown = menu.nodes["main:1"]
    assert (unknown.type, unknown.reason, unknown.target) == (
        "unknown",
        "not-given",
        "sales.vxml#offer",
    )
    assert unknown.note == (
        "goes to the VoiceXML document sales.vxml#offer: not among the files given"
    )
    # Only the menu's own noinput and nomatch, which reprompt with no count (DE008).
    assert _found(menu) == [("DE008", "main", 6)]


def test_urls_and_paths_out_of_the_root_are_unknown_and_never_read():
    menu = _estate_menus()["main.vxml"]
    url = menu.nodes["main:2"]
    assert (url.type, url.reason) == ("unknown", "not-given")
    assert url.note.endswith("a URL, fetched from its server during the call")
    outside = menu.nodes["adviser:block2"]
    assert (outside.type, outside.target) == ("unknown", "../outside/secret.vxml")
    assert "which ivraudit does not read" in outside.note


def test_roles_in_the_estate():
    roles = {name: (menu.role, menu.role_reason) for name, menu in _estate_menus().items()}
    assert roles == {
        "ask_pin.vxml": ("reached", "a subdialog: <subdialog src> at caller.vxml:7 runs it"),
        "caller.vxml": ("entry", "no other VoiceXML document of the files given leads to it"),
        "main.vxml": ("entry", "no other VoiceXML document of the files given leads to it"),
        "sales.vxml": (
            "reached",
            "callers arrive from another document: <choice> at main.vxml:8",
        ),
    }
    # A subdialog document read on its own is still reached: its dialogs end in <return>.
    alone = load_all(ESTATE / "ask_pin.vxml")[0]
    assert alone.role_reason == "a subdialog: its dialogs end in <return> (line 8)"
    assert alone.role == "reached"


def test_subdialog_in_the_estate_is_a_subflow_and_missing_is_unknown(tmp_path: Path):
    caller = _estate_menus()["caller.vxml"]
    assert (caller.nodes["start"].type, caller.nodes["start"].menu) == ("subflow", "ask_pin.vxml")
    shutil.copy(ESTATE / "caller.vxml", tmp_path / "caller.vxml")
    alone = load_all(tmp_path / "caller.vxml")[0]
    assert edges(alone) == [
        ("start", "start:block2", "case", "1"),
        ("start", "start:src", "else", None),
    ]
    assert alone.nodes["start:src"].type == "unknown"
    # The thanks after the subdialog ends a served call.
    assert alone.nodes["start:block2"].reason == "completed"
    assert _found(alone) == []


def test_check_of_the_estate_directory():
    result = check([ESTATE])
    found = sorted((Path(f.file).name, f.rule, f.line) for f in result.report.findings)
    # DE003 in sales.vxml is met from sales.vxml and through main.vxml: one fault, once.
    # Each question reprompts on noinput and nomatch with no count (DE008): main.vxml's
    # handlers say so, the others have VoiceXML's default handlers.
    assert found == [
        ("ask_pin.vxml", "DE008", 6),
        ("caller.vxml", "DP003", 7),
        ("main.vxml", "DE008", 6),
        ("sales.vxml", "DE003", 11),
        ("sales.vxml", "DE008", 7),
    ]


def test_conditions_on_constant_document_variables_are_decided():
    menu = load_all(HERE / "decided.vxml")[0]
    assert menu.nodes["route"].type == "say"
    assert menu.nodes["route"].next == "welcome"
    assert 'cond "is_member" always holds (is_member is only ever true (line 7))' in (
        menu.nodes["route"].note
    )
    assert "route:block2" not in menu.nodes
    # The complementary guards: the second block runs whenever the first does not.
    assert edges(menu)[:4] == [
        ("join", "route", "next", None),
        ("route", "welcome", "next", None),
        ("vip", "vip:end", "fail", None),
        ("welcome", "vip", "case", "1"),
    ]
    second = menu.nodes["welcome:block2"]
    assert (menu.nodes["welcome"].else_, second.type, second.next) == (
        "welcome:block2",
        "say",
        "vip",
    )
    assert "welcome:end" not in menu.nodes
    # The join form is dead: is_member is always true.
    assert _found(menu) == [("ST002", "join", 17)]


def test_a_field_that_can_never_match_is_not_a_route():
    menu = load_all(HERE / "garbage.vxml")[0]
    assert kinds(menu) == {"pause": "say", "next": "transfer", "next:end": "hangup"}
    assert menu.nodes["pause"].next == "next"
    assert _found(menu) == []


def test_a_served_end_is_completed_and_recordings_are_unknown_words():
    menu = load_all(HERE / "served.vxml")[0]
    balance = menu.nodes["balance"]
    # <audio src> without fallback text: a recording of unknown words.
    assert (balance.say, balance.play) == ("Enter your account number.", "tones.wav")
    end = menu.nodes["balance:filled"]
    # With fallback text the words are known (all but the account's value, worked out
    # during the call); the form ends after the caller was served.
    assert (end.say, end.play, end.reason) == (
        "Your balance is {account}. Goodbye.",
        "{account}",  # <value expr> of the call: words known only then
        "completed",
    )
    # The noinput handler's exit is not a success path.
    assert menu.nodes["balance:noinput#2"].reason is None
    assert [rule for rule, _, _ in _found(menu)] == ["DP003", "DE003"]
