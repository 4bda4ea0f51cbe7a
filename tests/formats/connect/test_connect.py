"""The Amazon Connect importer: fixtures written from the flow language reference; the corpus."""

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
from ivraudit.formats import FORMATS, Estate
from ivraudit.model.errors import NotAMenuError
from ivraudit.rules.engine import audit
from tests.conftest import edges, kinds, lines, structural

HERE = Path(__file__).resolve().parent / "fixtures"


def node(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, exclude_defaults=True, by_alias=True)


# -- the flow language: every block type -------------------------------------------------------


def test_flow_language_blocks_map_to_nodes():
    menu = load(HERE / "main-line.json")
    assert menu.source_format == "connect"
    assert (menu.id, menu.title, menu.start) == (
        "Acme main line",
        "Acme main line",
        "Set logging behavior",
    )
    assert kinds(menu) == {
        "Set logging behavior": "action",
        "Play prompt 1": "say",
        "Check hours of operation (runs)": "action",
        "Check hours of operation": "hours",
        "Main menu (runs)": "action",
        "Main menu": "menu",
        "Loop": "branch",
        "Account number (runs)": "action",
        "Account number": "ask",
        "Set contact attributes": "action",
        "Invoke Lambda function": "action",
        "Check contact attributes (runs)": "action",
        "Check contact attributes": "branch",
        "Play prompt 2": "say",
        "Play prompt 3": "say",
        "Transfer to phone number": "transfer",
        "Transfer to phone number (outcome)": "branch",
        "Get customer input (Lex)": "menu",
        "Get customer input (Lex) (no match or error)": "branch",
        "Invoke module": "action",
        "Invoke module: card-order": "unknown",
        "Invoke module (returns?)": "branch",
        "Set working queue": "action",
        "Check queue status (runs)": "action",
        "Check queue status": "branch",
        "Transfer to queue (runs)": "action",
        "Transfer to queue": "transfer",
        "Get customer input": "menu",
        "Play prompt 4": "say",
        "Play prompt 5": "say",
        "Disconnect": "hangup",
        "Play prompt 6": "say",
        "Create callback": "callback",
        "Create callback (result)": "branch",
        "Transfer to flow": "action",
        "Transfer to flow: After hours voicemail": "unknown",
    }


def test_flow_language_transitions_map_to_edges():
    assert edges(load(HERE / "main-line.json")) == [
        ("Account number", "Set contact attributes", "next", None),
        ("Account number", "Set contact attributes", "no_input", None),
        ("Account number", "Set contact attributes", "no_match", None),
        ("Account number (runs)", "Account number", "next", None),
        ("Account number (runs)", "Play prompt 6", "error", None),
        ("Check contact attributes", "Play prompt 2", "else", None),
        ("Check contact attributes", "Play prompt 3", "case", "2"),
        ("Check contact attributes", "Set working queue", "case", "1"),
        ("Check contact attributes (runs)", "Check contact attributes", "next", None),
        ("Check contact attributes (runs)", "Play prompt 6", "error", None),
        ("Check hours of operation", "Main menu (runs)", "open", None),
        ("Check hours of operation", "Play prompt 5", "closed", None),
        ("Check hours of operation (runs)", "Check hours of operation", "next", None),
        ("Check hours of operation (runs)", "Play prompt 6", "error", None),
        ("Check queue status", "Get customer input", "else", None),
        ("Check queue status", "Transfer to queue (runs)", "case", "1"),
        ("Check queue status (runs)", "Check queue status", "next", None),
        ("Check queue status (runs)", "Play prompt 6", "error", None),
        ("Create callback", "Create callback (result)", "next", None),
        ("Create callback (result)", "Play prompt 4", "else", None),
        ("Create callback (result)", "Play prompt 6", "case", "1"),
        ("Get customer input", "Create callback", "key", "1"),
        ("Get customer input", "Play prompt 4", "no_match", None),
        ("Get customer input", "Play prompt 6", "no_input", None),
        (
            "Get customer input (Lex)",
            "Get customer input (Lex) (no match or error)",
            "no_match",
            None,
        ),
        ("Get customer input (Lex)", "Invoke module", "speech", "NewCard"),
        ("Get customer input (Lex)", "Main menu (runs)", "no_input", None),
        ("Get customer input (Lex)", "Set working queue", "speech", "LostCard"),
        ("Get customer input (Lex) (no match or error)", "Main menu (runs)", "else", None),
        ("Get customer input (Lex) (no match or error)", "Play prompt 6", "case", "1"),
        ("Invoke Lambda function", "Check contact attributes (runs)", "next", None),
        ("Invoke Lambda function", "Play prompt 6", "error", None),
        ("Invoke module", "Invoke module (returns?)", "next", None),
        ("Invoke module", "Play prompt 6", "error", None),
        ("Invoke module (returns?)", "Invoke module: card-order", "case", "1"),
        ("Invoke module (returns?)", "Play prompt 4", "else", None),
        ("Loop", "Main menu (runs)", "case", "1"),
        ("Loop", "Set working queue", "else", None),
        ("Main menu", "Account number (runs)", "key", "1"),
        ("Main menu", "Get customer input (Lex)", "key", "2"),
        ("Main menu", "Loop", "no_input", None),
        ("Main menu", "Loop", "no_match", None),
        ("Main menu", "Set working queue", "key", "0"),
        ("Main menu (runs)", "Main menu", "next", None),
        ("Main menu (runs)", "Play prompt 6", "error", None),
        ("Play prompt 1", "Check hours of operation (runs)", "next", None),
        ("Play prompt 2", "Play prompt 4", "next", None),
        ("Play prompt 3", "Transfer to phone number", "next", None),
        ("Play prompt 4", "Disconnect", "next", None),
        ("Play prompt 5", "Transfer to flow", "next", None),
        ("Play prompt 6", "Disconnect", "next", None),
        ("Set contact attributes", "Invoke Lambda function", "next", None),
        ("Set contact attributes", "Play prompt 6", "error", None),
        ("Set logging behavior", "Play prompt 1", "next", None),
        ("Set working queue", "Check queue status (runs)", "next", None),
        ("Set working queue", "Play prompt 6", "error", None),
        ("Transfer to flow", "Play prompt 6", "error", None),
        ("Transfer to flow", "Transfer to flow: After hours voicemail", "next", None),
        ("Transfer to phone number", "Transfer to phone number (outcome)", "fail", None),
        ("Transfer to phone number (outcome)", "Play prompt 4", "case", "1"),
        ("Transfer to phone number (outcome)", "Play prompt 6", "else", None),
        ("Transfer to queue", "Get customer input", "fail", None),
        ("Transfer to queue (runs)", "Play prompt 6", "error", None),
        ("Transfer to queue (runs)", "Transfer to queue", "next", None),
    ]


