"""Round 12: what a dialplan's author noted beside its lines -- a recording's words, a line's name
(fixtures/round12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit import load
from ivraudit.analysis.context import AuditContext
from ivraudit.cli import main
from ivraudit.config import Config
from ivraudit.formats.asterisk.comments import comments_beside, config_lines
from ivraudit.model.prompts import hangup_reason_from_text
from ivraudit.runner import check, parts

HERE = Path(__file__).resolve().parent / "fixtures" / "round12"


def _noted(text: str) -> dict[int, str]:
    found: dict[int, tuple[int, str, bool]] = {}
    list(config_lines(text, "x.conf", found))
    return comments_beside(found)


def test_a_note_is_the_comment_beside_code_and_the_lines_aligned_under_it():
    text = (
        "exten => 1,1,Playback(c04)\t\t; Your order is cancelled.\n"
        "\t\t\t\t\t; Thank you for calling.\n"  # the same column once tabs are shown
        "; a comment of its own, at the start of the line\n"
        "exten => 1,2,Playback(c06) ; Goodbye.\n"
        "                 ; a comment in another column: not part of the note\n"
        "exten => 1,3,Hangup() ;; // hangs up\n"
        "exten => 1,4,NoOp(a\\;b)\n"  # an escaped semicolon is no comment
        "exten => 1,5,NoOp() ;-- a block --; ; after the block\n"
    )
    assert _noted(text) == {
        1: "Your order is cancelled. Thank you for calling.",
        4: "Goodbye.",
        6: "hangs up",
        8: "after the block",
    }


def test_a_noted_goodbye_is_a_reason_and_any_other_note_changes_nothing():
    path = HERE / "noted.conf"
    report = check([str(path)]).report
    assert [(f.rule, f.node, f.line, f.message) for f in report.findings] == [
        (
            "DE008",
            "incoming,s,2",
            7,
            "when the caller says nothing or presses an invalid key at 'incoming,s,2', it "
            "asks again with no limit: a caller who cannot answer hears it until they hang up",
        ),
        (
            "DP003",
            "incoming,s,2",
            7,
            "no route from the start reaches a person: it has no human transfer",
        ),
        (
            "DE003",
            "incoming,2,2",
            15,
            # A note never makes a finding: the one beside cancel-desk reads as a refusal,
            # yet it may describe rather than transcribe; DE003 stands on the unknown words.
            "'incoming,2,2' hangs up after \"[recording cancel-desk]\" and gives no reason",
        ),
        (
            "DE003",
            "incoming,4,2",
            21,
            "'incoming,4,2' hangs up after \"[recording unexplained]\" and gives no reason",
        ),
    ]


def test_a_note_is_kept_apart_from_the_words_heard():
    menu = load(HERE / "noted.conf")
    main = menu.nodes["incoming,s,2"]
    # The note beside Background() announces keys, but it is not the prompt's text: the
    # menu's words stay unknown, so no key is claimed unannounced or announced.
    assert (main.say, main.play) == (None, "main-menu")
    assert main.recording_note == "For orders press 1. For cancellations press 2."
    assert menu.nodes["incoming,1,1"].recording_note == (
        "Your order is placed. Thank you for using our service."
    )
    assert menu.nodes["incoming,4,1"].recording_note is None
    # A noted goodbye explains the hangup but does not make it a served outcome.
    ctx = AuditContext(menu)
    assert ctx.hangup_reasons["incoming,1,2"] == (None, False)
    assert ctx.noted_reason("incoming,1,2") == "completed"
    assert ctx.noted_reason("incoming,3,2") == "completed"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("주문 내용을 취소하였습니다. 이용해 주셔서 감사합니다.", "completed"),
        ("안녕히 계십시오", "completed"),
        ("ご利用ありがとうございました", "completed"),
        ("谢谢您的来电", "completed"),
        ("잘못 눌렀습니다.", "error"),
        ("입력된 정보가 없습니다.", "error"),
        ("서버로부터 사용 허가를 받지 못하여, 서비스를 진행할 수 없습니다.", "error"),
        ("Thank you for your interest in our widgets.", "completed"),
        ("앱을 이용하여 찾으시기 바랍니다.", None),
    ],
)
def test_reasons_in_more_languages(text, reason):
    assert hangup_reason_from_text(text) == reason


def _found(config: Config | None = None) -> list[tuple[str, str, int]]:
    report = check([str(HERE / "dispatch.conf")], config).report
    return [(f.rule, f.node, f.line) for f in report.findings]


def test_a_line_its_dispatch_names_as_a_demo_is_a_sample_and_no_route_of_the_trunk():
    found, errors = parts([str(HERE / "dispatch.conf")])
    assert errors == []
    assert [(part.flow, part.role, part.reason.split(":")[0]) for part in found] == [
        (
            "from-trunk",
            "entry",
            "nothing in the dialplan leads to context from-trunk, and it leads callers to a menu",
        ),
        ("lockers", "entry", "calls to number 1470 go to context lockers"),
        ("door", "sample", "titled as a demo ('Door control demo 070-1234-1473')"),
        ("parcel", "sample", "titled as a demo ('택배함 데모 070-1234-1474')"),
    ]
    # The locker line is audited; the two demos are not, neither as lines of their own
    # nor as routes of the trunk that dispatches to them (their nodes are test hooks there).
    assert _found() == [
        ("DP003", "from-trunk,_X.,2", 7),
        ("DP003", "lockers,s,2", 14),
        ("DE003", "lockers,s,3", 15),
    ]


def test_demo_lines_are_audited_as_caller_lines_on_request():
    assert _found(Config(audit_samples=True)) == [
        ("DP003", "from-trunk,_X.,2", 7),
        ("DP003", "lockers,s,2", 14),
        ("DE003", "lockers,s,3", 15),
        ("DP003", "door,s,2", 19),
        ("DE003", "door,s,3", 20),
        ("DP003", "parcel,s,2", 24),
        ("DE003", "parcel,s,3", 25),
    ]


def test_a_jump_to_a_patterns_own_name_runs_that_pattern():
    path = HERE / "pattern_target.conf"
    menu = load(path)
    # Key 1 reaches the sales queue behind Goto(sales,_1XX,1); key 2 finds support's _1XX
    # without case; _2XX names no extension of sales.
    assert menu.nodes["incoming,s,2"].options == {
        "1": "sales,_1XX,1",
        "2": "support,_1XX,1",
        "3": "incoming,3,1",
        "0": "incoming,0,1",
    }
    assert menu.nodes["sales,_1XX,1"].type == "transfer"
    report = check([str(path)]).report
    assert [(f.rule, f.node, f.line) for f in report.findings] == [
        ("DE008", "incoming,s,2", 7),
        ("ST001", "incoming,3,1", 11),
        ("DE003", "support,_1XX,1", 22),
    ]


CHAN = HERE / "chan"


def test_a_channel_config_named_with_its_dialplan_is_read_for_it_not_refused():
    named = [str(CHAN / "extensions.conf"), str(CHAN / "chan_dahdi.conf")]
    result = CliRunner().invoke(main, ["check", *named])
    assert result.exit_code == 1  # a finding, not unreadable input
    assert result.stderr == (
        "ivraudit: read 1 file(s) as parts of the others (#included dialplan files, channel "
        f"configs; findings in them are reported at their lines): {CHAN / 'chan_dahdi.conf'}\n"
    )
    assert [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()[:1]] == ["DE008"]
    found, errors = parts(named)
    assert errors == []
    assert [(part.role, part.reason) for part in found] == [
        ("entry", "context from-pstn is named by chan_dahdi.conf:4 context=from-pstn")
    ]


def test_a_channel_config_named_alone_says_what_to_name_with_it():
    result = CliRunner().invoke(main, ["check", str(CHAN / "chan_dahdi.conf")])
    assert result.exit_code == 2
    assert (
        f"{CHAN / 'chan_dahdi.conf'}:1:1: not a dialplan: a channel config; its context= "
        "lines are read as entries (check it with the dialplan it serves: name both files, "
        "or their directory)"
    ) in result.stderr + result.stdout


def test_a_wait_whose_patterns_take_every_key_has_no_invalid_key():
    menu = load(HERE / "every_key.conf")
    wait = menu.nodes["main,s,2"]
    assert (wait.type, wait.next, wait.no_match) == ("ask", "main,route,1", "main,route,1")
    assert check([str(HERE / "every_key.conf")]).report.findings == []


def test_directory_puts_the_caller_through_to_the_extension_chosen():
    menu = load(HERE / "directory.conf")
    node = menu.nodes["main,4,1"]
    assert (node.type, node.human, node.target) == ("transfer", True, "directory:default")
    assert [f.rule for f in check([str(HERE / "directory.conf")]).report.findings] == []


def test_park_and_announce_is_a_hand_off_like_park(tmp_path):
    # docs.asterisk.org, Dialplan Applications ParkAndAnnounce: the call is parked (and
    # someone is told where); like Park() it does not go on to the next priority.
    path = tmp_path / "extensions.conf"
    path.write_text(
        "[main]\n"
        "exten => s,1,Answer()\n"
        " same => n,Background(main)\n"
        " same => n,WaitExten(5)\n"
        "exten => 4,1,ParkAndAnnounce(pbx-transfer:PARKED,,Local/100@internal)\n"
        "exten => 0,1,Dial(SIP/operator,20)\n"
        " same => n,VoiceMail(100)\n"
        "exten => i,1,Goto(0,1)\n"
        "exten => t,1,Goto(0,1)\n",
        encoding="utf-8",
    )
    node = load(path).nodes["main,4,1"]
    assert (node.type, node.target, node.waits_in_queue) == ("transfer", "parking:default", True)
    assert check([str(path)]).report.findings == []


def test_a_line_one_dispatch_names_a_demo_and_another_does_not_stays_live():
    # 1473 ('Door control demo') and 1474 ('Door line') both go to [door]: one live number
    # into the context keeps it a caller's line, audited from the trunk and on its own.
    report = check([str(HERE / "dispatch_mixed.conf")]).report
    assert ("DE003", "door,s,3", 20) in [(f.rule, f.node, f.line) for f in report.findings]
    found, _ = parts([str(HERE / "dispatch_mixed.conf")])
    assert [part.role for part in found if part.flow == "door"] == ["entry"]
