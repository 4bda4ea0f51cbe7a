"""Samples that say so in their own content: a description, a header, an opening prompt.

The fixtures cite the platform documentation they were written from; each part of a pair
differs from the other only in the words that make it a sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ivraudit.config import Config
from ivraudit.formats.samples import described_kind, introduced_kind, recording_kind
from ivraudit.model.names import name_words, named_kind
from ivraudit.runner import check, parts

HERE = Path(__file__).resolve().parent / "formats"
VXML = HERE / "vxml" / "fixtures" / "samples"
CONNECT = HERE / "connect" / "fixtures" / "samples"
TAIL = (
    ": audited for structure only (config 'audit_samples = true' or 'entries' audits it "
    "as a caller's line)"
)


def _roles(path: Path, config: Config | None = None) -> list[tuple[str, str, str]]:
    found, errors = parts([str(path)], config)
    assert errors == []
    return [(Path(part.file).name, part.role, part.reason) for part in found]


def _findings(path: Path, config: Config | None = None) -> list[tuple[str, str, str, int]]:
    report = check([str(path)], config).report
    return [(Path(f.file).name, f.rule, f.node, f.line) for f in report.findings]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("This is the sample flow to demonstrate customer audio streaming.", "sample"),
        ("This is the voicemail express test flow. It allows you to validate it.", "test"),
        ("Welcome to the OPAL I V R example.", "example"),
        ("Hi! This is the welcome service. DTMF test.", "test"),
        ("<speak>This is the demo IVR of our platform.</speak>", "demo"),
        # Options and services are not the flow introducing itself.
        ("Welcome to the COVID test line.", None),
        ("Welcome to ACME. Press 1 to test your line.", None),
        ("Thank you for calling. For a speed test, press 1.", None),
        ("Your test results are ready. Press 1 to hear them.", None),
        ("Hi! This is the welcome service.", None),
    ],
)
def test_an_opening_prompt_introduces_its_flow(text, kind):
    assert introduced_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Record and Play a Message Demo script for the PowerMedia XMS", "demo"),
        ("Started test VXML script", "test"),
        ("Basic test flow to validate the Voicemail Express Deployment", "test"),
        ("Sample contact flow for the workshop", "sample"),
        ("Routes calls to the COVID test team", None),
        ("Main menu: press 1 to test the app", None),
        ("DO NOT CHANGE - All flows route to their intended destination", None),
        ("Attestation flow for contest entries", None),
        ("This form demonstrates how to record a message", "demo"),
        ("This form is demonstrates how to just play some things", "demo"),
        ("This form shows how to say the caller's number", "demo"),
        ("This form records the caller's message", None),
        ("The product demonstrates our value", None),
    ],
)
def test_a_description_calls_its_part_a_sample(text, kind):
    assert described_kind(text) == kind


@pytest.mark.parametrize(
    ("play", "kind"),
    [
        ("test.wav", "test"),
        ("test.wav|10000", "test"),  # Voximal's offset suffix (control/index2.vxml)
        ("sounds/demo.mp3", "demo"),
        ("https://example.com/audio/sample.wav?v=2", "sample"),
        ("${baseDIR}/test", "test"),
        # A recording named for what it says is a message, not the flow naming itself.
        ("demo-thanks.wav", None),
        ("custom/test-results-ready", None),
        ("contest.wav", None),
        ("welcome.wav", None),
    ],
)
def test_a_recording_named_only_as_a_sample(play, kind):
    assert recording_kind(play) == kind


def test_vxml_header_comment_log_and_opening_prompt():
    assert _roles(VXML) == [
        ("live_header.vxml", "entry", "no other VoiceXML document of the files given leads to it"),
        ("opening_live.vxml", "entry", "no other VoiceXML document of the files given leads to it"),
        (
            "recording_live.vxml",
            "entry",
            "no other VoiceXML document of the files given leads to it",
        ),
        (
            "demo_header.vxml",
            "sample",
            "described as a demo ('Record and Play a Message Demo script')" + TAIL,
        ),
        (
            "form_demo.vxml",
            "sample",
            "described as a demo ('This form demonstrates how to record a message')" + TAIL,
        ),
        ("log_test.vxml", "sample", "titled as a test ('Started test VXML script')" + TAIL),
        (
            "opening_test.vxml",
            "sample",
            "its opening prompt at 'hello' introduces it as a test "
            "('Hi! This is the welcome service. DTMF test.')" + TAIL,
        ),
        (
            "recording_test.vxml",
            "sample",
            "its opening recording at 'hello' is named as a test ('test.wav')" + TAIL,
        ),
    ]
    # Samples get the structural rules only: the caller-line DP003 and DE008 (no handler
    # counts noinput or nomatch: VoiceXML's default ones reprompt for ever) stay on the
    # live pair.
    assert _findings(VXML) == [
        ("live_header.vxml", "DE008", "main", 6),
        ("live_header.vxml", "DP003", "main", 6),
        ("opening_live.vxml", "DP003", "hello", 7),
        ("opening_live.vxml", "DE008", "digits", 12),
        ("recording_live.vxml", "DP003", "hello", 8),
        ("recording_live.vxml", "DE008", "digits", 13),
    ]


def test_vxml_samples_are_audited_as_caller_lines_on_request():
    config = Config(audit_samples=True)
    assert {role for _, role, _ in _roles(VXML, config)} == {"entry"}
    assert [(name, rule) for name, rule, _, _ in _findings(VXML, config)] == [
        ("demo_header.vxml", "DE008"),
        ("demo_header.vxml", "DP003"),
        ("form_demo.vxml", "DE008"),
        ("form_demo.vxml", "DP003"),
        ("live_header.vxml", "DE008"),
        ("live_header.vxml", "DP003"),
        ("log_test.vxml", "DE008"),
        ("log_test.vxml", "DP003"),
        ("opening_live.vxml", "DP003"),
        ("opening_live.vxml", "DE008"),
        ("opening_test.vxml", "DP003"),
        ("opening_test.vxml", "DE008"),
        ("recording_live.vxml", "DP003"),
        ("recording_live.vxml", "DE008"),
        ("recording_test.vxml", "DP003"),
        ("recording_test.vxml", "DE008"),
    ]


def test_connect_opening_prompt_of_a_flow_with_no_name():
    assert _roles(CONNECT / "sample-intro.json") == [
        (
            "sample-intro.json",
            "sample",
            "its opening prompt at 'Intro' introduces it as a sample ('This is the sample flow "
            "to demonstrate call recording. Say something after th...')" + TAIL,
        )
    ]
    assert _findings(CONNECT / "sample-intro.json") == []
    assert _findings(CONNECT / "live-intro.json") == [
        ("live-intro.json", "DP003", "Logging", 8),
        ("live-intro.json", "DE003", "Bye", 20),
    ]


def test_connect_flow_named_by_the_terraform_resource_that_deploys_it():
    assert _roles(CONNECT / "terraform") == [
        (
            "routing.json",
            "entry",
            "flow type CONTACT_FLOW (Terraform aws_connect_contact_flow.routing)",
        ),
        ("routing_test.json", "sample", "titled as a test ('Holiday Routing Test')" + TAIL),
    ]
    assert _findings(CONNECT / "terraform") == [
        ("routing.json", "DP003", "Closed", 8),
        ("routing.json", "DE003", "Bye", 14),
    ]
    # Named in config 'entries', the test flow is audited as a caller's line.
    config = Config(entries=["*routing_test.json"])
    assert ("routing_test.json", "DE003", "Bye", 14) in _findings(CONNECT / "terraform", config)


def test_test_hooks_use_the_words_of_samples():
    # A node named as a test hook (analysis.parts) by the same whole-word rules as a
    # sample part (formats.samples): both read ivraudit.model.names.
    from ivraudit.analysis import parts as hooks

    assert [named_kind(name) for name in ("cyara_test", "DemoGoodbye", "Contest")] == [
        "test",
        "demo",
        None,
    ]
    assert name_words("Copy_of_cyara_test") == ["copy", "of", "cyara", "test"]
    # A decision is named for what it tests, not a place callers are sent.
    assert not hooks.is_test_hook("test_vip", "branch")
    assert hooks.is_test_hook("cyara_test", "hangup")