def test_flow_language_node_fields():
    menu = load(HERE / "main-line.json")
    assert node(menu, "Play prompt 1") == {
        "type": "say",
        "say": "Welcome to Acme Bank.",
        # Check hours of operation has an Error branch: it is entered through a step that
        # may fail (the block failing), then decides open or closed
        "next": "Check hours of operation (runs)",
        "note": (
            "Connect MessageParticipant block (Identifier: 00000000-0000-4000-8000-000000000002)."
        ),
    }
    assert node(menu, "Play prompt 3")["play"] == "account-blocked.wav"
    main = node(menu, "Main menu")
    assert main["say"].startswith("For balances press 1.")
    assert main["timeout"] == 5.0
    assert main["note"] == "Connect GetParticipantInput block (Identifier: Main menu)."
    ask = node(menu, "Account number")
    assert (ask["collects"], ask["timeout"]) == ("AccountNumber", 8.0)
    assert "with no input Connect takes the Success branch" in ask["note"]
    queue = node(menu, "Transfer to queue")
    assert (queue["target"], queue["passes"]) == ("queue:Advisers", ["AccountNumber"])
    assert node(menu, "Transfer to phone number")["target"] == "phone:+15550100"
    # the other flow is not among the files given: the route leaves what was read
    handoff = node(menu, "Transfer to flow: After hours voicemail")
    assert (handoff["type"], handoff["target"]) == ("unknown", "After hours voicemail")
    assert node(menu, "Transfer to flow")["error"] == "Play prompt 6"
    assert node(menu, "Check contact attributes")["cases"] == [
        {"when": "$.External.status == 'vip'", "next": "Set working queue"},
        {"when": "$.External.status == 'blocked'", "next": "Play prompt 3"},
    ]
    # its Error branch is the block failing: the error route of the step in front of it
    assert node(menu, "Check contact attributes (runs)") == {
        "type": "action",
        "next": "Check contact attributes",
        "error": "Play prompt 6",
        "note": (
            "Connect Compare block (Identifier: 00000000-0000-4000-8000-000000000007) running: "
            "its Error branch (NoMatchingError) is the block failing, not a route it chooses."
        ),
    }
    assert node(menu, "Loop")["cases"] == [
        {"when": "loop: ContinueLooping (loop count 2)", "next": "Main menu (runs)"}
    ]
    assert node(menu, "Check queue status")["cases"][0]["when"] == "NumberOfAgentsAvailable > '0'"
    assert (
        "No Timeout branch: Connect takes the Error branch on silence."
        in (node(menu, "Get customer input")["note"])
    )
    assert "Invokes Lambda function arn:aws:lambda" in node(menu, "Invoke Lambda function")["note"]
    assert node(menu, "Get customer input (Lex) (no match or error)")["note"] == (
        "Split-out routes of 'Get customer input (Lex)' (no match or error; Connect "
        "ConnectParticipantWithLexBot block, Identifier: 00000000-0000-4000-8000-000000000011): "
        "one native field cannot hold them all."
    )


def test_every_node_keeps_its_connect_identifier():
    menu = load(HERE / "main-line.json")
    flow = json.loads((HERE / "main-line.json").read_text(encoding="utf-8"))
    notes = " ".join(model.note or "" for model in menu.nodes.values())
    for action in flow["Actions"]:
        assert f"Identifier: {action['Identifier']})" in notes


def test_positions_point_at_each_action():
    menu = load(HERE / "main-line.json")
    assert lines(menu) == {
        "Set logging behavior": 44,
        "Play prompt 1": 54,
        "Check hours of operation (runs)": 70,
        "Check hours of operation": 70,
        "Main menu (runs)": 105,
        "Main menu": 105,
        "Loop": 159,
        "Account number (runs)": 189,
        "Account number": 189,
        "Set contact attributes": 215,
        "Invoke Lambda function": 233,
        "Check contact attributes (runs)": 250,
        "Check contact attributes": 250,
        "Play prompt 2": 289,
        "Play prompt 3": 299,
        "Transfer to phone number": 309,
        "Transfer to phone number (outcome)": 309,
        "Get customer input (Lex)": 331,
        "Get customer input (Lex) (no match or error)": 331,
        "Invoke module": 373,
        "Invoke module: card-order": 373,
        "Invoke module (returns?)": 373,
        "Set working queue": 389,
        "Check queue status (runs)": 405,
        "Check queue status": 405,
        "Transfer to queue (runs)": 435,
        "Transfer to queue": 435,
        "Get customer input": 453,
        "Play prompt 4": 484,
        "Play prompt 5": 494,
        "Disconnect": 504,
        "Play prompt 6": 510,
        "Create callback": 520,
        "Create callback (result)": 520,
        "Transfer to flow": 537,
        "Transfer to flow: After hours voicemail": 537,
    }
    assert str(menu.locate("nodes", "Main menu")) == f"{HERE / 'main-line.json'}:105:5"
    # a key points at its condition, a no-input route at its error transition
    assert menu.locate("nodes", "Main menu", "options", "2").line == 124
    assert menu.locate("nodes", "Main menu", "no_input").line == 144


# -- platform defaults -----------------------------------------------------------------------


def test_platform_defaults_are_explicit():
    menu = load(HERE / "defaults.json")
    assert kinds(menu) == {
        "Any key": "action",
        "Any key (key or timeout)": "branch",
        "Error only": "menu",
        "No branches": "menu",
        "Lex only": "menu",
        "Callback number (runs)": "action",
        "Callback number": "ask",
        "Invalid number": "say",
        "Set callback number": "action",
        "Wait for customer": "action",
        "Wait for customer (errors)": "branch",
        "Sorry": "say",
        "Goodbye": "hangup",
    }
    assert edges(menu) == [
        ("Any key", "Any key (key or timeout)", "next", None),
        ("Any key", "Sorry", "error", None),
        ("Any key (key or timeout)", "Error only", "else", None),
        ("Any key (key or timeout)", "No branches", "case", "1"),
        ("Callback number", "Invalid number", "no_match", None),
        ("Callback number", "Set callback number", "next", None),
        ("Callback number", "Set callback number", "no_input", None),
        ("Callback number (runs)", "Callback number", "next", None),
        ("Callback number (runs)", "Sorry", "error", None),
        ("Error only", "Callback number (runs)", "key", "1"),
        ("Error only", "Sorry", "no_input", None),
        ("Error only", "Sorry", "no_match", None),
        ("Invalid number", "Callback number (runs)", "next", None),
        ("Lex only", "<platform disconnect>", "no_input", None),
        ("Lex only", "<platform disconnect>", "no_match", None),
        ("Lex only", "Callback number (runs)", "speech", "Billing"),
        ("No branches", "<platform disconnect>", "no_input", None),
        ("No branches", "<platform disconnect>", "no_match", None),
        ("No branches", "Lex only", "key", "1"),
        ("Set callback number", "Invalid number", "error", None),
        ("Set callback number", "Wait for customer", "next", None),
        ("Sorry", "Goodbye", "next", None),
        ("Wait for customer", "Goodbye", "next", None),
        ("Wait for customer", "Wait for customer (errors)", "error", None),
        ("Wait for customer (errors)", "<missing no-such-block>", "case", "1"),
        ("Wait for customer (errors)", "Sorry", "else", None),
    ]
    assert node(menu, "Error only")["note"] == (
        "Connect GetParticipantInput block (Identifier: Error only). No Timeout branch: Connect "
        "takes the Error branch on silence. No Default branch: Connect takes the Error branch "
        "on an invalid key. Never taken, an earlier condition matches first: condition 2 (1)."
    )
    assert node(menu, "No branches")["note"].endswith(
        "A missing error branch means Connect disconnects the contact."
    )
    assert node(menu, "Any key")["say"] == "Press any key to continue."
    assert node(menu, "Callback number")["collects"] == "callback_number"
    assert node(menu, "Goodbye")["note"] == (
        "Connect DisconnectParticipant block (Identifier: Goodbye). Its transitions (Sorry) "
        "are never taken: Connect ends the contact here."
    )
    assert structural(menu) == [
        (
            "ST001",
            "Wait for customer (errors)",
            192,
            "case 1 of 'Wait for customer (errors)' goes to 'no-such-block', which does not exist",
        )
    ]


def test_customer_queue_flow_keeps_the_caller_waiting():
    menu = load(HERE / "queue-wait.json")
    assert kinds(menu) == {
        "Hold music": "say",
        "Hold music (agent)": "transfer",
        "Hold music (repeat)": "branch",
        "Hold music (result)": "branch",
        "Offer": "menu",
        "To billing": "transfer",
        "Back to queue": "transfer",
    }
    assert edges(menu) == [
        ("Hold music", "Hold music (result)", "next", None),
        # Loop prompts in a customer queue flow repeat until an agent answers
        ("Hold music (repeat)", "Hold music", "else", None),
        ("Hold music (repeat)", "Hold music (agent)", "case", "1"),
        ("Hold music (result)", "Back to queue", "case", "2"),
        ("Hold music (result)", "Hold music (repeat)", "else", None),
        ("Hold music (result)", "Offer", "case", "1"),
        ("Offer", "Back to queue", "no_input", None),
        ("Offer", "Back to queue", "no_match", None),
        ("Offer", "To billing", "key", "1"),
        ("To billing", "Back to queue", "fail", None),
    ]
    assert (menu.role, menu.role_reason) == (
        "reached",
        "flow type customerQueue: it plays to callers waiting in a queue",
    )
    assert node(menu, "Hold music (agent)")["waits_in_queue"] is True
    back = node(menu, "Back to queue")
    assert (back["target"], back.get("human", True)) == ("queue:the contact's queue", True)
    assert back["waits_in_queue"] is True  # End flow: back to waiting, no busy route needed
    assert "the contact goes back to waiting in the queue" in back["note"]
    hold = node(menu, "Hold music")
    assert hold["say"] == "Thank you for waiting."
    assert hold["play"] == "arn:aws:connect:eu-west-2:111122223333:instance/i-1/prompt/music"


