"""What happens when the ivr application returns, and hand-offs run straight from a menu.

Fixtures in fixtures/after_ivr/, written from FreeSWITCH Explained ("mod_dptools: IVR
Menu", "XML Dialplan") and mod_dptools' pages for echo, endless_playback and valet_park.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ivraudit import audit, load, load_all, loads
from ivraudit.formats import menu_files
from ivraudit.formats.estate import Estate
from tests.conftest import edges

HERE = Path(__file__).resolve().parent / "fixtures"
AFTER = HERE / "after_ivr"
MENU = Path("autoload_configs") / "ivr.conf.xml"


def _read(root: Path):
    """The flow of ``root``'s ivr.conf.xml, read with the rest of ``root`` as its estate."""
    estate = Estate.named([root], menu_files([root]))
    (menu,) = load_all(root / MENU, estate=estate)
    return menu


def _findings(menu) -> list[tuple[str, str, int]]:
    return [(f.rule, f.node, f.line) for f in audit(menu).findings]


def _with_public(tmp_path: Path, actions: str) -> Path:
    """A copy of the after_ivr estate whose public extension runs ``actions``."""
    root = tmp_path / "conf"
    shutil.copytree(AFTER, root)
    (root / "dialplan" / "public.xml").write_text(
        '<include><context name="public"><extension name="main_number">'
        '<condition field="destination_number" expression="^5551000$">'
        f"{actions}</condition></extension></context></include>\n"
    )
    return root


# -- item: after `ivr main` returns ---------------------------------------------------------------


def test_after_the_menu_gives_up_the_dialplan_goes_on_to_the_operator():
    menu = _read(AFTER)
    assert menu.role == "entry"
    exit_sound = menu.nodes["main:exit"]
    assert (exit_sound.type, exit_sound.play) == ("say", "voicemail/vm-goodbye.wav")
    after = menu.nodes["main:after-ivr"]
    assert (after.type, after.human, after.target) == ("transfer", True, "user/$1@${domain_name}")
    assert menu.nodes["main:after-ivr:fail"].type == "voicemail"
    assert ("main", "main:exit", "retries_exhausted", None) in edges(menu)
    assert ("main:exit", "main:after-ivr", "next", None) in edges(menu)
    assert ("main:after-ivr", "main:after-ivr:fail", "fail", None) in edges(menu)
    # No DE005 and no DP003: giving up reaches the operator, with voicemail behind.
    assert _findings(menu) == [("MN002", "main", 6)]


def test_when_nothing_follows_ivr_giving_up_hangs_up(tmp_path: Path):
    root = _with_public(
        tmp_path, '<action application="answer"/><action application="ivr" data="main"/>'
    )
    menu = _read(root)
    end = menu.nodes["main:exit"]
    assert (end.type, end.play) == ("hangup", "voicemail/vm-goodbye.wav")
    assert end.note == (
        "the menu stack ends and the ivr application returns; then extension 'main_number' "
        "(dialplan/public.xml:1) runs out of actions: FreeSWITCH hangs up"
    )
    assert _findings(menu) == [("DE005", "main", 6), ("MN002", "main", 6)]


def test_read_alone_what_follows_ivr_is_unknown():
    menu = load(AFTER / MENU)
    after = menu.nodes["main:after-ivr"]
    assert (after.type, after.reason, after.target) == ("unknown", "not-given", "ivr main")
    assert after.note == (
        "the menu stack ends and the ivr application returns to the dialplan that runs "
        "'ivr main', not given"
    )
    # Never a hangup: no DE005, no DP003 (and, with every transfer unknown, no MN002).
    assert _findings(menu) == []


