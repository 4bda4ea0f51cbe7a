"""Nodes read from the dialplan are written where the dialplan decides them, and keep
what the caller hears there.

Fixtures in fixtures/one_fault/ and fixtures/dialplan_messages/, written from FreeSWITCH
Explained ("mod_dptools: IVR Menu", "XML Dialplan", mod_dptools' playback, speak and
phrase) and the Channel Variables Catalog ("continue_on_fail").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ivraudit import audit, load_all
from ivraudit.formats import menu_files
from ivraudit.formats.estate import Estate
from ivraudit.runner import check
from tests.conftest import edges

HERE = Path(__file__).resolve().parent / "fixtures"
ONE_FAULT = HERE / "one_fault"
MESSAGES = HERE / "dialplan_messages"


def _read(root: Path):
    """The flow of ``root``'s main.xml, read with the rest of ``root`` as its estate."""
    estate = Estate.named([root], menu_files([root]))
    (menu,) = load_all(root / "ivr_menus" / "main.xml", estate=estate)
    return menu


def _findings(root: Path) -> list[tuple[str, str, str, int, int]]:
    """What ``ivraudit check ROOT`` reports: rule, node, file (relative to ROOT), line, column."""
    report = check([str(root)], skip_non_menus=True).report
    return [
        (f.rule, f.node, Path(f.file).resolve().relative_to(root).as_posix(), f.line, f.column)
        for f in report.findings
    ]


# -- item 1: one finding per fault, at the dialplan's bridge --------------------------------------


def test_keys_that_reach_one_bridge_are_nodes_written_at_that_bridge():
    menu = _read(ONE_FAULT)
    # Keys 1 and 0 and the end of the menu stack (transfer 1000 after 'ivr') each make a node.
    for node in ("main_menu:1", "main_menu:0", "main_menu:after-ivr"):
        model = menu.nodes[node]
        assert (model.type, model.human, model.target, model.fail) == (
            "transfer",
            True,
            "user/1000@${domain_name}",
            None,
        )
        where = menu.locate("nodes", node)
        assert (Path(where.file).name, where.line, where.column) == ("default.xml", 8, 9)
    # The keys are still written at their entries, and still lead to those nodes.
    key = menu.locate("nodes", "main_menu", "options", "1")
    assert (Path(key.file).name, key.line) == ("main.xml", 10)
    assert ("main_menu", "main_menu:1", "key", "1") in edges(menu)
    assert ("main_menu", "main_menu:0", "key", "0") in edges(menu)
    assert ("main_menu:exit", "main_menu:after-ivr", "next", None) in edges(menu)


def test_one_bridge_with_no_fallback_is_one_finding_at_the_bridge():
    assert _findings(ONE_FAULT) == [("DE007", "main_menu:1", "dialplan/default.xml", 8, 9)]
    (finding,) = check([str(ONE_FAULT)], skip_non_menus=True).report.findings
    # The route shown is the key a caller presses, not giving up.
    assert [step.node for step in finding.witness] == ["main_menu", "main_menu:1"]
    assert finding.witness[0].key == "1"
    assert finding.fix.startswith("set continue_on_fail=true before the bridge")


def test_with_continue_on_fail_the_bridge_has_its_voicemail_and_no_finding(tmp_path: Path):
    root = tmp_path / "conf"
    shutil.copytree(ONE_FAULT, root)
    default = root / "dialplan" / "default.xml"
    default.write_text(
        default.read_text().replace(
            '<action application="bridge" data="user/1000',
            '<action application="set" data="continue_on_fail=true"/>\n'
            '        <action application="bridge" data="user/1000',
        )
    )
    menu = _read(root)
    assert menu.nodes["main_menu:1"].fail == "main_menu:1:fail"
    fail = menu.nodes["main_menu:1:fail"]
    assert (fail.type, fail.box) == ("voicemail", "1000")
    where = menu.locate("nodes", "main_menu:1:fail")
    assert (Path(where.file).name, where.line) == ("default.xml", 11)
    assert _findings(root) == []


# -- item 2: what the extension plays before it hangs up is kept ------------------------------


def test_a_recording_before_the_hangup_is_on_the_node():
    menu = _read(MESSAGES)
    hours = menu.nodes["main_menu:2"]
    assert (hours.type, hours.play, hours.say) == (
        "hangup",
        "custom/store-hours-message.wav",
        None,
    )
    where = menu.locate("nodes", "main_menu:2")
    assert (Path(where.file).name, where.line) == ("default.xml", 17)
    thanks = menu.nodes["main_menu:3"]
    assert (thanks.type, thanks.play) == ("hangup", "ivr/ivr-thank_you.wav")
    # speak engine|voice|text, then the extension runs out of actions: written at it.
    closing = menu.nodes["main_menu:4"]
    assert (closing.type, closing.say) == ("hangup", "Thank you for calling. Goodbye.")
    where = menu.locate("nodes", "main_menu:4")
    assert (Path(where.file).name, where.line) == ("default.xml", 27)


def test_a_recording_of_unknown_words_is_shown_a_goodbye_is_a_reason():
    # The store-hours recording's words are unknown: DE003 names it, as on other platforms;
    # 'thank_you' and a spoken goodbye give a reason, so keys 3 and 4 have no finding.
    assert _findings(MESSAGES) == [("DE003", "main_menu:2", "dialplan/default.xml", 17, 9)]
    (finding,) = check([str(MESSAGES)], skip_non_menus=True).report.findings
    assert finding.message == (
        "'main_menu:2' hangs up after \"[recording custom/store-hours-message.wav]\" and "
        "gives no reason"
    )


def test_the_exit_sound_comes_before_what_the_dialplan_plays(tmp_path: Path):
    root = tmp_path / "conf"
    shutil.copytree(MESSAGES, root)
    public = root / "dialplan" / "public.xml"
    public.write_text(
        public.read_text().replace(
            '<action application="transfer" data="1000 XML default"/>',
            '<action application="playback" data="custom/closed.wav"/>',
        )
    )
    end = _read(root).nodes["main_menu:exit"]
    assert (end.type, end.play) == ("hangup", "voicemail/vm-goodbye.wav&custom/closed.wav")
    # Giving up ends the call with two recordings and no person: DE005, at the menu.
    assert [(f.rule, f.node) for f in audit(_read(root)).findings] == [
        ("DE003", "main_menu:2"),
        ("DE005", "main_menu"),
    ]


def test_a_dialplan_of_exponentially_many_ways_is_followed_to_a_bound():
    # Six run-time conditions, each transferring back to the same extension: without a
    # bound on the hunts one route starts, this took minutes; past it the route is unknown.
    report = check([str(Path(__file__).resolve().parent / "fixtures" / "many_ways")]).report
    assert report.findings == []
    assert [(u.reason, u.target, u.node) for u in report.unknowns] == [
        ("unsupported", "1001 XML default", "main:1"),
        ("unsupported", "1001 XML default", "main:after-ivr"),
    ]