# -- the older export ------------------------------------------------------------------------


def test_older_export_maps_to_the_same_nodes():
    menu = load(HERE / "legacy-main-line.json")
    assert menu.source_format == "connect-legacy"
    assert (menu.id, menu.start) == ("Legacy main line", "Set voice")
    assert kinds(menu) == {
        "Set voice": "action",
        "Play prompt 1": "say",
        "Check hours of operation (runs)": "action",
        "Check hours of operation": "hours",
        "Get customer input (runs)": "action",
        "Get customer input": "menu",
        "Store customer input (runs)": "action",
        "Store customer input": "ask",
        "Get customer input (Lex)": "menu",
        "Get customer input (Lex) (no match or error)": "branch",
        "Check contact attributes": "branch",
        "Set contact attributes": "action",
        "Invoke Lambda function": "action",
        "Set working queue": "action",
        "Check staffing (runs)": "action",
        "Check staffing": "branch",
        "Transfer to queue (runs)": "action",
        "Transfer to queue": "transfer",
        "Set callback number": "action",
        "Create callback": "callback",
        "Create callback (result)": "branch",
        "Play prompt 2": "say",
        "Transfer to phone number": "transfer",
        "Transfer to phone number (outcome)": "branch",
        "Transfer to flow": "action",
        "Transfer to flow: Chat flow": "unknown",
        "Play prompt 3": "say",
        "Play prompt 4": "say",
        "Disconnect": "hangup",
    }
    assert edges(menu) == [
        ("Check contact attributes", "Set working queue", "else", None),
        ("Check contact attributes", "Transfer to flow", "case", "1"),
        ("Check hours of operation", "Get customer input (runs)", "open", None),
        ("Check hours of operation", "Play prompt 3", "closed", None),
        ("Check hours of operation (runs)", "Check hours of operation", "next", None),
        ("Check hours of operation (runs)", "Play prompt 4", "error", None),
        ("Check staffing", "Set callback number", "else", None),
        ("Check staffing", "Transfer to queue (runs)", "case", "1"),
        ("Check staffing (runs)", "Check staffing", "next", None),
        ("Check staffing (runs)", "Play prompt 4", "error", None),
        ("Create callback", "Create callback (result)", "next", None),
        ("Create callback (result)", "Play prompt 2", "else", None),
        ("Create callback (result)", "Play prompt 4", "case", "1"),
        ("Get customer input", "Check contact attributes", "key", "3"),
        ("Get customer input", "Get customer input (Lex)", "key", "2"),
        ("Get customer input", "Get customer input (runs)", "no_input", None),
        ("Get customer input", "Get customer input (runs)", "no_match", None),
        ("Get customer input", "Store customer input (runs)", "key", "1"),
        (
            "Get customer input (Lex)",
            "Get customer input (Lex) (no match or error)",
            "no_match",
            None,
        ),
        ("Get customer input (Lex)", "Get customer input (runs)", "no_input", None),
        ("Get customer input (Lex)", "Transfer to phone number", "speech", "LostCard"),
        ("Get customer input (Lex) (no match or error)", "Get customer input (runs)", "else", None),
        ("Get customer input (Lex) (no match or error)", "Play prompt 4", "case", "1"),
        ("Get customer input (runs)", "Get customer input", "next", None),
        ("Get customer input (runs)", "Play prompt 4", "error", None),
        ("Invoke Lambda function", "Play prompt 4", "error", None),
        ("Invoke Lambda function", "Set working queue", "next", None),
        ("Play prompt 1", "Check hours of operation (runs)", "next", None),
        ("Play prompt 2", "Disconnect", "next", None),
        ("Play prompt 3", "Disconnect", "next", None),
        ("Play prompt 4", "Disconnect", "next", None),
        ("Set callback number", "Create callback", "next", None),
        ("Set callback number", "Play prompt 4", "error", None),
        ("Set contact attributes", "Invoke Lambda function", "error", None),
        ("Set contact attributes", "Invoke Lambda function", "next", None),
        ("Set voice", "Play prompt 1", "next", None),
        ("Set working queue", "Check staffing (runs)", "next", None),
        ("Set working queue", "Play prompt 4", "error", None),
        ("Store customer input", "Set contact attributes", "next", None),
        ("Store customer input", "Set contact attributes", "no_input", None),
        ("Store customer input", "Store customer input (runs)", "no_match", None),
        ("Store customer input (runs)", "Play prompt 4", "error", None),
        ("Store customer input (runs)", "Store customer input", "next", None),
        ("Transfer to flow", "Play prompt 4", "error", None),
        ("Transfer to flow", "Transfer to flow: Chat flow", "next", None),
        ("Transfer to phone number", "Transfer to phone number (outcome)", "fail", None),
        ("Transfer to phone number (outcome)", "Disconnect", "case", "1"),
        ("Transfer to phone number (outcome)", "Play prompt 4", "else", None),
        ("Transfer to queue", "Set callback number", "fail", None),
        ("Transfer to queue (runs)", "Play prompt 4", "error", None),
        ("Transfer to queue (runs)", "Transfer to queue", "next", None),
    ]
    assert node(menu, "Play prompt 1")["play"] == "Welcome.wav"
    assert node(menu, "Store customer input")["say"] == "Enter the phone number on your account."
    assert node(menu, "Store customer input")["collects"] == "phone"
    assert node(menu, "Transfer to queue")["target"] == "queue:Advisers"
    assert node(menu, "Transfer to queue")["passes"] == ["phone"]
    # a prompt read from an attribute: its words are known only at run time
    assert node(menu, "Play prompt 3")["play"] == "$.External.CLOSED_MESSAGE"
    assert "say" not in node(menu, "Play prompt 3")
    assert node(menu, "Check contact attributes")["cases"][0]["when"] == "$.Channel == 'CHAT'"
    assert node(menu, "Get customer input")["note"] == (
        "Connect GetUserInput (Digits) block (Identifier: 10000000-0000-4000-8000-000000000004)."
    )
    assert lines(menu)["Check staffing"] == 348


#: "@1" stands for a UUID Identifier, as the designer writes them
UUID = "00000000-0000-4000-8000-0000000000a"

LANGUAGE = """\
{"Version": "2019-10-30", "StartAction": "@1", "Actions": [
 {"Identifier": "@1", "Type": "GetParticipantInput",
  "Parameters": {"Text": "For sales press 1.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
  "Transitions": {
   "Conditions": [{"NextAction": "@2", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
   "Errors": [{"NextAction": "@3", "ErrorType": "InputTimeLimitExceeded"},
              {"NextAction": "@3", "ErrorType": "NoMatchingCondition"},
              {"NextAction": "@3", "ErrorType": "NoMatchingError"}]}},
 {"Identifier": "@2", "Type": "TransferContactToQueue",
  "Transitions": {"NextAction": "@3",
   "Errors": [{"NextAction": "@3", "ErrorType": "QueueAtCapacity"},
              {"NextAction": "@3", "ErrorType": "NoMatchingError"}]}},
 {"Identifier": "@3", "Type": "MessageParticipant", "Parameters": {"Text": "Goodbye."},
  "Transitions": {"NextAction": "@4"}},
 {"Identifier": "@4", "Type": "DisconnectParticipant"}]}
""".replace("@", UUID)

