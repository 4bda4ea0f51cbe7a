"""The FreeSWITCH IVR menu importer: fixtures from the mod_ivr documentation and the corpus."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivraudit import MenuError, audit, load, load_all, loads, to_graph
from ivraudit.cli import main as cli
from ivraudit.formats import FORMATS
from ivraudit.formats._xml import parse_xml
from ivraudit.model.errors import NotAMenuError
from tests.conftest import edges, kinds, lines, structural

HERE = Path(__file__).resolve().parent / "fixtures"


# -- the documentation fixture ------------------------------------------------------------------


def test_every_action_and_application_maps_to_a_node():
    menu = load(HERE / "main.xml")
    assert menu.source_format == "freeswitch"
    assert menu.id == "main"
    assert menu.start == "main"
    assert kinds(menu) == {
        "main": "menu",
        "sales": "menu",
        "support": "menu",
        "shared": "menu",
        "support:pin": "ask",
        "main:exit": "say",
        "main:after-ivr": "unknown",
        "main:3": "transfer",
        "main:4": "voicemail",
        "main:5": "transfer",
        "main:6": "unknown",
        "main:7": "say",
        "main:8": "action",
        "main:0": "transfer",
        "main:/^(2[0-9]{3})$/": "unknown",
        "main:*": "say",
        "main:max-failures": "unknown",
        "main:max-timeouts": "hangup",
        "main:exhausted": "branch",
        "sales:2": "say",
        "sales:3": "action",
        "sales:4": "action",
        "support:2": "ask",
        "support:3": "hangup",
        "shared:back": "branch",
    }
    assert lines(menu) == {
        "main": 4,
        "sales": 27,
        "support": 36,
        "shared": 45,
        "support:pin": 36,
        "main:exit": 4,
        "main:after-ivr": 4,
        "main:3": 15,
        "main:4": 16,
        "main:5": 17,
        "main:6": 18,
        "main:7": 19,
        "main:8": 20,
        "main:0": 21,
        "main:/^(2[0-9]{3})$/": 22,
        "main:*": 23,
        "main:max-failures": 4,
        "main:max-timeouts": 4,
        "main:exhausted": 4,
        "sales:2": 30,
        "sales:3": 31,
        "sales:4": 32,
        "support:2": 39,
        "support:3": 40,
        "shared:back": 45,
    }
    assert menu.locate("nodes", "main", "options", "5").line == 17
    assert menu.locate("nodes", "main").column == 5


def test_every_entry_becomes_an_edge():
    menu = load(HERE / "main.xml")
    assert edges(menu) == [
        ("main", "main", "no_input", None),
        ("main", "main", "no_match", None),
        ("main", "main:*", "key", "*"),
        ("main", "main:/^(2[0-9]{3})$/", "key", "/^(2[0-9]{3})$/"),
        ("main", "main:0", "key", "0"),
        ("main", "main:3", "key", "3"),
        ("main", "main:4", "key", "4"),
        ("main", "main:5", "key", "5"),
        ("main", "main:6", "key", "6"),
        ("main", "main:7", "key", "7"),
        ("main", "main:8", "key", "8"),
        ("main", "main:exhausted", "retries_exhausted", None),
        ("main", "main:exit", "key", "#"),
        ("main", "sales", "key", "1"),
        ("main", "support:pin", "key", "2"),
        ("main:*", "main", "next", None),
        ("main:0", "main", "fail", None),
        ("main:3", "main", "fail", None),
        ("main:4", "main", "next", None),
        ("main:5", "main", "fail", None),
        ("main:7", "main", "next", None),
        ("main:8", "main", "next", None),
        ("main:exhausted", "main:max-failures", "case", "1"),
        ("main:exhausted", "main:max-timeouts", "else", None),
        ("main:exit", "main:after-ivr", "next", None),
        ("sales", "main", "key", "*"),
        ("sales", "main", "retries_exhausted", None),
        ("sales", "sales", "no_input", None),
        ("sales", "sales", "no_match", None),
        ("sales", "sales:2", "key", "2"),
        ("sales", "sales:3", "key", "3"),
        ("sales", "sales:4", "key", "4"),
        ("sales", "shared", "key", "1"),
        ("sales:2", "sales", "next", None),
        ("sales:3", "main:exit", "next", None),
        ("sales:4", "main:exit", "next", None),
        ("shared", "<missing elsewhere>", "key", "5"),
        ("shared", "shared", "no_input", None),
        ("shared", "shared", "no_match", None),
        ("shared", "shared:back", "key", "*"),
        ("shared", "shared:back", "retries_exhausted", None),
        ("shared:back", "sales", "case", "1"),
        ("shared:back", "support", "else", None),
        ("support", "main", "key", "*"),
        ("support", "main", "retries_exhausted", None),
        ("support", "shared", "key", "1"),
        ("support", "support", "key", "9"),
        ("support", "support", "no_input", None),
        ("support", "support", "no_match", None),
        ("support", "support:2", "key", "2"),
        ("support", "support:3", "key", "3"),
        ("support:2", "support", "fail", None),
        ("support:2", "support", "next", None),
        ("support:pin", "support", "fail", None),
        ("support:pin", "support", "next", None),
    ]


def test_menu_settings_and_greetings():
    menu = load(HERE / "main.xml")
    main = menu.nodes["main"]
    assert main.say == (
        "Welcome. For sales press 1. For support press 2. For billing press 3. "
        "To leave a message press 4."
    )
    assert main.timeout == 8.0
    assert main.retries == 1
    assert main.note == (
        'repeats with greet-short "Press 1, 2, 3 or 4."; an invalid entry plays '
        "ivr/ivr-that_was_an_invalid_entry.wav; gives up after 2 invalid entries or 4 timeouts"
    )
    sales = menu.nodes["sales"]
    assert (sales.play, sales.say, sales.timeout, sales.retries) == (
        "phrase:sales_menu",
        None,
        10.0,
        2,
    )
    assert menu.nodes["main:exit"].say == "Thank you for calling. Goodbye."
    assert menu.nodes["support"].note == (
        "gives up after 3 invalid entries or 3 timeouts; each entry is confirmed with "
        "phrase 'confirm_digits' and key 1"
    )


def test_applications_become_transfers_voicemail_asks_and_actions():
    nodes = load(HERE / "main.xml").nodes
    assert (nodes["main:0"].target, nodes["main:0"].human) == ("queue:operators@default", True)
    assert (nodes["main:5"].target, nodes["main:5"].human) == ("queue:billing", True)
    assert (nodes["main:3"].target, nodes["main:3"].fail) == ("user/1000@example.com", "main")
    # transfer leaves the menu for the dialplan, which this fixture does not give.
    assert (nodes["main:6"].reason, nodes["main:6"].target) == (
        "not-given",
        "main_ivr_es XML default",
    )
    assert nodes["main:6"].note == (
        "transfers to main_ivr_es XML default: the dialplan is not among the files given"
    )
    assert nodes["main:/^(2[0-9]{3})$/"].target == "$1 XML default"
    assert nodes["main:max-failures"].target == "operator XML default"
    assert nodes["main:4"].box == "1000"
    assert nodes["main:7"].play == "ivr/hours.wav"
    assert nodes["main:*"].say == "Our address is 1 Main Street."
    assert (
        nodes["main:8"].note == "runs the application 'lua lookup.lua', then this menu plays again"
    )
    assert nodes["sales:2"].say == "We are open nine to five."
    assert nodes["support:2"].collects == "account_number"
    assert nodes["support:2"].play == "ivr/enter_account.wav"
    assert nodes["support:pin"].collects == "pin"
    assert nodes["main:max-timeouts"].note == "exec-on-max-timeouts: hangup cause NORMAL_CLEARING"


def test_applications_freeswitch_cannot_run_end_the_menu_stack():
    nodes = load(HERE / "main.xml").nodes
    assert nodes["sales:3"].note == (
        "runs 'transfert 2000 XML default', but FreeSWITCH has no application called "
        "'transfert', so the menu stack ends (did you mean 'transfer'?)"
    )
    assert nodes["sales:4"].note == (
        "runs '2000 XML default', but FreeSWITCH has no application called '2000', so the "
        "menu stack ends (did you mean 'transfer 2000 XML default'?)"
    )


def test_menu_back_returns_to_each_calling_menu():
    menu = load(HERE / "main.xml")
    back = menu.nodes["shared:back"]
    assert [case.when for case in back.cases] == ["'shared' was run by menu 'sales'"]
    assert back.else_ == "support"


def test_missing_submenu_is_an_st001_finding():
    menu = load(HERE / "main.xml")
    assert structural(menu) == [
        ("ST001", "shared", 47, "key 5 of 'shared' goes to 'elsewhere', which does not exist")
    ]


def test_each_top_menu_is_a_flow():
    menus = load_all(HERE / "flows.xml")
    assert [(menu.id, menu.start, sorted(menu.nodes)) for menu in menus] == [
        ("day", "day", ["day", "day:exit", "news"]),
        ("night", "night", ["news", "night", "night:exit"]),
        ("ping", "ping", ["ping", "ping:back", "ping:exit", "pong"]),
    ]
    day, night, ping = menus
    assert edges(night) == [
        ("news", "news", "no_input", None),
        ("news", "news", "no_match", None),
        ("news", "night", "key", "*"),
        ("news", "night", "key", "0"),
        ("news", "night", "retries_exhausted", None),
        ("night", "news", "key", "1"),
        ("night", "night", "no_input", None),
        ("night", "night", "no_match", None),
        ("night", "night:exit", "key", "*"),
        ("night", "night:exit", "retries_exhausted", None),
    ]
    assert day.nodes["day"].timeout == 5.0
    assert day.nodes["day"].note == (
        "say: prompts need tts-engine and tts-voice (on the menu or the channel) to be heard; "
        "gives up after 3 invalid entries or 3 timeouts"
    )
    assert ping.nodes["ping:back"].else_ == "ping:exit"
    assert [case.next for case in ping.nodes["ping:back"].cases] == ["pong"]
    with pytest.raises(MenuError, match=r"file holds 3 flows \(day, night, ping\)"):
        load(HERE / "flows.xml")


def test_legacy_actions_in_a_curl_document():
    menu = load(HERE / "legacy.xml")
    assert kinds(menu) == {
        "legacy": "menu",
        "legacy:exit": "say",
        "legacy:after-ivr": "unknown",
        "legacy:1": "unknown",
        "legacy:2": "say",
        "legacy:3": "say",
        "legacy:4": "say",
        "legacy:5": "transfer",
    }
    assert menu.nodes["legacy"].retries == 0
    assert menu.nodes["legacy:1"].note == (
        "transfers to 1000: the dialplan is not among the files given; "
        "legacy action 'menu-call-transfer' (FreeSWITCH before 1.0): current FreeSWITCH refuses "
        'to build a menu that uses it; write menu-exec-app param="transfer EXTENSION XML CONTEXT"'
    )
    assert menu.nodes["legacy:4"].play == "phrase:hours"
    assert menu.nodes["legacy:5"].target == "conference:3000@default"


# -- errors ---------------------------------------------------------------------------------------

CONF = '<configuration name="ivr.conf">\n<menus>\n{}\n</menus>\n</configuration>\n'

BAD = [
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-exec" digits="1"/>\n</menu>',
        "<text>:4:3: unknown entry action 'menu-exec' (did you mean 'menu-exec-app'?)",
        id="unknown-action",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry digits="1"/>\n</menu>',
        "<text>:4:3: entry has no action (use one of menu-exit, menu-sub, menu-exec-app, "
        "menu-play-sound, menu-back, menu-top)",
        id="no-action",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-top"/>\n</menu>',
        "<text>:4:3: entry 'menu-top' has no digits (FreeSWITCH refuses to build a menu with "
        'such an entry; add digits="1")',
        id="no-digits",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-top" digits="1x"/>\n</menu>',
        "<text>:4:3: digits '1x' are not DTMF keys (use up to 20 of 0-9, *, #, A-D, or a "
        "/regular expression/)",
        id="bad-digits",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-top" digits="//"/>\n</menu>',
        "<text>:4:3: digits pattern '//' is empty (write a /regular expression/ of 1 to 200 "
        "characters)",
        id="empty-pattern",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-top" digits="1"/>\n'
        '  <entry action="menu-exit" digits="1"/>\n</menu>',
        "<text>:5:3: digits '1' are bound twice in menu 'm' (first at line 4) (FreeSWITCH runs "
        "every matching entry in turn; keep one entry per key)",
        id="duplicate-digits",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav">\n  <entry action="menu-sub" digits="1"/>\n</menu>',
        "<text>:4:3: entry 'menu-sub' for digits '1' has no param (param is the name of the "
        "menu to run)",
        id="no-param",
    ),
    pytest.param(
        '<menu greet-long="a.wav"/>',
        '<text>:3:1: <menu> has no name (add name="..."; the ivr application finds menus by name)',
        id="no-name",
    ),
    pytest.param(
        '<menu name="m" greet-long="a.wav"/>\n<menu name="m" greet-long="b.wav"/>',
        "<text>:4:1: duplicate menu name 'm' (first at line 3) (FreeSWITCH only ever uses "
        "the first; rename or remove one)",
        id="duplicate-menu",
    ),
]


@pytest.mark.parametrize(("menus", "message"), BAD)
def test_malformed_menus_are_positioned_errors(menus, message):
    with pytest.raises(MenuError) as caught:
        loads(CONF.format(menus), format="freeswitch")
    assert str(caught.value) == message


def test_ivr_conf_without_menus_is_not_a_menu():
    with pytest.raises(NotAMenuError) as caught:
        loads('<configuration name="ivr.conf">\n  <menus/>\n</configuration>\n')
    assert str(caught.value) == (
        "<text>:1:1: FreeSWITCH ivr.conf with no <menu>: there is no phone menu to audit"
    )


def test_other_freeswitch_xml_is_not_taken_for_a_menu():
    dialplan = '<include>\n  <context name="default">\n  </context>\n</include>\n'
    with pytest.raises(NotAMenuError, match="not a menu in any supported format"):
        loads(dialplan)
    assert not FORMATS["freeswitch"].detect(
        parse_xml('<configuration name="sofia.conf"/>', "x").value
    )


# -- detection and the command line ------------------------------------------------------------


def test_detected_without_naming_the_format():
    assert load(HERE / "legacy.xml").source_format == "freeswitch"
    assert loads(CONF.format('<menu name="m" greet-long="a.wav"/>')).source_format == "freeswitch"


def test_check_through_the_cli():
    result = CliRunner().invoke(
        cli, ["check", str(HERE / "main.xml"), "--select", "ST", "--no-witness"]
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{HERE / 'main.xml'}:47:7: ST001 error: key 5 of 'shared' goes to 'elsewhere', "
        "which does not exist",
        "    fix: name a menu that ivr.conf defines",
        "1 finding (1 error, 0 warnings, 0 info) in 1 file.",
        "4 routes leave what was read: 1 run-time target, 3 in files or flows not given "
        "(--unknowns lists them).",
    ]


# -- the corpus -----------------------------------------------------------------------------------

CORPUS_FILES = {
    # file: [(flow id, nodes, edges)]
    "GioMelik11__freeswitch__ivr.conf.xml": [("main_ivr", 6, 9)],
    # bridge to the public conference and transfers into the dialplan (not given): unknowns
    "signalwire__freeswitch__demo_ivr.xml": [("demo_ivr", 10, 16)],
    "signalwire__freeswitch__ivr.conf.xml": [("demo_ivr", 9, 15)],
    "signalwire__freeswitch__new_demo_ivr.xml": [("new_demo_ivr", 7, 25)],
}


def test_corpus_holds_exactly_these_files(corpus):
    assert sorted(path.name for path in (corpus / "freeswitch").iterdir()) == sorted(CORPUS_FILES)


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_file_loads(corpus, name):
    menus = load_all(corpus / "freeswitch" / name)
    found = [
        (menu.id, len(menu.nodes), to_graph(menu).number_of_edges())
        for menu in menus
        if menu.source_format == "freeswitch"
    ]
    assert found == CORPUS_FILES[name]


def test_corpus_demo_ivr_by_hand(corpus):
    # Checked against conf/vanilla/ivr_menus/demo_ivr.xml: the commented-out demo3 menu is
    # ignored, the regex entry is a /pattern/ key, menu-top goes back to demo_ivr, and the
    # submenu gives up back to demo_ivr (only the top menu plays the exit sound).
    menu = load(corpus / "freeswitch" / "signalwire__freeswitch__demo_ivr.xml")
    assert kinds(menu) == {
        "demo_ivr": "menu",
        "demo_ivr_submenu": "menu",
        "demo_ivr:exit": "say",
        "demo_ivr:after-ivr": "unknown",
        "demo_ivr:1": "unknown",
        "demo_ivr:2": "unknown",
        "demo_ivr:3": "unknown",
        "demo_ivr:4": "unknown",
        "demo_ivr:5": "unknown",
        "demo_ivr:/^(10[01][0-9])$/": "unknown",
    }
    assert lines(menu) == {
        "demo_ivr": 4,
        "demo_ivr_submenu": 35,
        "demo_ivr:exit": 4,
        "demo_ivr:after-ivr": 4,
        "demo_ivr:1": 22,
        "demo_ivr:2": 23,
        "demo_ivr:3": 24,
        "demo_ivr:4": 25,
        "demo_ivr:5": 26,
        "demo_ivr:/^(10[01][0-9])$/": 30,
    }
    assert edges(menu) == [
        ("demo_ivr", "demo_ivr", "key", "9"),
        ("demo_ivr", "demo_ivr", "no_input", None),
        ("demo_ivr", "demo_ivr", "no_match", None),
        ("demo_ivr", "demo_ivr:/^(10[01][0-9])$/", "key", "/^(10[01][0-9])$/"),
        ("demo_ivr", "demo_ivr:1", "key", "1"),
        ("demo_ivr", "demo_ivr:2", "key", "2"),
        ("demo_ivr", "demo_ivr:3", "key", "3"),
        ("demo_ivr", "demo_ivr:4", "key", "4"),
        ("demo_ivr", "demo_ivr:5", "key", "5"),
        ("demo_ivr", "demo_ivr:exit", "retries_exhausted", None),
        ("demo_ivr", "demo_ivr_submenu", "key", "6"),
        ("demo_ivr:exit", "demo_ivr:after-ivr", "next", None),
        ("demo_ivr_submenu", "demo_ivr", "key", "*"),
        ("demo_ivr_submenu", "demo_ivr", "retries_exhausted", None),
        ("demo_ivr_submenu", "demo_ivr_submenu", "no_input", None),
        ("demo_ivr_submenu", "demo_ivr_submenu", "no_match", None),
    ]
    assert menu.nodes["demo_ivr:exit"].play == "voicemail/vm-goodbye.wav"
    # Alone, the dialplan is not given: where 9196 (echo), 9664 (hold music) and the
    # rest go is unknown, never a person without a fallback.
    assert [
        (menu.nodes[f"demo_ivr:{key}"].reason, menu.nodes[f"demo_ivr:{key}"].target)
        for key in "12345"
    ] == [
        ("not-given", "sofia/$${domain}/888@conference.freeswitch.org"),
        ("not-given", "9196 XML default"),
        ("not-given", "9664 XML default"),
        ("not-given", "9191 XML default"),
        ("run-time", "1234*256 enum"),
    ]
    assert menu.role == "entry"
    assert structural(menu) == []


def test_corpus_new_demo_ivr_finds_the_missing_transfer(corpus):
    menu = load(corpus / "freeswitch" / "signalwire__freeswitch__new_demo_ivr.xml")
    assert menu.nodes["new_demo_ivr:4"].next == "new_demo_ivr:exit"
    assert "did you mean 'transfer 5000 XML default'?" in menu.nodes["new_demo_ivr:4"].note
    assert structural(menu) == []


# -- robustness -----------------------------------------------------------------------------------

SEEDS = [path.read_text(encoding="utf-8") for path in sorted(HERE.glob("*.xml"))]


def _mutate(text: str, seed: int) -> str:
    rng = random.Random(seed)
    lines_ = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        if not lines_:
            break
        index = rng.randrange(len(lines_))
        choice = rng.randrange(4)
        if choice == 0:
            del lines_[index]
        elif choice == 1:
            lines_.insert(index, lines_[index])
        elif choice == 2:
            line = lines_[index]
            cut = rng.randrange(len(line) + 1)
            lines_[index] = line[:cut] + rng.choice(['"', "<", ">", "/", "=", "", "x"]) + line[cut:]
        else:
            line = lines_[index]
            lines_[index] = line.replace(rng.choice(["digits", "name", "action", "param"]), "z")
    return "".join(lines_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEEDS) - 1), st.integers(0, 2**32), st.text(max_size=40))
def test_mutated_files_end_in_a_menu_or_a_menu_error(which, seed, noise):
    text = _mutate(SEEDS[which], seed)
    for candidate in (text, noise + text, "<include>" + noise + "</include>\n"):
        with contextlib.suppress(MenuError):
            load_all(candidate if "\n" in candidate else candidate + "\n", format="freeswitch")


def test_a_long_chain_of_submenus_loads_in_linear_time():
    count = 3000
    menus = "\n".join(
        f'<menu name="m{i}" greet-long="say:Menu {i}">'
        f'<entry action="menu-sub" digits="1" param="m{i + 1}"/>'
        f'<entry action="menu-back" digits="*"/></menu>'
        for i in range(count)
    )
    menu = loads(CONF.format(menus))
    assert len(menu.nodes) == count + 1  # the menus and the top's exit
    assert menu.nodes[f"m{count - 1}"].options == {"1": f"m{count}", "*": f"m{count - 2}"}


def test_input_file_is_not_modified(tmp_path: Path):
    path = tmp_path / "ivr.xml"
    path.write_bytes((HERE / "main.xml").read_bytes())
    before = path.read_bytes()
    load(path)
    assert path.read_bytes() == before


# -- the estate: includes, the dialplan, roles, phrases --------------------------------------

ESTATE = HERE / "estate"


def _estate_menus(*names: str) -> dict[str, object]:
    """The flows of ``names`` (files of fixtures/estate/ivr_menus), read as one estate."""
    from ivraudit.formats import menu_files
    from ivraudit.formats.estate import Estate

    estate = Estate.named([ESTATE], menu_files([ESTATE]))
    return {
        menu.id: menu
        for name in names
        for menu in load_all(ESTATE / "ivr_menus" / name, estate=estate)
    }


def test_transfer_follows_the_extension_of_the_dialplan():
    main = _estate_menus("main.xml")["main"]
    nodes = main.nodes
    # 9196 answers and echoes; 9664 plays hold music either way its condition goes.
    assert (nodes["main:1"].type, nodes["main:1"].human, nodes["main:1"].target) == (
        "transfer",
        False,
        "echo",
    )
    assert nodes["main:1"].note == (
        "extension 'echo' (dialplan/default.xml:36) echoes the caller's voice back (an echo test)"
    )
    assert (nodes["main:2"].human, nodes["main:2"].target) == (False, "playback $${hold_music}")
    # 2000 rings a group with no continue_on_fail: a person with no fallback (DE007).
    assert (nodes["main:3"].human, nodes["main:3"].fail) == (True, None)
    # A context no file of the estate defines stays unknown.
    assert (nodes["main:4"].reason, nodes["main:4"].target) == ("not-given", "7000 XML partners")
    # $1 is what the /regex/ captured: 1000-1019 ring a user, then voicemail.
    user = nodes["main:/^(10[01][0-9])$/"]
    assert (user.target, user.fail) == ("user/$1@${domain_name}", "main:/^(10[01][0-9])$/:fail")
    assert nodes[user.fail].type == "voicemail"


def test_without_the_dialplan_a_transfer_is_unknown_never_a_person():
    main = load(ESTATE / "ivr_menus" / "main.xml")
    assert {key: main.nodes[f"main:{key}"].type for key in "1234"} == dict.fromkeys(
        "1234", "unknown"
    )
    # The menu 'sales' is defined in a file of ivr.conf that was not given.
    assert (main.nodes["main:5"].reason, main.nodes["main:5"].target) == (
        "not-given",
        "menu-sub sales",
    )
    assert main.role == "entry"
    # Giving up returns from 'ivr main' to a dialplan that was not given: unknown, so no
    # DE005 (with the dialplan, the hangup after 'ivr main' is one).
    after = main.nodes["main:after-ivr"]
    assert (after.type, after.reason, after.target) == ("unknown", "not-given", "ivr main")
    assert [(f.rule, f.line) for f in audit(main).findings] == [("MN008", 18)]


def test_with_the_dialplan_the_real_faults_behind_transfers_are_found():
    flows = _estate_menus("main.xml", "sales.xml")
    found = [
        (finding.rule, finding.node, Path(finding.file).name, finding.line)
        for menu in flows.values()
        for finding in audit(menu).findings
    ]
    # The group with no fallback is written at its bridge, in the dialplan: the fix is there.
    assert found == [
        ("DE007", "main:3", "default.xml", 22),
        ("DE005", "main", "main.xml", 5),
        ("MN002", "main", "main.xml", 5),
        ("MN008", "main", "main.xml", 18),
    ]


def test_roles_come_from_the_ivr_applications_of_the_dialplan():
    flows = _estate_menus("main.xml", "sales.xml")
    assert {name: (menu.role, menu.role_reason) for name, menu in flows.items()} == {
        "main": (
            "entry",
            "transfer from extension 'main_number' of the public context "
            "(dialplan/public.xml:7), where outside calls arrive",
        ),
        "sales": ("reached", "menu 'main' runs it with menu-sub (ivr_menus/main.xml:16)"),
        "staff": (
            "internal",
            "ivr staff runs only from extension 'staff_ivr' of context 'default' "
            "(dialplan/default.xml:33), which no route from the public context reaches: "
            "internal users dial it",
        ),
    }
    # 'sales' ends by going back to the menu of the other file that ran it.
    assert flows["sales"].nodes["sales:back"].type == "unknown"
    assert flows["main"].nodes["main:5"].target == "menu-sub sales"


def test_phrase_macros_say_their_text():
    flows = _estate_menus("main.xml", "sales.xml")
    assert (flows["staff"].nodes["staff"].say, flows["staff"].nodes["staff"].play) == (
        "For the echo test press 1.",
        None,
    )
    # A macro that also plays a recording keeps it: its words are unknown.
    assert (flows["main"].nodes["main"].say, flows["main"].nodes["main"].play) == (
        "For music on hold press 2.",
        "phrase:main_menu",
    )


@pytest.mark.parametrize(
    ("pattern", "samples"),
    [
        ("^(10[01][0-9])$", ["1000", "1019"]),
        ("^(/d{4})$", []),  # '/d' is a slash and a 'd': no keypad sends them
        ("^[*#]$", ["*", "#"]),
        ("(?=1)1", None),  # look-ahead: not worked out
    ],
)
def test_what_a_digits_pattern_can_match_on_a_keypad(pattern, samples):
    from ivraudit.model.keypad import keypad_samples

    assert keypad_samples(pattern) == samples


def test_includes_outside_the_root_are_not_read(tmp_path: Path):
    from ivraudit.formats.estate import Estate
    from ivraudit.formats.freeswitch.conf import conf_of

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "dp.xml").write_text(
        '<include><context name="secret"><extension name="x"><condition '
        'field="destination_number" expression="^1$"><action application="echo"/>'
        "</condition></extension></context></include>\n"
    )
    root = tmp_path / "conf"
    root.mkdir()
    (root / "freeswitch.xml").write_text(
        '<document type="freeswitch/xml"><section name="dialplan">'
        '<X-PRE-PROCESS cmd="include" data="../outside/*.xml"/></section></document>\n'
    )
    conf = conf_of(Estate.of([root / "freeswitch.xml"], str(root)))
    assert conf is not None and conf.contexts == {}


def test_the_vanilla_estate_audits_as_a_whole():
    from tests.conftest import CORPUS

    estate_dir = CORPUS.parent / "estates" / "freeswitch-vanilla"
    if not estate_dir.is_dir():
        pytest.skip("the shared estates are not present")
    from ivraudit.formats import menu_files
    from ivraudit.formats.estate import Estate

    estate = Estate.named([estate_dir], menu_files([estate_dir]))
    menus = {
        menu.id: menu
        for name in ("demo_ivr.xml", "new_demo_ivr.xml")
        for menu in load_all(estate_dir / "conf" / "ivr_menus" / name, estate=estate)
    }
    # ivr demo_ivr runs only from extension 5000 of the default context; nothing starts
    # new_demo_ivr: neither is a caller's line.
    assert {name: menu.role for name, menu in menus.items()} == {
        "demo_ivr": "internal",
        "new_demo_ivr": "internal",
    }
    demo = menus["demo_ivr"].nodes
    assert [
        (demo[f"demo_ivr:{key}"].type, getattr(demo[f"demo_ivr:{key}"], "human", None))
        for key in "2345"
    ] == [
        ("transfer", False),  # 9196 echo
        ("transfer", False),  # 9664 hold music
        ("unknown", None),  # 9191 bridges to ClueCon's SIP address
        ("unknown", None),  # the enum dialplan
    ]
    users = demo["demo_ivr:/^(10[01][0-9])$/"]  # features please_hold -> Local_Extension
    assert (users.human, demo[users.fail].type) == (True, "voicemail")
    result = CliRunner().invoke(cli, ["check", str(estate_dir)])
    assert result.exit_code == 0
    assert "0 findings" in result.output