def test_extensions_that_go_on_differently_make_it_unknown(tmp_path: Path):
    root = _with_public(
        tmp_path,
        '<action application="ivr" data="main"/><action application="hangup"/>',
    )
    (root / "dialplan" / "night.xml").write_text(
        '<include><context name="night"><extension name="night_number">'
        '<condition field="destination_number" expression="^5552000$">'
        '<action application="ivr" data="main"/>'
        '<action application="transfer" data="1000 XML default"/>'
        "</condition></extension></context></include>\n"
    )
    after = _read(root).nodes["main:after-ivr"]
    assert (after.type, after.reason, after.target) == ("unknown", "run-time", "ivr main")


def test_a_dialplan_that_never_runs_the_menu_leaves_it_unknown(tmp_path: Path):
    root = _with_public(tmp_path, '<action application="transfer" data="1000 XML default"/>')
    menu = _read(root)
    assert menu.role == "internal"
    assert (menu.nodes["main:after-ivr"].type, menu.nodes["main:after-ivr"].reason) == (
        "unknown",
        "not-given",
    )


# -- item: hand-offs run straight from menu-exec-app ----------------------------------------------

HANDOFFS = HERE / "handoffs"


def test_a_handoff_reads_the_same_direct_and_through_the_dialplan():
    estate = Estate.named([HANDOFFS], menu_files([HANDOFFS]))
    direct, through = load_all(HANDOFFS / MENU, estate=estate)
    assert (direct.id, through.id) == ("direct", "through_dialplan")

    def shape(menu, key):
        node = menu.nodes[f"{menu.id}:{key}"]
        return (node.type, node.human, node.target, node.fail)

    expected = [
        ("transfer", False, "echo", None),
        ("transfer", False, "playback $${hold_music}", None),
        ("transfer", False, "playback local_stream://moh", None),
        ("transfer", False, "conference:3000@default", None),
        ("transfer", False, "park", None),
        ("transfer", False, "valet_park my_lot auto in 6001 6099", None),
    ]
    assert [shape(direct, key) for key in "123456"] == expected
    assert [shape(through, key) for key in "123456"] == expected
    assert direct.nodes["direct:1"].note == (
        "menu-exec-app 'echo' echoes the caller's voice back (an echo test)"
    )
    # None returns to the menu, none is a person: no DE007 on the conference; the same
    # findings on both menus.
    assert _findings(direct) == [
        ("DE005", "direct", 9),
        ("DP003", "direct", 9),
        ("MN001", "direct", 9),
    ]
    assert _findings(through) == [
        ("DE005", "through_dialplan", 20),
        ("DP003", "through_dialplan", 20),
        ("MN001", "through_dialplan", 20),
    ]


def test_a_message_played_from_a_menu_returns_to_it():
    # Near-identical: 'playback FILE' of a message (not hold music) returns, and the
    # menu plays again (mod_dptools: playback).
    menu = loads(
        '<include><menu name="m" greet-long="say:Press 1 for our hours.">'
        '<entry action="menu-exec-app" digits="1" param="playback ivr/hours.wav"/>'
        "</menu></include>\n"
    )
    assert (menu.nodes["m:1"].type, menu.nodes["m:1"].play, menu.nodes["m:1"].next) == (
        "say",
        "ivr/hours.wav",
        "m",
    )


# -- item: a transfer to a dialplan extension named as a test hook --------------------------------

HOOK = HERE / "test_hook"


def test_a_hidden_key_to_a_test_extension_is_mn010_not_a_dead_end():
    menu = _read(HOOK)
    assert menu.named_hooks == frozenset({"main:8"})
    assert menu.nodes["main:8"].type == "hangup"
    assert _findings(menu) == [("MN010", "main", 13)]


def test_a_hidden_key_to_an_ordinary_extension_is_mn003(tmp_path: Path):
    # Near-identical: the same hidden key 8 to extension 1002 is a key the prompt
    # never announces (MN003), not a test hook.
    root = tmp_path / "conf"
    shutil.copytree(HOOK, root)
    menu_file = root / MENU
    menu_file.write_text(menu_file.read_text().replace("cyara_test XML", "1002 XML"))
    menu = _read(root)
    assert menu.named_hooks == frozenset()
    assert _findings(menu) == [("MN003", "main", 6)]