LEGACY = """\
{"modules": [
 {"id": "@1", "type": "GetUserInput", "target": "Digits",
  "parameters": [{"name": "Text", "value": "For sales press 1."},
                 {"name": "Timeout", "value": "5"}],
  "branches": [{"condition": "Evaluate", "conditionType": "Equals", "conditionValue": "1",
                "transition": "@2"},
               {"condition": "Timeout", "transition": "@3"},
               {"condition": "NoMatch", "transition": "@3"},
               {"condition": "Error", "transition": "@3"}]},
 {"id": "@2", "type": "Transfer", "target": "Queue",
  "branches": [{"condition": "AtCapacity", "transition": "@3"},
               {"condition": "Error", "transition": "@3"}]},
 {"id": "@3", "type": "PlayPrompt",
  "parameters": [{"name": "Text", "value": "Goodbye."},
                 {"name": "TextToSpeechType", "value": "text"}],
  "branches": [{"condition": "Success", "transition": "@4"}]},
 {"id": "@4", "type": "Disconnect", "branches": []}],
 "version": "1", "start": "@1"}
""".replace("@", UUID)


def test_both_spellings_give_the_same_menu():
    def without_notes(menu):
        return {key: {**node(menu, key), "note": None} for key in menu.nodes}

    language, legacy = loads(LANGUAGE), loads(LEGACY)
    assert (language.source_format, legacy.source_format) == ("connect", "connect-legacy")
    assert without_notes(language) == without_notes(legacy)
    assert (
        edges(language)
        == edges(legacy)
        == [
            ("Get customer input", "Play prompt", "no_input", None),
            ("Get customer input", "Play prompt", "no_match", None),
            ("Get customer input", "Transfer to queue", "key", "1"),
            ("Play prompt", "Disconnect", "next", None),
            ("Transfer to queue", "Play prompt", "fail", None),
        ]
    )


# -- flows inside other files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "menu_id", "positions"),
    [
        ("wrapper.json", "Support", {"Greeting": (4, 132), "Queue": (4, 300), "Bye": (4, 553)}),
        (
            "describe-contact-flow.json",
            "Described support",
            {"Greeting": (9, 162), "Queue": (9, 386), "Bye": (9, 760)},
        ),
    ],
)
def test_wrapped_flow_points_into_the_content_string(name, menu_id, positions):
    path = HERE / name
    menu = load(path)
    assert (menu.source_format, menu.id, menu.title) == ("connect", menu_id, menu_id)
    assert kinds(menu) == {"Greeting": "say", "Queue": "transfer", "Bye": "hangup"}
    assert edges(menu) == [
        ("Greeting", "Queue", "next", None),
        ("Queue", "Bye", "fail", None),
    ]
    text = path.read_text(encoding="utf-8").splitlines()
    for node_id, (line, column) in positions.items():
        where = menu.locate("nodes", node_id)
        assert (where.line, where.column) == (line, column)
        assert text[line - 1][column - 1] == "{"


def test_cloudformation_yaml_template_gives_one_menu_per_caller_flow():
    path = HERE / "template.yaml"
    menus = load_all(path)
    assert [(m.id, m.title, m.source_format) for m in menus] == [
        ("MainFlow", "Acme main", "connect"),
        ("SalesWhisper", "Plays to the caller as an agent answers", "connect"),
        ("CardModule", "Card module", "connect"),
    ]
    main, whisper, module = menus
    assert edges(main) == [
        ("Menu", "Retry", "no_input", None),
        ("Menu", "Retry", "no_match", None),
        ("Menu", "Sales", "key", "1"),
        ("Menu (runs)", "Bye", "error", None),
        ("Menu (runs)", "Menu", "next", None),
        ("Retry", "Menu (runs)", "case", "1"),
        ("Retry", "Sales", "else", None),
        ("Sales", "Bye", "error", None),
        ("Sales", "To sales", "next", None),
        ("To sales", "Bye", "fail", None),
    ]
    # !Sub placeholders are kept as written, quoted or not
    assert node(main, "To sales")["target"] == "queue:${QueueArn}"
    assert (
        node(main, "Retry")["cases"][0]["when"] == "loop: ContinueLooping (loop count ${Retries})"
    )
    # End flow in an inbound flow disconnects; in a whisper flow the call goes on to the agent
    assert node(main, "Bye")["type"] == "hangup"
    assert node(whisper, "Done")["target"] == "agent:the contact's agent"
    assert node(whisper, "Hello")["say"] == 'You are through to "Sales".'
    assert kinds(module) == {
        "Ask": "ask",
        "Ask (runs)": "action",
        "Check": "action",
        "Done": "return",
    }
    # each flow's role comes from its resource type
    assert [(m.role, m.role_reason) for m in menus] == [
        ("entry", "flow type CONTACT_FLOW"),
        ("reached", "flow type CUSTOMER_WHISPER: it plays to the caller as an agent is connected"),
        ("reached", "flow type AWS::Connect::ContactFlowModule: other flows invoke it"),
    ]
    # a block scalar: line by line; a one-line string: the column of each action
    text = path.read_text(encoding="utf-8").splitlines()
    found = {
        (m.id, node_id): (m.locate("nodes", node_id).line, m.locate("nodes", node_id).column)
        for m in menus
        for node_id in m.nodes
    }
    assert found == {
        ("MainFlow", "Menu"): (27, 13),
        ("MainFlow", "Menu (runs)"): (27, 13),
        ("MainFlow", "Retry"): (42, 13),
        ("MainFlow", "Sales"): (53, 13),
        ("MainFlow", "To sales"): (59, 13),
        ("MainFlow", "Bye"): (65, 13),
        ("SalesWhisper", "Hello"): (75, 84),
        ("SalesWhisper", "Done"): (75, 249),
        ("CardModule", "Ask"): (89, 67),
        ("CardModule", "Ask (runs)"): (89, 67),
        ("CardModule", "Check"): (89, 363),
        ("CardModule", "Done"): (89, 562),
    }
    for line, column in found.values():
        assert text[line - 1][column - 1] == "{"


def test_cloudformation_json_template():
    menus = load_all(HERE / "template.json")
    assert [(m.id, m.title) for m in menus] == [("OutOfHours", "Out of hours")]
    assert edges(menus[0]) == [("Closed", "Bye", "next", None)]
    assert {k: (v.line, v.column) for k, v in _positions(menus[0]).items()} == {
        "Closed": (11, 93),
        "Bye": (11, 269),
    }


def _positions(menu):
    return {node_id: menu.locate("nodes", node_id) for node_id in menu.nodes}


QUOTED = """\
Resources:
  Folded:
    Type: AWS::Connect::ContactFlow
    Properties:
      Content: "{\\"Version\\": \\"2019-10-30\\", \\"StartAction\\": \\"Hi\\",
        \\"Actions\\": [
        {\\"Identifier\\": \\"Hi\\", \\"Type\\": \\"MessageParticipant\\",
         \\"Parameters\\": {\\"Text\\": \\"Hello\\"},
         \\"Transitions\\": {\\"NextAction\\": \\"Bye\\"}},
        {\\"Identifier\\": \\"Bye\\", \\"Type\\": \\"DisconnectParticipant\\"}]}"
  Greater:
    Type: AWS::Connect::ContactFlow
    Properties:
      Content: >-
        {"Version": "2019-10-30", "StartAction": "Hi",
        "Actions": [
        {"Identifier": "Hi", "Type": "MessageParticipant", "Parameters": {"Text": "Hello"},
        "Transitions": {"NextAction": "Bye"}},
        {"Identifier": "Bye", "Type": "DisconnectParticipant"}]}
  Single:
    Type: AWS::Connect::ContactFlow
    Properties:
      Content: '{"Version": "2019-10-30", "StartAction": "Hi",
        "Actions": [
        {"Identifier": "Hi", "Type": "MessageParticipant", "Parameters": {"Text": "It''s me"},
         "Transitions": {"NextAction": "Bye"}},
        {"Identifier": "Bye", "Type": "DisconnectParticipant"}]}'
"""


def test_multi_line_quoted_and_folded_content_keeps_exact_positions():
    menus = load_all(QUOTED)
    found = {
        (m.id, node_id): (m.locate("nodes", node_id).line, m.locate("nodes", node_id).column)
        for m in menus
        for node_id in m.nodes
    }
    assert found == {
        ("Folded", "Hi"): (7, 9),
        ("Folded", "Bye"): (10, 9),
        ("Greater", "Hi"): (17, 9),
        ("Greater", "Bye"): (19, 9),
        ("Single", "Hi"): (25, 9),
        ("Single", "Bye"): (27, 9),
    }
    assert [m.nodes["Hi"].say for m in menus] == ["Hello", "Hello", "It's me"]


def test_other_names_for_flow_language_actions():
    menu = loads(
        '{"Version": "2019-10-30", "StartAction": "a", "Actions": [\n'
        ' {"Identifier": "a", "Type": "GetCustomerInput",\n'
        '  "Parameters": {"Text": "Enter your PIN.", "StoreInput": "True"},\n'
        '  "Transitions": {"NextAction": "b",\n'
        '   "Errors": [{"NextAction": "b", "ErrorType": "NoMatchingError"}]}},\n'
        ' {"Identifier": "b", "Type": "InvokeExternalResource",\n'
        '  "Parameters": {"FunctionArn": "pin-check"}, "Transitions": {"NextAction": "c"}},\n'
        ' {"Identifier": "c", "Type": "TransferToPhoneNumber",\n'
        '  "Parameters": {"ThirdPartyPhoneNumber": "+15550100"}}]}'
    )
    assert kinds(menu) == {"a": "ask", "b": "action", "c": "transfer"}
    assert node(menu, "b")["note"] == (
        "Connect InvokeExternalResource block (Identifier: b). Invokes Lambda function pin-check."
    )
    assert node(menu, "c")["target"] == "phone:+15550100"


# -- files that are not phone menus ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "agent-hold.json",
            "agent-hold.json:4:3: Amazon Connect agent hold flow 'Hold music for agents': it plays "
            "to the agent while the customer is on hold, so there is no phone menu for callers "
            "to audit",
        ),
        (
            "step-by-step-guide.json",
            "step-by-step-guide.json:1:1: Amazon Connect step-by-step guide flow 'Returns guide': "
            "its Show view blocks show screens to the agent and the caller hears nothing, so "
            "there is no phone menu to audit",
        ),
        (
            "empty.json",
            "empty.json:1:1: Amazon Connect flow has no actions, so there is no phone menu "
            "to audit",
        ),
        (
            "list-contact-flows.json",
            "list-contact-flows.json:1:1: Amazon Connect ListContactFlows output: it names flows "
            "but holds no flow content; export each flow with 'aws connect describe-contact-flow' "
            "and check that",
        ),
        (
            "flows.tf",
            "flows.tf:1:1: Terraform configuration declaring aws_connect_contact_flow.main: "
            "ivraudit reads the flow JSON, not HCL (content = jsonencode(...), a heredoc or "
            "file(...)); check the flow's JSON file or the output of 'aws connect "
            "describe-contact-flow' instead",
        ),
    ],
)
def test_not_a_phone_menu_is_refused_with_the_reason(name, message):
    with pytest.raises(NotAMenuError) as caught:
        load_all(HERE / name)
    assert str(caught.value) == f"{HERE}/{message}"


def test_template_with_only_agent_flows_is_refused():
    text = (
        "Resources:\n"
        "  Whisper:\n"
        "    Type: AWS::Connect::ContactFlow\n"
        "    Properties:\n"
        "      Type: AGENT_WHISPER\n"
        '      Content: \'{"Version": "2019-10-30", "StartAction": "a", "Actions": '
        '[{"Identifier": "a", "Type": "EndFlowExecution"}]}\'\n'
    )
    with pytest.raises(NotAMenuError) as caught:
        load_all(text)
    assert str(caught.value) == (
        "<text>:1:1: CloudFormation template with no caller-facing Amazon Connect flow: "
        "Whisper: Amazon Connect agent whisper flow: it plays to the agent as the call is "
        "connected, so there is no phone menu for callers to audit"
    )


# -- malformed flows -------------------------------------------------------------------------

FLOW = '{"Version": "2019-10-30", "StartAction": "a", "Actions": [\n'

BROKEN = [
    pytest.param(
        '{"Version": "2019-10-30", "StartAction": "a",\n "Actions": {"a": 1}}',
        "bad.json:2:2: 'Actions' must be a list of actions (an Amazon Connect flow is "
        '{"Version", "StartAction", "Actions": [...]})',
        id="actions-not-a-list",
    ),
    pytest.param(
        FLOW + '  "a"]}',
        "bad.json:2:3: action 1 must be an object with Identifier and Type",
        id="action-not-an-object",
    ),
    pytest.param(
        FLOW + '  {"Type": "DisconnectParticipant"}]}',
        "bad.json:2:3: action 1 has no 'Identifier' (every action needs a unique Identifier)",
        id="no-identifier",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "DisconnectParticipant"},\n'
        '  {"Identifier": "a", "Type": "DisconnectParticipant"}]}',
        "bad.json:3:4: duplicate action Identifier 'a' (first at line 2) "
        "(every action needs its own Identifier)",
        id="duplicate-identifier",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a"}]}',
        "bad.json:2:3: action 'a' has no 'Type' (give the action type, e.g. MessageParticipant)",
        id="no-type",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "MessageParticipant",\n   "Parameters": ["Text"]}]}',
        "bad.json:3:4: 'Parameters' of action 'a' must be an object",
        id="parameters",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "MessageParticipant",\n   "Transitions": "b"}]}',
        "bad.json:3:4: 'Transitions' of action 'a' must be an object",
        id="transitions",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "MessageParticipant",\n'
        '   "Transitions": {"NextAction": 7}}]}',
        "bad.json:3:20: 'NextAction' must be the Identifier of an action",
        id="next-action",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "Compare",\n'
        '   "Transitions": {"Conditions": [\n     {"NextAction": "a", "Operator": "Equals"}]}}]}',
        "bad.json:4:6: a condition needs 'Condition': {Operator, Operands}",
        id="condition",
    ),
    pytest.param(
        FLOW + '  {"Identifier": "a", "Type": "Compare",\n'
        '   "Transitions": {"Errors": [\n     {"NextAction": "a"}]}}]}',
        "bad.json:4:6: an error transition of action 'a' has no 'ErrorType' (e.g. NoMatchingError)",
        id="error-type",
    ),
    pytest.param(
        '{"Version": "2019-10-30", "StartAction": ["a"], "Actions": [\n'
        '  {"Identifier": "a", "Type": "DisconnectParticipant"}]}',
        "bad.json:1:27: 'StartAction' must be the Identifier of an action",
        id="start-action",
    ),
    pytest.param(
        '{\n  "Name": "x",\n  "Type": "CONTACT_FLOW",\n'
        '  "Content": "{\\"Version\\":\\"2019-10-30\\",\\"Actions\\":[,]}"\n}',
        "bad.json:4:56: the Content string is not valid flow JSON: Expecting value "
        "(the Content string must hold the flow's JSON (Version, StartAction, Actions))",
        id="content-not-json",
    ),
    pytest.param(
        '{"modules": [\n {"type": "Disconnect"}], "start": "a"}',
        "bad.json:2:2: module 1 has no 'id' (every module needs a unique id)",
        id="legacy-no-id",
    ),
    pytest.param(
        '{"modules": [\n {"id": "a", "type": "Disconnect"},\n {"id": "a", "type": "Disconnect"}],'
        ' "start": "a"}',
        "bad.json:3:3: duplicate module id 'a' (first at line 2) (every module needs its own id)",
        id="legacy-duplicate-id",
    ),
    pytest.param(
        '{"modules": [\n {"id": "a", "type": "PlayPrompt", "branches": {"Success": "b"}}],'
        ' "start": "a"}',
        "bad.json:2:36: 'branches' of module 'a' must be a list",
        id="legacy-branches",
    ),
    pytest.param(
        '{"modules": {"a": 1}, "start": "a"}',
        "bad.json:1:2: 'modules' must be a list of blocks (an older Amazon Connect export is "
        '{"modules": [...], "start": ...})',
        id="legacy-modules",
    ),
    pytest.param(
        "Resources:\n  Flow:\n    Type: AWS::Connect::ContactFlow\n    Properties:\n"
        "      Content: !Join\n        - ''\n        - - '{}'\n",
        "bad.json:5:7: the Content of 'Flow' is not a string "
        "(ivraudit reads Content given as a JSON string, a !Sub string or Fn::Sub)",
        id="template-join",
    ),
    pytest.param(
        "Resources:\n  Flow:\n    Type: AWS::Connect::ContactFlow\n    Properties:\n"
        "      Name: x\n",
        "bad.json:2:3: AWS::Connect::ContactFlow 'Flow' has no Properties.Content "
        "(give the flow JSON in Content)",
        id="template-no-content",
    ),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_malformed_flows_are_positioned_errors(text, message):
    with pytest.raises(MenuError) as caught:
        loads(text, name="bad.json")
    assert str(caught.value) == message


def test_forcing_the_wrong_spelling_says_which_to_use():
    with pytest.raises(MenuError) as caught:
        loads(LANGUAGE, format="connect-legacy", name="flow.json")
    assert str(caught.value) == (
        "flow.json:1:1: not an older Amazon Connect export: it needs 'modules' (a list of "
        "blocks) and 'start' (flow-language files (Version, StartAction, Actions) are read "
        "with format 'connect')"
    )
    with pytest.raises(MenuError) as caught:
        loads("a: b\nc: d\n", format="connect", name="other.yaml")
    assert str(caught.value) == (
        "other.yaml:1:1: 'Actions' must be a list of actions "
        '(an Amazon Connect flow is {"Version", "StartAction", "Actions": [...]})'
    )


# -- detection and the command line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("main-line.json", "connect"),
        ("defaults.json", "connect"),
        ("queue-wait.json", "connect"),
        ("wrapper.json", "connect"),
        ("describe-contact-flow.json", "connect"),
        ("template.yaml", "connect"),
        ("template.json", "connect"),
        ("legacy-main-line.json", "connect-legacy"),
    ],
)
def test_format_is_detected(name, expected):
    assert {menu.source_format for menu in load_all(HERE / name)} == {expected}
    assert FORMATS[expected].detect is not None


def test_check_command_reads_connect_flows():
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--select", "ST", str(HERE / "template.yaml")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["check", "--select", "ST", str(HERE / "defaults.json")])
    assert result.exit_code == 1
    assert f"{HERE / 'defaults.json'}:192:11: ST001" in result.output
    result = runner.invoke(cli, ["check", str(HERE / "agent-hold.json")])
    assert result.exit_code == 2
    assert "Amazon Connect agent hold flow 'Hold music for agents'" in result.output


# -- the corpus, read in place ---------------------------------------------------------------

FLOW_LANGUAGE = "connect-flow-language"
LEGACY_DIR = "connect-legacy"

#: file -> [(menu id, nodes, edges)] or the exact refusal
CORPUS = {
    f"{FLOW_LANGUAGE}/GoodMeasuresLLC__connect___0x_dial_extension.json": [(None, 33, 49)],
    f"{FLOW_LANGUAGE}/amazon-connect__amazon-connect-snippets__BankIDAuth_contact-flow.json": [
        (None, 15, 22)
    ],
    f"{FLOW_LANGUAGE}/amazon-connect__voicemail-express-amazon-connect__vmx3-contactflows.yaml": [
        ("VMXInQueueCustomerWhisper", 3, 2),
        ("VMXInQueueOption", 25, 38),
        ("VMXCoreFlowModule", 18, 25),
        ("VMXExampleTaskFlow", 6, 8),
        ("VMXDefaultGuidedTaskFlow", 7, 11),
        ("VMXAWSTestFlow", 33, 62),
    ],
    f"{FLOW_LANGUAGE}/amazon-connect__voicemail-express-amazon-connect__vmx3-contactflows.yaml"
    ".VMXAWSTestFlow.extracted.json": [(None, 33, 62)],
    f"{FLOW_LANGUAGE}/amazon-connect__voicemail-express-amazon-connect__vmx3-contactflows.yaml"
    ".VMXInQueueOption.extracted.json": [(None, 25, 38)],
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-gitlab-cicd-terraform__acme_main_AUTO.json": [
        ("acme_main_AUTO", 16, 24)
    ],
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-gitlab-cicd-terraform__acme_main_AUTO.json"
    ".extracted.json": [(None, 16, 24)],
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-gitlab-cicd-terraform__test_flows_ACME_test1"
    ".json": "4:5: Amazon Connect agent hold flow 'ACME_test1': it plays to the agent while the "
    "customer is on hold, so there is no phone menu for callers to audit",
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-gitlab-cicd-terraform__test_flows_ACME_test2"
    ".json": "4:5: Amazon Connect agent hold flow 'ACME_test2': it plays to the agent while the "
    "customer is on hold, so there is no phone menu for callers to audit",
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-rules-engine__RulesEngineDTMFInput.json": [
        (None, 73, 165)
    ],
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-step-by-step-guides-module-library__"
    "Financial_contactFlow.json": "1:1: Amazon Connect step-by-step guide flow "
    "'SBSGuides.Finance': its Show view blocks show screens to the agent and the caller hears "
    "nothing, so there is no phone menu to audit",
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-step-by-step-guides-module-library__"
    "HandlerFlow_contactFlow.json": [("SampleHandlerFlow", 4, 5)],
    f"{FLOW_LANGUAGE}/aws-samples__amazon-connect-step-by-step-guides-module-library__"
    "Retail_contactFlow.json": "1:1: Amazon Connect step-by-step guide flow 'SBSGuides.Retail': "
    "its Show view blocks show screens to the agent and the caller hears nothing, so there is "
    "no phone menu to audit",
    f"{LEGACY_DIR}/amazon-connect__amazon-connect-realtime-transcription__kvStreamingSampleFlow"
    ".json": [("kvsStreamingFlow", 9, 11)],
    f"{LEGACY_DIR}/amazon-connect__amazon-connect-snippets__remote-Sample.json": [
        ("remote-Sample", 23, 35)
    ],
    f"{LEGACY_DIR}/amazon-connect__voicemail-for-amazon-connect__VM-Greeting-DID.json": [
        ("VM-Greeting-DID", 19, 30)
    ],
    f"{LEGACY_DIR}/edwardbrowncross__amazon-connect-simulator__simulator_test.go.sampleInput"
    ".extracted.json": [("Sample secure input with no agent", 11, 14)],
    f"{LEGACY_DIR}/edwardbrowncross__amazon-connect-simulator__simulator_test.go.sampleQueueConfig"
    ".extracted.json": [("Sample Queue Configurations Flow", 31, 48)],
}


def test_corpus_table_covers_every_connect_file(corpus: Path):
    on_disk = {
        f"{directory}/{path.name}"
        for directory in (FLOW_LANGUAGE, LEGACY_DIR)
        for path in (corpus / directory).iterdir()
    }
    assert on_disk == set(CORPUS)


@pytest.mark.parametrize("relative", sorted(CORPUS))
def test_corpus_file(corpus: Path, relative: str):
    expected = CORPUS[relative]
    path = corpus / relative
    if isinstance(expected, str):
        with pytest.raises(NotAMenuError) as caught:
            load_all(path)
        assert str(caught.value) == f"{path}:{expected}"
        return
    menus = load_all(path)
    format_name = "connect-legacy" if relative.startswith(LEGACY_DIR) else "connect"
    assert [(m.id, len(m.nodes), to_graph(m).number_of_edges()) for m in menus] == expected
    for menu in menus:
        assert menu.source_format == format_name
        assert structural(menu) == []
        text = path.read_text(encoding="utf-8").splitlines()
        for node_id in menu.nodes:
            where = menu.locate("nodes", node_id)
            assert text[where.line - 1][where.column - 1] == "{", (node_id, where)


def test_dial_by_extension_flow_checked_by_hand(corpus: Path):
    """A production flow: extension entry, Lambda lookup, hours, agent or voicemail."""
    menu = load(corpus / FLOW_LANGUAGE / "GoodMeasuresLLC__connect___0x_dial_extension.json")
    assert menu.start == "Set contact attributes 1"
    assert kinds(menu) == {
        "Disconnect 1": "hangup",
        "Disconnect 2": "hangup",
        "Play prompt 1": "say",
        "Check contact attributes 1": "branch",
        "Invoke Lambda function": "action",
        "Check contact attributes 2": "branch",
        "Check hours of operation": "hours",
        "Play prompt 2": "say",
        "Set contact attributes 1": "action",
        "Loop": "branch",
        "Play prompt 3": "say",
        "Set contact attributes 2": "action",
        "Play prompt 4": "say",
        "Check contact attributes 3": "branch",
        "Set working queue": "action",
        "Check contact attributes 4": "branch",
        "Set contact attributes 3": "action",
        "Transfer to queue": "transfer",
        "Check queue status (runs)": "action",
        "Check queue status": "branch",
        "Disconnect 3": "hangup",
        "Transfer to flow 1": "action",
        "Transfer to flow 1: 0x Inbound to Agent": "unknown",
        "Transfer to flow 2": "action",
        "Transfer to flow 2: 0x Voicemail Flow": "unknown",
        "Play prompt 5": "say",
        "Transfer to flow 3": "action",
        "Transfer to flow 3: 0x Voicemail Flow": "unknown",
        "Set contact attributes 4": "action",
        "Play prompt 6": "say",
        "Store customer input": "ask",
        "Set contact attributes 5": "action",
        "Transfer to phone number": "transfer",
    }
    ask = node(menu, "Store customer input")
    assert (ask["collects"], ask["play"], ask["timeout"]) == (
        "Extension",
        "Invalid Ext Try Again.wav",
        5.0,
    )
    # the Error branch of Store customer input is the block failing, not a caller error
    assert (ask["next"], ask["no_input"], ask["no_match"]) == ("Set contact attributes 1",) * 3
    assert "fail" not in ask
    assert node(menu, "Transfer to queue")["target"] == "agent:$.Attributes.ConnectUser"
    assert node(menu, "Transfer to queue")["passes"] == ["Extension"]
    # checked alone, the voicemail flow is not read: the closed route leaves what was read
    voicemail = node(menu, "Transfer to flow 2: 0x Voicemail Flow")
    assert (voicemail["type"], voicemail["target"]) == ("unknown", "0x Voicemail Flow")
    assert node(menu, "Hours" if False else "Check hours of operation")["open"] == "Play prompt 2"
    assert node(menu, "Play prompt 6")["say"] == (
        "$.External.ExtensionNameFirst your coach is unavailable. Please leave your message "
        "after the beep."
    )
    assert structural(menu) == []


# -- robustness ------------------------------------------------------------------------------

FUZZ_SOURCES = sorted(
    path for path in HERE.iterdir() if path.suffix in (".json", ".yaml") and path.is_file()
)


_ODD_VALUES = [None, 1, "x", [], {}, True, "${X}", "00000000-0000-4000-8000-000000000099"]


def _mutate_structure(text: str, rng: random.Random) -> str:
    """Replace, delete or repeat a few values deep inside a JSON flow."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    for _ in range(rng.randint(1, 3)):
        current = value
        while True:
            if isinstance(current, dict) and current:
                key = rng.choice(list(current))
                roll = rng.random()
                if roll < 0.2:
                    current[key] = rng.choice(_ODD_VALUES)
                elif roll < 0.3:
                    del current[key]
                else:
                    current = current[key]
                    continue
            elif isinstance(current, list) and current:
                index = rng.randrange(len(current))
                roll = rng.random()
                if roll < 0.2:
                    current[index] = rng.choice(_ODD_VALUES)
                elif roll < 0.3:
                    current.append(current[index])
                else:
                    current = current[index]
                    continue
            break
    return json.dumps(value, indent=1)


def _mutate(text: str, seed: int) -> str:
    rng = random.Random(seed)
    if rng.random() < 0.5:
        return _mutate_structure(text, rng)
    lines_ = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(4)
        if choice == 0 and len(lines_) > 1:
            del lines_[rng.randrange(len(lines_))]
        elif choice == 1 and lines_:
            index = rng.randrange(len(lines_))
            lines_.insert(index, lines_[index])
        elif choice == 2 and lines_:
            index = rng.randrange(len(lines_))
            line = lines_[index]
            cut = rng.randrange(len(line) + 1)
            lines_[index] = line[:cut] + rng.choice('{}[]":,\\ x0-') + line[cut + 1 :]
        elif lines_:
            index = rng.randrange(len(lines_))
            lines_[index] = lines_[index][::-1]
    return "".join(lines_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(FUZZ_SOURCES),
    seed=st.integers(min_value=0, max_value=2**32),
    format_name=st.sampled_from([None, "connect", "connect-legacy"]),
)
def test_mutated_fixtures_end_in_a_menu_or_a_menu_error(source, seed, format_name):
    text = _mutate(source.read_text(encoding="utf-8"), seed)
    try:
        menus = load_all(text if "\n" in text else text + "\n", format_name)
    except MenuError:
        return
    for menu in menus:
        to_graph(menu)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "Actions",
                        "Identifier",
                        "Type",
                        "Parameters",
                        "Transitions",
                        "NextAction",
                        "Conditions",
                        "Errors",
                        "Condition",
                        "Operator",
                        "Operands",
                        "ErrorType",
                        "Text",
                        "StoreInput",
                        "modules",
                        "id",
                        "type",
                        "branches",
                        "condition",
                        "transition",
                        "parameters",
                        "Content",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_arbitrary_flow_shaped_json_ends_in_a_menu_or_a_menu_error(value):
    document = {"Version": "2019-10-30", "StartAction": "a", "Actions": value}
    for text in (json.dumps(document), json.dumps({"modules": value, "start": "a"})):
        with contextlib.suppress(MenuError):
            load_all(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_ends_in_a_menu_or_a_menu_error(text):
    for format_name in ("connect", "connect-legacy"):
        with contextlib.suppress(MenuError):
            loads(text + "\n", format=format_name)


# -- the estate: flows that transfer to each other, and what each flow is to callers -------------

INSTANCE = HERE / "instance"


def _audited(menu) -> list[tuple[str, str, int]]:
    return [(finding.rule, finding.node, finding.line) for finding in audit(menu).findings]


def test_transfer_to_a_flow_of_the_estate_follows_it():
    """Flow language reference, TransferToFlow; Terraform's contact_flows_map names the flow."""
    estate = Estate.of(sorted(INSTANCE.glob("*.json")))
    menu = load(INSTANCE / "main_line.json", estate=estate)
    assert (menu.role, menu.role_reason) == (
        "entry",
        "flow type CONTACT_FLOW (Terraform aws_connect_contact_flow.main_line)",
    )
    assert node(menu, "Transfer to voicemail")["type"] == "subflow"
    assert list(menu.subflows) == ["voicemail.json"]
    assert ("Transfer to voicemail", "Transfer to voicemail/Closed", "subflow", None) in edges(menu)
    # the fault behind the transfer is found: closed callers are told "goodbye" and cut off
    assert _audited(menu) == [
        ("DE006", "Check hours of operation", 19),
        ("DE003", "Transfer to voicemail/Hang up", 14),  # in voicemail.json
    ]


def test_transfer_to_a_flow_not_given_is_unknown():
    menu = load(INSTANCE / "main_line.json")  # alone: the voicemail flow is not read
    unknown = node(menu, "Transfer to voicemail")
    assert (unknown["type"], unknown["target"]) == ("unknown", "Voicemail")
    assert _audited(menu) == []


def test_flow_named_by_an_attribute_is_known_only_at_run_time():
    flow = {
        "Version": "2019-10-30",
        "StartAction": "Go",
        "Actions": [
            {
                "Identifier": "Go",
                "Type": "TransferToFlow",
                "Parameters": {"ContactFlowId": "$.FlowAttributes.queue_flow"},
                "Transitions": {},
            }
        ],
    }
    menu = loads(json.dumps(flow), name="flow.json")
    assert node(menu, "Go") == {
        "type": "unknown",
        "reason": "run-time",
        "target": "$.FlowAttributes.queue_flow",
        "note": "Connect TransferToFlow block (Identifier: Go). Transfer to flow "
        "'$.FlowAttributes.queue_flow': not followed, because the flow is named by "
        "$.FlowAttributes.queue_flow only when the call runs.",
    }


def test_end_flow_without_a_type_is_a_queue_or_whisper_flow():
    """EndFlowExecution, Restrictions: only in whisper flows and customer queue flows."""
    menu = load(INSTANCE / "queue_music.json")
    assert menu.role == "reached"
    assert "EndFlowExecution" in menu.role_reason
    back = node(menu, "Back to queue")
    assert (back["type"], back["waits_in_queue"]) == ("transfer", True)
    assert _audited(menu) == []


@pytest.mark.parametrize(
    ("flow_type", "description", "role"),
    [
        ("CONTACT_FLOW", "Main line", "entry"),
        ("CONTACT_FLOW", "Basic test flow to validate the deployment", "internal"),
        ("CUSTOMER_QUEUE", "", "reached"),
        ("CUSTOMER_HOLD", "", "reached"),
        ("CUSTOMER_WHISPER", "", "reached"),
        ("OUTBOUND_WHISPER", "", "internal"),
        ("AGENT_TRANSFER", "", "internal"),
        ("QUEUE_TRANSFER", "", "internal"),
    ],
)
def test_flow_type_gives_the_role(flow_type, description, role):
    """CreateContactFlow, Type: the flow types, and what each is to callers."""
    content = {
        "Version": "2019-10-30",
        "StartAction": "Hi",
        "Actions": [
            {"Identifier": "Hi", "Type": "MessageParticipant", "Parameters": {"Text": "Hello."}},
        ],
    }
    wrapped = {
        "Name": "Flow",
        "Type": flow_type,
        "Description": description,
        "Content": json.dumps(content),
    }
    menu = loads(json.dumps(wrapped), name="flow.json")
    assert menu.role == role
    assert menu.role_reason.startswith(f"flow type {flow_type}")


def test_attribute_prompts_are_words_known_only_at_run_time():
    """MessageParticipant: Text may be a JSONPath reference to an attribute."""
    flow = {
        "Version": "2019-10-30",
        "StartAction": "Hi",
        "Actions": [
            {
                "Identifier": "Hi",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Hello $.Attributes.name, press 1."},
                "Transitions": {"NextAction": "Menu"},
            },
            {
                "Identifier": "Menu",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "$.Attributes.menu_prompt"},
            },
        ],
    }
    menu = loads(json.dumps(flow), name="flow.json")
    assert (node(menu, "Hi")["say"], node(menu, "Hi")["play"]) == (
        "Hello $.Attributes.name, press 1.",
        "$.Attributes.name",
    )
    assert node(menu, "Menu")["play"] == "$.Attributes.menu_prompt"
    assert "say" not in node(menu, "Menu")


def test_a_silent_wait_while_the_caller_is_recorded_is_a_voicemail():
    """Get customer input with no conditions is a timer; with IVR recording on (Set recording
    and analytics behavior, Automated interaction) the caller is leaving a message."""
    flow = {
        "Version": "2019-10-30",
        "StartAction": "Record",
        "Actions": [
            {
                "Identifier": "Record",
                "Type": "UpdateContactRecordingBehavior",
                "Parameters": {"RecordingBehavior": {"IVRRecordingBehavior": "Enabled"}},
                "Transitions": {"NextAction": "Wait for caller to record."},
            },
            {
                "Identifier": "Wait for caller to record.",
                "Type": "GetParticipantInput",
                "Parameters": {"SSML": '<speak><break time="5s"/></speak>', "StoreInput": "False"},
                "Transitions": {
                    "NextAction": "Saved",
                    "Errors": [
                        {"NextAction": "Saved", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "Saved", "ErrorType": "NoMatchingCondition"},
                    ],
                },
            },
            {
                "Identifier": "Saved",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Your message has been saved. Goodbye."},
                "Transitions": {"NextAction": "End"},
            },
            {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}},
        ],
    }
    menu = loads(json.dumps(flow), name="flow.json")
    wait = node(menu, "Wait for caller to record.")
    assert (wait["type"], wait["next"]) == ("voicemail", "Saved")
    flow["Actions"][0]["Parameters"]["RecordingBehavior"]["IVRRecordingBehavior"] = "Disabled"
    assert (
        node(loads(json.dumps(flow), name="flow.json"), "Wait for caller to record.")["type"]
        == "action"
    )


# -- error branches: a block failing, not a route it chooses ---------------------------------


def test_error_branches_are_error_routes():
    """Flow language reference, Transitions (NoMatchingError); admin guide, Check hours of
    operation, Check queue status, Store customer input, Transfer to queue, Loop."""
    menu = load(HERE / "error-routes.json")
    found = edges(menu)
    for step, block in (
        ("Hours (runs)", "Hours"),
        ("Extension (runs)", "Extension"),
        ("Agents (runs)", "Agents"),
        ("To agent (runs)", "To agent"),
    ):
        # the block is entered through a step whose Error branch is the block failing
        assert (step, block, "next", None) in found
        assert (step, "Sorry", "error", None) in found
    # the At capacity branch stays the transfer's fail; Check hours keeps open and closed
    assert ("To agent", "Stream", "fail", None) in found
    assert ("Hours", "Stream", "closed", None) in found
    # a Loop reached only by an Error branch: a retry, then the failure standing
    assert node(menu, "Retry")["type"] == "action"
    assert ("Retry", "Stream", "next", None) in found
    assert ("Retry", "Sorry", "error", None) in found
    # Store customer input: nothing copied, a prompt naming no identity field: no field
    assert "collects" not in node(menu, "Extension")
    # told system failures are error handling; the No match hangup is a refusal
    assert _audited(menu) == [("DE003", "Refused", 124)]


def test_play_prompt_error_branch_is_the_prompt_failing():
    """Flow language reference, MessageParticipant: no results; 'NoMatchingError - If an
    error occurred and no other error matched'."""
    menu = load(HERE / "prompt-error.json")
    found = edges(menu)
    assert ("Greeting (runs)", "Greeting", "next", None) in found
    assert ("Greeting (runs)", "Sorry", "error", None) in found
    assert ("Greeting", "Thanks", "next", None) in found
    assert not any(name.endswith("(result)") for name in menu.nodes)
    # an Error branch that leads where NextAction leads is no route of its own
    assert "Thanks (runs)" not in menu.nodes
    assert ("Thanks", "Set queue", "next", None) in found
    # the prompt failing, told and cut off, is error handling; the full queue is a refusal
    (finding,) = audit(menu).findings
    assert (finding.rule, finding.node, finding.line) == ("DE003", "Hang up", 55)
    assert [(step.node, step.via) for step in finding.witness][-3:] == [
        ("To agent", "fail"),
        ("Sorry", "next"),
        ("Hang up", None),
    ]


def test_a_flow_other_flows_transfer_to_is_reached():
    """Transfer to flow (flow language reference, TransferToFlow); Terraform
    aws_connect_phone_number_contact_flow_association gives a flow a number of its own."""
    estate = Estate.of(sorted(INSTANCE.glob("*.json")))
    voicemail = load(INSTANCE / "voicemail.json", estate=estate)
    assert (voicemail.role, voicemail.role_reason) == (
        "reached",
        "flow type CONTACT_FLOW (Terraform aws_connect_contact_flow.voicemail); other flows "
        "of the estate transfer to it (Transfer to flow in main_line.json) and no phone number "
        "of the estate is associated with it",
    )
    # reached: no DP003 of its own (its fault is found from main_line.json)
    assert [rule for rule, _, _ in _audited(voicemail)] == ["DE003"]
    phoned = HERE / "phoned"
    estate = Estate.of(sorted(phoned.glob("*.json")))
    dialled = load(phoned / "voicemail.json", estate=estate)
    assert (dialled.role, dialled.role_reason) == (
        "entry",
        "flow type CONTACT_FLOW (Terraform aws_connect_contact_flow.voicemail)",
    )
    assert [rule for rule, _, _ in _audited(dialled)] == ["DP003", "DE003"]
