"""The Twilio Studio importer: fixtures written from the Studio widget docs, and the corpus."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivraudit
from ivraudit import MenuError, load, load_all, loads, to_graph
from ivraudit.cli import main as cli
from ivraudit.formats.estate import Estate
from ivraudit.model.errors import NotAMenuError
from ivraudit.model.menu import AskNode, MenuNode, TransferNode
from ivraudit.rules.config import config_from_dict
from ivraudit.runner import check
from tests.conftest import edges, kinds, lines, structural

HERE = Path(__file__).resolve().parent / "fixtures"
END = "the flow ends after this message: Studio hangs up the call"


def refusal(path: Path) -> str:
    with pytest.raises(NotAMenuError) as caught:
        load_all(path)
    return str(caught.value)


# -- a complete voice IVR ---------------------------------------------------------------------


def test_ivr_widgets_become_nodes_at_their_lines():
    menu = load(HERE / "ivr.json")
    assert menu.source_format == "twilio"
    assert (menu.id, menu.title, menu.start) == (None, "Acme Bank IVR", "welcome")
    assert kinds(menu) == {
        "welcome": "say",
        "check_hours": "action",
        "check_hours: end of flow": "hangup",
        "hours_split": "branch",
        "main_menu": "menu",
        "invalid": "say",
        "account_number": "ask",
        "save_account": "action",
        "lookup": "action",
        "balance": "say",
        "goodbye": "hangup",
        "sales": "transfer",
        "support_queue": "transfer",
        "operator": "transfer",
        # Studio docs, Send to Flex, Transitions: its failedToEnqueue is handled, its
        # callFailure left empty, so that failure ends the flow.
        "operator (fail)": "branch",
        "operator: end of flow": "hangup",
        "closed_message": "say",
        "voicemail": "voicemail",
    }
    assert lines(menu) == {
        "welcome": 26,
        "check_hours": 46,
        "check_hours: end of flow": 54,  # the empty 'fail' transition
        "hours_split": 72,
        "main_menu": 103,
        "invalid": 256,
        "account_number": 274,
        "save_account": 307,
        "lookup": 329,
        "balance": 352,
        "goodbye": 370,
        "sales": 387,
        "support_queue": 409,
        "operator": 434,
        "operator (fail)": 434,
        "operator: end of flow": 445,  # the empty 'callFailure' transition
        "closed_message": 459,
        "voicemail": 477,
    }


def test_ivr_every_transition_is_an_edge():
    menu = load(HERE / "ivr.json")
    assert edges(menu) == [
        ("account_number", "<platform disconnect>", "no_input", None),
        ("account_number", "save_account", "next", None),
        ("account_number", "save_account", "no_match", None),
        ("balance", "goodbye", "next", None),
        ("check_hours", "check_hours: end of flow", "error", None),
        ("check_hours", "hours_split", "next", None),
        ("closed_message", "voicemail", "next", None),
        ("hours_split", "closed_message", "else", None),
        ("hours_split", "main_menu", "case", "1"),
        ("invalid", "main_menu", "next", None),
        ("lookup", "balance", "next", None),
        ("lookup", "operator", "error", None),
        ("main_menu", "account_number", "key", "3"),
        ("main_menu", "account_number", "key", "4"),
        ("main_menu", "invalid", "no_match", None),
        ("main_menu", "main_menu", "no_input", None),
        ("main_menu", "operator", "key", "0"),
        ("main_menu", "sales", "key", "1"),
        ("main_menu", "sales", "speech", "buy"),
        ("main_menu", "sales", "speech", "sales"),
        ("main_menu", "support_queue", "key", "2"),
        ("main_menu", "support_queue", "speech", "support"),
        ("operator", "operator (fail)", "fail", None),
        ("operator (fail)", "closed_message", "case", "1"),
        ("operator (fail)", "operator: end of flow", "else", None),
        ("save_account", "lookup", "next", None),
        ("support_queue", "closed_message", "fail", None),
        ("voicemail", "goodbye", "next", None),
        ("welcome", "check_hours", "next", None),
    ]


def test_gather_with_its_splits_is_one_menu():
    menu = load(HERE / "ivr.json")
    main = menu.nodes["main_menu"]
    assert isinstance(main, MenuNode)
    assert main.say == (
        "For sales press 1. For support press 2. For your balance press 3 or 4. "
        "To speak to an operator press 0."
    )
    assert main.timeout == 5
    assert main.note == (
        "Studio gather-input-on-call with splits 'main_keys' (keys) and 'main_speech' (speech)"
    )
    # the splits folded into the menu are not nodes of their own
    assert "main_keys" not in menu.nodes and "main_speech" not in menu.nodes
    # each option points at the split transition it came from
    assert menu.locate("nodes", "main_menu", "options", "3").line == 174
    assert menu.locate("nodes", "main_menu", "speech", "support").line == 233
    assert menu.locate("nodes", "main_menu", "no_match").line == 142
    assert menu.locate("nodes", "main_menu", "no_input").line == 115
    assert menu.locate("nodes", "main_menu", "say").line == 131


def test_ask_collects_the_variable_its_digits_land_in_and_transfers_pass_it():
    menu = load(HERE / "ivr.json")
    ask = menu.nodes["account_number"]
    assert isinstance(ask, AskNode)
    assert (ask.collects, ask.say) == ("acct", "Please enter your 8 digit account number.")
    assert ask.note == (
        "Studio gather-input-on-call: reads 8 digits, stored in flow variable 'acct'; "
        "Studio passes any input on, so no input is invalid here"
    )
    operator = menu.nodes["operator"]
    assert isinstance(operator, TransferNode)
    assert (operator.target, operator.human, operator.passes) == (
        "flex:WW0123456789abcdef0123456789abcdef",
        True,
        ["acct"],
    )
    assert menu.nodes["sales"].target == "number:+15555550100"
    assert menu.nodes["support_queue"].target == "queue:support"


def test_a_message_that_ends_the_flow_is_a_hangup_with_its_prompt():
    goodbye = load(HERE / "ivr.json").nodes["goodbye"]
    assert (goodbye.type, goodbye.say, goodbye.note) == (
        "hangup",
        "Thank you for calling. Goodbye.",
        END,
    )


def test_ivr_audit_sees_the_failing_function():
    report = ivraudit.audit(load(HERE / "ivr.json"), config_from_dict({"select": ["DE003"]}))
    assert [(f.rule, f.node, f.line) for f in report.findings] == [
        ("DE003", "check_hours: end of flow", 54)
    ]


# -- gather variants ----------------------------------------------------------------------------


def test_gather_variants():
    menu = load(HERE / "gathers.json")
    assert kinds(menu) == {
        "hold": "say",
        "menu_contains": "menu",
        "menu_regex": "menu",
        "directory": "menu",
        "either": "menu",
        "mixed": "menu",
        "pin_entry": "ask",
        "pin_check": "branch",
        "menu_less": "ask",
        "less_split": "branch",
        "press_any": "ask",
        "press_any: end of flow": "hangup",
        "shared_menu": "menu",
        "shared": "action",  # decided on the one route that reaches it (below)
        "speech_only": "menu",
        "speech_only: end of flow": "hangup",
        "hash_menu": "menu",
    }
    assert edges(menu) == [
        ("directory", "directory", "key", "/.+/"),
        ("directory", "directory", "no_input", None),
        ("directory", "either", "no_match", None),
        ("directory", "either", "speech", "billing"),
        ("directory", "pin_entry", "speech", "/sales|shop/"),
        ("either", "mixed", "no_input", None),
        ("either", "mixed", "speech", "/.+/"),
        ("either", "pin_entry", "key", "/.+/"),
        ("either", "pin_entry", "no_match", None),
        ("hash_menu", "hash_menu", "key", "1"),
        ("hash_menu", "hash_menu", "no_input", None),
        ("hash_menu", "hash_menu", "no_match", None),
        ("hold", "menu_contains", "next", None),
        ("less_split", "press_any", "case", "1"),
        ("less_split", "press_any", "case", "2"),
        ("less_split", "press_any", "else", None),
        ("menu_contains", "<platform disconnect>", "no_input", None),
        ("menu_contains", "menu_regex", "key", "1"),
        ("menu_contains", "menu_regex", "key", "2"),
        ("menu_contains", "menu_regex", "no_match", None),
        ("menu_less", "less_split", "next", None),
        ("menu_less", "less_split", "no_match", None),
        ("menu_less", "press_any", "no_input", None),
        ("menu_regex", "<platform disconnect>", "no_match", None),
        ("menu_regex", "directory", "key", "/.*9.*/"),
        ("menu_regex", "directory", "key", "/8.*/"),
        ("menu_regex", "directory", "key", "/^1[0-9]{2}$/"),
        ("menu_regex", "menu_regex", "no_input", None),
        ("mixed", "<platform disconnect>", "no_input", None),
        ("mixed", "<platform disconnect>", "no_match", None),
        ("mixed", "pin_entry", "key", "1"),
        ("mixed", "pin_entry", "speech", "yes"),
        ("pin_check", "menu_less", "case", "1"),
        ("pin_check", "pin_entry", "else", None),
        ("pin_entry", "pin_check", "next", None),
        ("pin_entry", "pin_check", "no_match", None),
        ("pin_entry", "pin_entry", "no_input", None),
        ("press_any", "press_any: end of flow", "next", None),
        ("press_any", "press_any: end of flow", "no_match", None),
        ("press_any", "shared", "no_input", None),
        ("shared", "shared_menu", "next", None),
        ("shared_menu", "shared_menu", "no_input", None),
        ("shared_menu", "shared_menu", "no_match", None),
        ("shared_menu", "speech_only", "key", "1"),
        ("speech_only", "hash_menu", "speech", "agent"),
        ("speech_only", "speech_only", "no_input", None),
        ("speech_only", "speech_only", "no_match", None),
        ("speech_only", "speech_only: end of flow", "key", "/.+/"),
    ]
    assert lines(menu)["press_any: end of flow"] == 595  # the empty keypress transition


def test_gather_notes_explain_shadowed_keys_and_the_finish_key():
    menu = load(HERE / "gathers.json")
    assert menu.nodes["menu_contains"].note == (
        "Studio gather-input-on-call with split 'contains_split'; '1' is matched again by a later "
        "condition of split 'contains_split' (to 'menu_regex'), which Studio never takes"
    )
    # TwiML <Gather> finishOnKey: the finish key ends the input and never arrives in Digits,
    # so a condition on it is a route Studio never takes, and it is not built.
    assert menu.nodes["hash_menu"].note == (
        "Studio gather-input-on-call with split 'hash_split'; '#' is the finish key: Studio ends "
        "the input when it is pressed and never passes it on in Digits, so the condition of "
        "split 'hash_split' on '#' (to 'the end of the flow') never holds"
    )
    assert menu.nodes["hold"].note == (
        "Studio gather-input-on-call whose key press, speech and timeout all go to "
        "'menu_contains': the caller's input does not change the route"
    )
    # a condition that is not a key (greater_than) keeps the split as a branch
    assert menu.nodes["less_split"].cases[1].when == '{{widgets.menu_less.Digits}} greater_than "1"'


def test_a_split_other_widgets_also_reach_stays_a_branch():
    menu = load(HERE / "gathers.json")
    # 'shared' is both the choices of 'shared_menu' and the timeout target of 'press_any'.
    # The menu takes its choices from it; the node 'shared' stands for the other route,
    # where 'shared_menu' never ran, so its Digits are empty and only noMatch is taken.
    assert menu.nodes["shared_menu"].options == {"1": "speech_only"}
    assert [e for e in edges(menu) if e[0] == "shared" or e[1] == "shared"] == [
        ("press_any", "shared", "no_input", None),
        ("shared", "shared_menu", "next", None),
    ]
    assert menu.nodes["shared"].note.startswith(
        "Studio split-based-on 'shared', decided: on every route here, "
        "{{widgets.shared_menu.Digits}} is (never ran: empty)"
    )


def test_a_split_on_another_gathers_digits_is_noted_on_the_ask(corpus):
    menu = load(corpus / "twilio-studio" / "jesperfj__twilio-ivr-studio__ivr.json")
    assert menu.nodes["gather_1"].note == (
        "Studio gather-input-on-call: reads keys; the next split 'split_2' tests the input of "
        "'gather_input', not what is keyed here; Studio passes any input on, so no input is "
        "invalid here"
    )


# -- every other widget -------------------------------------------------------------------------


def test_other_widgets_are_actions_and_transfers_keeping_every_transition():
    menu = load(HERE / "widgets.json")
    assert kinds(menu) == {
        "intro": "say",
        # Run Subflow names flow FW0123..., which is not among the files given: the
        # subflow either returns (completed, failed) or goes where nothing was read.
        "subflow": "branch",
        "subflow (next)": "branch",
        "subflow: flow FW0123456789abcdef0123456789abcdef": "unknown",
        "subflow: end of flow": "hangup",
        "sms": "action",
        "ask_by_sms": "action",
        "ask_by_sms: end of flow": "hangup",
        "ask_by_sms (error)": "branch",
        "payment": "action",
        "stream": "action",
        "recording": "action",
        "bot": "transfer",
        "redirect": "transfer",
        "redirect (fail)": "branch",
        "queue": "transfer",
        "queue (fail)": "branch",
        "voicemail": "voicemail",
        "voicemail (next)": "branch",
        "mystery": "action",
        "mystery: end of flow": "hangup",
        "mystery (next)": "branch",
        "goodbye": "hangup",
    }
    assert edges(menu) == [
        ("ask_by_sms", "ask_by_sms (error)", "error", None),
        ("ask_by_sms", "payment", "next", None),
        ("ask_by_sms (error)", "ask_by_sms: end of flow", "else", None),
        ("ask_by_sms (error)", "redirect", "case", "1"),
        ("bot", "redirect", "fail", None),
        ("intro", "subflow", "next", None),
        ("mystery", "mystery (next)", "next", None),
        ("mystery (next)", "goodbye", "case", "1"),
        ("mystery (next)", "mystery: end of flow", "else", None),
        ("payment", "redirect", "error", None),
        ("payment", "stream", "next", None),
        ("queue", "queue (fail)", "fail", None),
        ("queue (fail)", "mystery", "case", "1"),
        ("queue (fail)", "voicemail", "else", None),
        ("recording", "bot", "error", None),
        ("recording", "bot", "next", None),
        ("redirect", "redirect (fail)", "fail", None),
        ("redirect (fail)", "mystery", "case", "2"),
        ("redirect (fail)", "mystery", "else", None),
        ("redirect (fail)", "queue", "case", "1"),
        ("sms", "ask_by_sms", "error", None),
        ("sms", "ask_by_sms", "next", None),
        ("stream", "recording", "next", None),
        ("subflow", "subflow (next)", "case", "1"),
        ("subflow", "subflow: flow FW0123456789abcdef0123456789abcdef", "else", None),
        ("subflow (next)", "sms", "case", "1"),
        ("subflow (next)", "subflow: end of flow", "else", None),
        ("voicemail", "voicemail (next)", "next", None),
        ("voicemail (next)", "mystery", "case", "1"),
        ("voicemail (next)", "queue", "else", None),
    ]


def test_other_widget_notes_and_targets():
    menu = load(HERE / "widgets.json")
    notes = {node_id: node.note for node_id, node in menu.nodes.items()}
    assert notes["intro"] == "plays the DTMF tones 1234"
    assert notes["subflow"] == "Studio run-subflow: flow FW0123456789abcdef0123456789abcdef"
    assert notes["sms"] == "Studio send-message: Thanks for calling Acme. Your reference is 42."
    assert notes["payment"] == "Studio capture-payments: 10.00 usd"
    assert notes["stream"] == "Studio fork-stream: wss://example.com/audio"
    assert notes["mystery"] == (
        "Studio widget of type 'some-future-widget', which ivraudit does not model: "
        "kept as an action"
    )
    # One of a widget's events fires each time it runs: the last is the branch's else.
    assert notes["ask_by_sms (error)"] == (
        "the 'error' route of Studio widget 'ask_by_sms', by the event that fired "
        "(one always does: the last, 'deliveryFailure', is the else)"
    )
    assert [case.when for case in menu.nodes["redirect (fail)"].cases] == [
        "event return",
        "event timeout",
    ]
    bot, redirect = menu.nodes["bot"], menu.nodes["redirect"]
    assert (bot.target, bot.human) == ("virtual-agent:dialogflow-cx", False)
    assert (redirect.target, redirect.human) == ("twiml:https://example.com/twiml", False)
    assert menu.nodes["queue"].target == "workflow:WW0123456789abcdef0123456789abcdef"
    assert lines(menu)["redirect (fail)"] == lines(menu)["redirect"] == 215


# -- entries, channels, several flows -----------------------------------------------------------


def test_widgets_only_sms_reaches_are_left_out_and_orphans_stay():
    menu = load(HERE / "channels.json")
    assert menu.start == "hello"
    assert kinds(menu) == {
        "sms_log": "action",
        "sms_log: end of flow": "hangup",
        "hello": "say",
        "agent": "transfer",
        "unused": "say",
    }
    assert menu.nodes["agent"].target == "client:alice"
    assert structural(menu) == [
        ("ST002", "unused", 104, "no route from the start reaches 'unused'; 2 more nodes behind it")
    ]


def test_a_subflow_run_by_a_voice_flow_starts_at_its_parent_entry():
    # Studio docs, Subflows: widgets connected to the Subflow trigger run only when the
    # flow is run as a subflow; where it ends, the parent goes on at 'completed'.
    menu = load(HERE / "subflow.json")
    assert (menu.start, kinds(menu)) == (
        "closed",
        {"closed": "say", "closed: end of subflow": "return"},
    )
    assert (menu.role, menu.role_reason) == (
        "reached",
        "Trigger 'Trigger' has no incomingCall; its incomingParent (Subflow) transition starts "
        "it: calls arrive from another flow's Run Subflow widget",
    )


def test_an_incoming_call_is_the_callers_entry():
    menu = load(HERE / "ivr.json")
    assert (menu.role, menu.role_reason) == (
        "entry",
        "Trigger 'Trigger' incomingCall: an incoming call starts here",
    )


def test_a_list_of_flow_resources_gives_one_menu_per_voice_flow():
    menus = load_all(HERE / "resources.json")
    assert [(menu.id, menu.title, menu.start, kinds(menu)) for menu in menus] == [
        ("Main line", "Main line", "greet", {"greet": "hangup"}),
        ("After hours", "After hours", "closed", {"closed": "say", "vm": "voicemail"}),
    ]
    assert menus[1].locate("nodes", "vm").line == 160
    with pytest.raises(MenuError, match="file holds 2 flows"):
        load(HERE / "resources.json")


def test_a_list_of_sms_flows_is_not_a_phone_menu(tmp_path: Path):
    path = tmp_path / "flows.json"
    resource = {
        "friendly_name": "Reminders",
        "definition": json.loads((HERE / "sms-only.json").read_text()),
    }
    path.write_text(json.dumps([resource, resource], indent=2))
    assert refusal(path) == (
        f"{path}:14:13: none of the 2 Studio flows in this file takes phone calls (first: "
        "SMS-only Studio flow: it has no voice entry (the Trigger's incomingCall transition "
        "leads nowhere), so there is no phone menu to audit)"
    )


def test_widget_names_are_matched_exactly():
    text = (
        '{"states": [\n  {"name": "Trigger", "type": "trigger", "transitions": [\n'
        '     {"event": "incomingCall", "next": "hello "}]},\n'
        '  {"name": "hello ", "type": "say-play", "transitions": [\n'
        '     {"event": "audioComplete", "next": " "}], "properties": {"say": "Hi"}}\n'
        '], "initial_state": "Trigger"}'
    )
    menu = loads(text, format="twilio")
    assert (menu.start, kinds(menu)) == ("hello", {"hello": "hangup"})


def test_a_flow_resource_is_named_by_its_friendly_name():
    menu = load(HERE / "resource.json")
    assert (menu.id, menu.title) == ("Main line", "Acme Bank IVR")
    assert edges(menu) == edges(load(HERE / "ivr.json"))
    assert menu.locate("nodes", "main_menu").line == 108


# -- refusals -----------------------------------------------------------------------------------


def test_sms_only_flow_is_not_a_phone_menu():
    assert refusal(HERE / "sms-only.json") == (
        f"{HERE / 'sms-only.json'}:11:9: SMS-only Studio flow: it has no voice entry "
        "(the Trigger's incomingCall transition leads nowhere), so there is no phone menu to audit"
    )


def test_voice_widgets_an_api_execution_starts_are_not_a_callers_line():
    # Studio docs, REST API Executions: incomingRequest starts the flow for an outbound
    # call; the person called is not a caller on a line, so only structural rules run.
    menu = load(HERE / "outbound.json")
    assert (menu.start, menu.role, menu.role_reason) == (
        "call_customer",
        "internal",
        "Trigger 'Trigger' has no incomingCall; its incomingRequest transition starts it: a "
        "REST API execution or a message (such as an outbound call), not a caller's line",
    )


def test_the_first_studio_export_format_is_refused_with_a_way_out():
    assert refusal(HERE / "old-format.json") == (
        f"{HERE / 'old-format.json'}:5:7: Twilio Studio flow in the first Studio export format "
        "(widget type 'InitialState'): ivraudit reads the current flow definition, whose widget "
        "types are 'trigger', 'gather-input-on-call', 'say-play', ... (open the flow in Studio "
        "and copy its JSON again (Trigger widget, Show Flow JSON), or fetch it with the Studio "
        "v2 REST API)"
    )


JS_MESSAGE = (
    "Twilio Studio flow wrapped in a JavaScript module ('module.exports' ...), not flow JSON: "
    "ivraudit reads the bare flow definition; save the object literal that the module exports "
    "as a .json file (JSON.stringify(flow, null, 2) prints it), or copy the flow's JSON from "
    "Studio (Trigger widget, Show Flow JSON)"
)
TFTPL_MESSAGE = (
    "Terraform template (.tftpl) that wraps a Twilio Studio flow in ${jsonencode(...)}, not flow "
    "JSON: ivraudit reads the bare flow definition; render it first (templatefile() in "
    "'terraform console', or the definition of the twilio_studio_flows_v2 resource in "
    "'terraform show -json'), or copy the deployed flow's JSON from Studio (Trigger widget, "
    "Show Flow JSON)"
)


def test_a_flow_in_a_javascript_module_is_a_near_miss():
    assert refusal(HERE / "flow.js") == f"{HERE / 'flow.js'}:1:1: {JS_MESSAGE}"


def test_a_flow_in_a_terraform_template_is_a_near_miss():
    assert refusal(HERE / "flow.tftpl") == f"{HERE / 'flow.tftpl'}:1:1: {TFTPL_MESSAGE}"


def test_a_terraform_configuration_is_named_as_such(tmp_path: Path):
    text = (HERE / "flow.tftpl").read_text().replace("${jsonencode(", "definition = jsonencode(")
    path = tmp_path / "main.tf"
    path.write_text('resource "twilio_studio_flows_v2" "ivr" {\n' + text[:-2] + "\n}\n")
    assert refusal(path).startswith(
        f"{path}:1:1: Terraform configuration that builds a Twilio Studio flow with "
        "jsonencode(...), not flow JSON"
    )


MALFORMED = [
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger"},\n  "welcome"\n], '
        '"initial_state": "Trigger"}',
        "<text>:3:3: widget 2 must be an object with 'name' and 'type'",
        id="widget-not-an-object",
    ),
    pytest.param(
        '{"states": [\n  {"type": "trigger"}\n], "initial_state": "Trigger"}',
        "<text>:2:3: widget 1 has no 'name' (give every widget a name)",
        id="no-name",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger"},\n  {"name": "a", "type": '
        '"say-play"},\n  {"name": "a", "type": "say-play"}\n], "initial_state": "Trigger"}',
        "<text>:4:4: duplicate widget name 'a' (first at line 3) (Studio widget names are "
        "unique; rename one of them)",
        id="duplicate-name",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger"},\n  {"name": "a"}\n], '
        '"initial_state": "Trigger"}',
        "<text>:3:3: widget 'a' has no 'type' (e.g. 'say-play')",
        id="no-type",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger",\n   "transitions": {}}\n], '
        '"initial_state": "Trigger"}',
        "<text>:3:4: 'transitions' of widget 'Trigger' must be a list",
        id="transitions-not-a-list",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger",\n   "transitions": [\n'
        '     {"next": "a"}]}\n], "initial_state": "Trigger"}',
        "<text>:4:6: transition 1 of widget 'Trigger' has no 'event' (e.g. {\"event\": "
        '"audioComplete", "next": "main_menu"})',
        id="no-event",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger",\n   "transitions": [\n'
        '     {"event": "incomingCall", "next": ["a"]}]}\n], "initial_state": "Trigger"}',
        "<text>:4:32: 'next' of the 'incomingCall' transition of widget 'Trigger' must be a "
        "widget name",
        id="next-not-a-name",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger", "transitions": [\n'
        '     {"event": "incomingCall", "next": "s"}]},\n  {"name": "s", "type": '
        '"split-based-on", "transitions": [\n     {"event": "match", "conditions": {}}]}\n'
        '], "initial_state": "Trigger"}',
        "<text>:5:25: 'conditions' of the 'match' transition of widget 's' must be a list of "
        "objects",
        id="conditions-not-a-list",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger",\n   "properties": "none"}\n], '
        '"initial_state": "Trigger"}',
        "<text>:3:4: 'properties' of widget 'Trigger' must be an object",
        id="properties-not-an-object",
    ),
    pytest.param(
        '{"states": [\n  {"name": "hello", "type": "say-play"}\n], "initial_state": "hello"}',
        "<text>:1:2: the flow has no Trigger widget (a widget of type 'trigger') (a Studio "
        "flow starts at its Trigger; export the whole flow from Studio)",
        id="no-trigger",
    ),
    pytest.param(
        '{"description": "x",\n "states": {}, "initial_state": "Trigger"}',
        "<text>:2:2: 'states' must be a list of widgets",
        id="states-not-a-list",
    ),
    pytest.param(
        '{"description": "no states here"}',
        "<text>:1:1: not a Twilio Studio flow: it has no 'states' (expected a flow definition "
        "('states', 'initial_state'), a Flow resource with a 'definition', or a list of Flow "
        "resources)",
        id="not-a-flow",
    ),
    pytest.param(
        '[{"friendly_name": "a", "definition": []}]',
        "<text>:1:25: not a Twilio Studio flow: the flow definition must be an object",
        id="definition-not-an-object",
    ),
    pytest.param(
        '[\n  "flow"\n]',
        "<text>:2:3: item 1 of the list is not a Studio Flow resource (each item needs a "
        "'definition' holding the flow)",
        id="list-item-not-a-resource",
    ),
    pytest.param(
        '{"states": [\n  {"name": "Trigger", "type": "trigger",,}\n]}',
        "<text>:2:41: invalid JSON: Expecting property name enclosed in double quotes",
        id="invalid-json",
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_flows_are_positioned_errors(text, message):
    with pytest.raises(MenuError) as caught:
        loads(text, format="twilio")
    assert not isinstance(caught.value, NotAMenuError)
    assert str(caught.value) == message


def test_a_missing_widget_is_an_st001_finding():
    text = (
        '{"states": [\n  {"name": "Trigger", "type": "trigger", "transitions": [\n'
        '     {"event": "incomingCall", "next": "hello"}]},\n'
        '  {"name": "hello", "type": "say-play", "transitions": [\n'
        '     {"event": "audioComplete", "next": "helo"}], "properties": {"say": "Hi"}}\n'
        '], "initial_state": "Trigger"}'
    )
    menu = loads(text, format="twilio")
    assert structural(menu) == [
        (
            "ST001",
            "hello",
            5,
            "'next' of 'hello' goes to 'helo', which does not exist (did you mean 'hello'?)",
        )
    ]


# -- detection and the command line ---------------------------------------------------------


def test_detected_without_naming_the_format(tmp_path: Path):
    text = (HERE / "ivr.json").read_text()
    copy = tmp_path / "flow.json"
    copy.write_text(text)
    assert load(copy).source_format == "twilio"
    assert loads(text).source_format == "twilio"


def test_check_through_the_cli():
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(HERE / "ivr.json"), "--select", "DE003"])
    assert result.exit_code == 1, result.output
    assert (
        f"{HERE / 'ivr.json'}:54:9: DE003 warning: 'check_hours: end of flow' hangs up"
        in result.output
    )
    refused = runner.invoke(cli, ["check", str(HERE / "sms-only.json")])
    assert refused.exit_code == 2
    assert "SMS-only Studio flow" in refused.output + (refused.stderr or "")


def test_check_a_directory_skips_the_sms_only_flow(tmp_path: Path):
    for name in ("ivr.json", "sms-only.json"):
        (tmp_path / name).write_text((HERE / name).read_text())
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--select", "ST"])
    assert result.exit_code == 0, result.output


def test_input_file_is_not_modified(tmp_path: Path):
    path = tmp_path / "ivr.json"
    path.write_bytes((HERE / "ivr.json").read_bytes())
    before = path.stat().st_mtime_ns, path.read_bytes()
    load(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


# -- the corpus ---------------------------------------------------------------------------------

CORPUS = {
    "creatal__Twilio-Studio-Free-IVR-Online__Twilio_Studio_IVR_Flow_Template_by_"
    "White_Rabbit_Consultancy.json": [(10, 10, 10)],
    "jesperfj__twilio-ivr-studio__ivr.json": [(9, 10, 13)],
    "sheikplastk__twilio-db-test__data_firstPrototype1.js": JS_MESSAGE,
    "sheikplastk__twilio-db-test__data_firstPrototype1.js.extracted.json": [(39, 40, 109)],
    "techmatters__flex-plugins__g2ton.tftpl": TFTPL_MESSAGE,
    "techmatters__flex-plugins__g2ton.tftpl.extracted.json": [(37, 37, 55)],
    "techmatters__flex-plugins__khp_main.tftpl": TFTPL_MESSAGE,
    "techmatters__flex-plugins__khp_main.tftpl.extracted.json": [(44, 44, 77)],
    "twilio-labs__function-templates__assets_studio-flow-template.private.json": (
        "SMS-only Studio flow: it has no voice entry (the Trigger's incomingCall transition "
        "leads nowhere), so there is no phone menu to audit"
    ),
}


def test_corpus_holds_exactly_these_files(corpus):
    assert sorted(path.name for path in (corpus / "twilio-studio").iterdir()) == sorted(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file(corpus, name):
    expected = CORPUS[name]
    path = corpus / "twilio-studio" / name
    if isinstance(expected, str):
        with pytest.raises(NotAMenuError) as caught:
            load_all(path)
        assert caught.value.message == expected
        return
    menus = load_all(path)
    counts = []
    for menu in menus:
        graph = to_graph(menu)
        counts.append((len(menu.nodes), graph.number_of_nodes(), graph.number_of_edges()))
    assert counts == expected


def test_corpus_two_level_demo_by_hand(corpus):
    menu = load(corpus / "twilio-studio" / "jesperfj__twilio-ivr-studio__ivr.json")
    assert kinds(menu) == {
        "gather_input": "menu",
        "gather_1": "ask",
        "gather_2": "ask",
        "split_1": "branch",
        "enqueue_1": "transfer",
        "say_play_1": "hangup",
        "split_2": "branch",
        "want-widget": "hangup",
        "say_play_3": "hangup",
    }
    # split_1 and split_2 stand where gather_2's and gather_1's answers should be checked,
    # but test gather_input's Digits (and nothing reads gather_1's or gather_2's): branches
    # whose cases compare gather_input's answer (MN009).  On the only route to split_2
    # gather_input read '1', so its '2' case and noMatch are not built; on the only route to
    # split_1 it read '2', and '#' is gather_2's finish key: that case stays, never holding.
    assert edges(menu) == [
        ("gather_1", "<platform disconnect>", "no_input", None),
        ("gather_1", "split_2", "next", None),
        ("gather_1", "split_2", "no_match", None),
        ("gather_2", "<platform disconnect>", "no_input", None),
        ("gather_2", "split_1", "next", None),
        ("gather_2", "split_1", "no_match", None),
        ("gather_input", "<platform disconnect>", "no_input", None),
        ("gather_input", "<platform disconnect>", "no_match", None),
        ("gather_input", "gather_1", "key", "1"),
        ("gather_input", "gather_2", "key", "2"),
        # split_1's '#' case never holds, so it is no route: enqueue_1 is unreachable
        ("split_1", "say_play_1", "else", None),
        ("split_2", "want-widget", "case", "1"),
        ("split_2", "want-widget", "else", None),
    ]
    (case,) = menu.nodes["split_1"].cases
    assert (case.input, case.never) == (
        "gather_input",
        "'#' is the finish key of 'gather_2', which callers have just answered: Studio ends "
        "the input when it is pressed and never passes it on in Digits (and on every route "
        "here, {{widgets.gather_input.Digits}} is '2')",
    )
    assert [case.input for case in menu.nodes["split_2"].cases] == ["gather_input"]
    found = [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]
    assert [item for item in found if item[0] in ("MN008", "MN009", "ST002", "DE007")] == [
        ("MN009", "split_1", 162),
        ("MN008", "split_1", 168),
        # enqueue_1, reached by no route, is named by DP003 (one finding for that fault)
        ("MN009", "split_2", 233),
        ("ST002", "say_play_3", 294),
    ]


def test_corpus_card_activation_prototype_by_hand(corpus):
    name = "sheikplastk__twilio-db-test__data_firstPrototype1.js.extracted.json"
    menu = load(corpus / "twilio-studio" / name)
    assert kinds(menu) == {
        "main_menu": "menu",
        "main_menu_speech": "branch",
        "connect_call_to_support": "transfer",
        "main_menu_failed": "menu",
        "list_of_products": "say",
        "products_ending": "menu",
        "products_no_answer": "say",
        "list_of_promos": "say",
        "promo_ending": "menu",
        "promo_ending_speech": "branch",
        "promo_no_answer": "say",
        "card_info_gather": "ask",
        "card_info_4digit_check": "branch",
        "card_info_4digit_check: end of flow": "hangup",
        "card_info_pin_gather": "ask",
        "card_info_pin_check": "branch",
        "check_acc_menu": "menu",
        "check_acc_info: end of flow": "hangup",
        "acc_bal_say": "say",
        "last_trans_say": "say",
        "reward_pts_say": "say",
        "acc_details_end": "menu",
        "become_member_say": "say",
        "become_member_gather": "menu",
        "activate_card_16digit": "ask",
        "activate_card_16digit_voice": "branch",
        "card_expiry_month_activate_gather": "ask",
        "card_expiry_month_split": "branch",
        "card_expiry_year_gather": "ask",
        "card_expiry_year_split": "branch",
        "activate_cvv_gather": "ask",
        "activate_cvv_split": "branch",
        "activate_cvv_split: end of flow": "hangup",
        "activate_year_birth_gather": "ask",
        "activate_year_birth_split": "branch",
        "activation_final_gather": "menu",
        "call_say": "say",
        "function_1": "action",
        "connect_call_1": "transfer",
    }
    main = menu.nodes["main_menu"]
    assert main.options == {
        "1": "list_of_products",
        "2": "list_of_promos",
        "3": "card_info_gather",
        "4": "become_member_say",
        "5": "activate_card_16digit",
        "9": "main_menu",
        "0": "call_say",
        "6": "function_1",
    }
    # the speech split tests {{become}}, which no Studio namespace holds (empty text in
    # Liquid), not the caller's speech: every spoken answer takes its noMatch to
    # main_menu_failed; its seven cases stay, never holding: one MN008 for the one fault
    assert main.speech == {"/.+/": "main_menu_speech"}
    speech = menu.nodes["main_menu_speech"]
    assert speech.else_ == "main_menu_failed"
    assert len(speech.cases) == 7 and all(case.never for case in speech.cases)
    found = [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]
    assert [item for item in found if item[0] == "MN008"] == [("MN008", "main_menu_speech", 190)]
    assert (main.no_input, main.no_match) == ("main_menu", "main_menu_failed")
    # "enter the last 4 digits of your card", checked against 1212: an ask, not a menu
    assert menu.nodes["card_info_gather"].next == "card_info_4digit_check"
    assert lines(menu)["connect_call_to_support"] == 305
    assert structural(menu) == [
        (
            "ST002",
            "connect_call_to_support",
            305,
            "no route from the start reaches 'connect_call_to_support'",
        )
    ]


# -- nothing escapes ----------------------------------------------------------------------------

SEEDS = sorted(path for path in HERE.iterdir() if path.suffix in (".json", ".js", ".tftpl"))


def _mutate(text: str, seed: int, noise: str) -> str:
    rng = random.Random(seed)
    lines_ = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        if not lines_:
            break
        at = rng.randrange(len(lines_))
        action = rng.randrange(5)
        if action == 0:
            del lines_[at]
        elif action == 1:
            lines_.insert(at, lines_[at])
        elif action == 2:
            line = lines_[at]
            cut = rng.randrange(len(line) + 1)
            lines_[at] = line[:cut] + noise + line[cut:]
        elif action == 3:
            line = lines_[at]
            cut = rng.randrange(len(line) + 1)
            lines_[at] = line[:cut] + line[cut + rng.randint(1, 3) :]
        else:
            lines_[at] = lines_[at].replace('"', "", 1)
    return "".join(lines_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEEDS) - 1), st.integers(0, 2**32), st.text(max_size=40))
def test_mutated_fixtures_end_in_a_menu_or_a_menu_error(which, seed, noise):
    text = _mutate(SEEDS[which].read_text(), seed, noise)
    with contextlib.suppress(MenuError):
        for menu in load_all(text if text.strip() else "{}", "twilio"):
            to_graph(menu)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_ends_in_a_menu_or_a_menu_error(text):
    with contextlib.suppress(MenuError):
        loads(text, format="twilio")


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(max_size=8),
    st.just("{{widgets.main_menu.Digits}}"),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["event", "next", "type", "value"]), st.text(max_size=4)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.lists(VALUES, min_size=1, max_size=4))
def test_flows_with_values_of_any_type_end_in_a_menu_or_a_menu_error(seed, replacements):
    flow = json.loads((HERE / "ivr.json").read_text())
    rng = random.Random(seed)
    for value in replacements:
        places = list(_places(flow))
        container, key = places[rng.randrange(len(places))]
        container[key] = value
    with contextlib.suppress(MenuError):
        loads(json.dumps(flow, indent=2), format="twilio")


def _places(value):
    stack = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in pairs:
            yield item, key
            if isinstance(child, (dict, list)):
                stack.append(child)


# -- send-to-flex, decided splits, subflows in the estate ---------------------------------------


def test_send_to_flex_holds_the_caller_in_its_queue():
    # Studio docs, Send to Flex widget: for an incoming call it enqueues the call and the
    # caller hears hold music until an agent answers; failedToEnqueue and callFailure are
    # technical errors, not busy or no answer, so no fallback is owed (no DE007).
    menu = load(HERE / "flex.json")
    agents = menu.nodes["to_agents"]
    assert isinstance(agents, TransferNode)
    assert (agents.target, agents.human, agents.waits_in_queue, agents.fail) == (
        "flex:WW0123456789abcdef0123456789abcdef",
        True,
        True,
        None,
    )
    assert [f.rule for f in ivraudit.audit(menu).findings] == []


def test_enqueue_call_holds_the_caller_until_dequeued():
    # Studio docs, Enqueue Call widget: "The caller will hear hold music until the call is
    # dequeued via TaskRouter or a custom-built dequeuing mechanism": busy and no answer
    # never come back; its failure events still go where the flow sends them.
    menu = load(HERE / "ivr.json")
    queue = menu.nodes["support_queue"]
    assert isinstance(queue, TransferNode)
    assert (queue.waits_in_queue, queue.fail) == (True, "closed_message")
    assert queue.note is not None and "until the call is dequeued" in queue.note


def test_a_split_on_another_gathers_digits_is_decided_by_the_route():
    # Studio docs, Split Based On...: first match, else noMatch.  'which_team' stands where
    # the ticket number should be checked (the ticket gather's keypress goes straight to it,
    # and nothing reads the ticket's Digits) but tests the main menu's Digits: its cases
    # compare main's answer (MN009).  On every route there main's Digits are '1' or '2', so
    # noMatch never runs; the '#' case compares with the finish key of the ticket gather
    # just answered (TwiML <Gather> finishOnKey: never in Digits): it stays, never holding
    # (MN008).  '{{choice}}' names no Studio variable (Get Started, Liquid variables: flow,
    # widgets, trigger, contact): empty text, so 'unset_split' always takes its noMatch, and
    # its case stays, never holding (MN008).  'account_split' checks the account gather's own
    # Digits: its '#' case never holds either.
    menu = load(HERE / "decided.json")
    assert kinds(menu)["which_team"] == "branch"
    assert kinds(menu)["unset_split"] == "branch"
    assert [
        edge for edge in edges(menu) if edge[0] in ("which_team", "unset_split", "account_split")
    ] == [
        ("account_split", "agent", "else", None),
        ("account_split", "sales", "case", "1"),
        ("unset_split", "account", "else", None),
        ("which_team", "sales", "case", "1"),
        ("which_team", "support", "case", "2"),
        ("which_team", "support", "else", None),
    ]
    assert [case.input for case in menu.nodes["which_team"].cases] == ["main"] * 3
    assert [case.input for case in menu.nodes["account_split"].cases] == [None, None]
    assert menu.nodes["unset_split"].note == (
        "Studio split-based-on; Studio split-based-on 'unset_split', decided: {{choice}} names "
        "no Studio variable (Studio's Liquid variables are flow.*, widgets.*, trigger.* and "
        "contact.*), so it renders as empty text; it takes noMatch (to 'account'), never "
        "'{{choice}} equal_to \"1\"' (to 'sales')"
    )
    found = [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]
    assert [item for item in found if item[0] in ("MN008", "MN009", "ST002")] == [
        ("MN009", "which_team", 57),
        # 'never' (line 98), which only this never-holding case leads to, is this fault's:
        # ST002 does not tell it again.
        ("MN008", "which_team", 68),
        ("MN008", "unset_split", 111),
        ("MN008", "account_split", 139),
    ]
    assert [f.message for f in ivraudit.audit(menu).findings if f.node == "account_split"] == [
        "case 2 of 'account_split' ({{widgets.account.Digits}} equal_to \"#\") can never hold: "
        "'#' is the finish key of 'account': Studio ends the input when it is pressed and never "
        "passes it on in Digits"
    ]


ESTATE = HERE / "estate"


def test_a_run_subflow_resolves_through_the_flow_sid_in_the_estate():
    # Studio docs, Run Subflow widget: 'flow_sid' names the flow to run.  verify.json is a
    # Flow resource carrying that sid: checked together, the subflow is inlined from its
    # incomingParent entry, and its real fault is found: a wrong key at 'confirm' goes back
    # to it through the split's noMatch with no counter (DE008).  Silence at 'confirm'
    # (an empty Timeout) ends the subflow: 'Completed' takes the caller on to 'agent', so
    # no DE004.
    result = check([ESTATE])
    found = {(Path(f.file).name, f.rule, f.line) for f in result.report.findings}
    assert found == {("verify.json", "DE008", 37)}
    parent = load(ESTATE / "parent.json", estate=Estate.of(sorted(ESTATE.glob("*.json"))))
    assert kinds(parent)["run_verify"] == "subflow"
    verify = parent.subflows["FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
    assert (verify.id, verify.start, verify.role) == ("Verify caller", "confirm", "reached")
    assert kinds(verify)["confirm_split: end of subflow"] == "return"
    assert verify.nodes["confirm"].no_input == "confirm: end of subflow"
    assert ("run_verify/confirm: end of subflow", "agent", "return", None) in edges(parent)


def test_a_run_subflow_whose_flow_is_not_given_is_unknown(tmp_path: Path):
    alone = tmp_path / "parent.json"
    alone.write_bytes((ESTATE / "parent.json").read_bytes())
    menu = load(alone)
    unknown = menu.nodes["run_verify: flow FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
    assert (unknown.type, unknown.reason, unknown.target) == (
        "unknown",
        "not-given",
        "FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    )
    assert check([tmp_path]).report.findings == []


def test_a_retry_counter_around_a_menu_is_its_retries():
    # Studio docs, Set Variables widget ("you can use variables to increment counters") and
    # Split Based On... (Less Than): 'set_retry' adds 1 to flow.variables.retry on main's
    # invalid key and silence, 'split_retry' re-prompts through 'invalid' while it is less
    # than 3, else says goodbye.  That is main's retries: 2, then retries_exhausted.
    menu = load(HERE / "retries.json")
    main = menu.nodes["main"]
    assert isinstance(main, MenuNode)
    assert (main.no_match, main.no_input, main.retries, main.retries_exhausted) == (
        "invalid",
        "invalid",
        2,
        "goodbye",
    )
    assert "set_retry" not in menu.nodes and "split_retry" not in menu.nodes
    assert main.note == (
        "Studio gather-input-on-call with split 'main_split'; errors counted by hand: Set "
        "Variables 'set_retry' adds 1 to flow.variables.retry, split 'split_retry' re-prompts "
        "while it is less than 3, so 2 retries"
    )
    # billing's counter also counts a failed payment, so it is not billing's retries: the
    # counter and its split stay widgets.
    assert kinds(menu)["billing_retry"] == "action"
    assert kinds(menu)["billing_split_retry"] == "branch"
    assert menu.nodes["billing"].retries is None
    # the goodbye after the last try is retries exhausted (DE005), at split_retry's noMatch
    found = [(f.rule, f.line, f.message) for f in ivraudit.audit(menu).findings]
    assert found == [
        (
            "DE005",
            56,
            "when the caller runs out of retries at 'main', the call ends at hangup 'goodbye' "
            "instead of reaching a person",
        )
    ]


def test_a_split_on_the_number_dialled_does_not_end_calls_to_numbers_it_names():
    # Studio docs, Trigger (Start) widget, Trigger Variables: trigger.call.To is the number
    # called; the numbers whose Voice configuration names the flow are set on the numbers.
    # An empty noMatch of a split on it runs only for a number the flow does not name: an
    # unknown, never a finding.  An empty noMatch on anything else still ends the flow.
    menu = load(HERE / "dialled.json")
    assert kinds(menu)["by_line: another number"] == "unknown"
    assert kinds(menu)["billing: end of flow"] == "hangup"
    assert [edge for edge in edges(menu) if edge[0] == "by_line"] == [
        ("by_line", "by_line: another number", "else", None),
        ("by_line", "english", "case", "1"),
        ("by_line", "french", "case", "2"),
    ]
    unknown = menu.nodes["by_line: another number"]
    assert (unknown.reason, unknown.target) == ("not-given", "{{trigger.call.To}}")
    assert lines(menu)["by_line: another number"] == 16
    found = [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]
    assert found == [("DE003", "billing: end of flow", 54)]


def test_corpus_lines_picked_by_the_number_dialled(corpus):
    # g2ton routes on trigger.call.To (l.32 split_keys_lang: en/tr/fr numbers; l.692
    # split_Inflight: en/tr numbers): their empty noMatch is no caller's route.
    path = corpus / "twilio-studio" / "techmatters__flex-plugins__g2ton.tftpl.extracted.json"
    menu = load(path)
    found = {node: kind for node, kind in kinds(menu).items() if kind == "unknown"}
    assert found == {
        "run_subflow_system_down: flow ${system_down_studio_subflow_sid}": "unknown",
        "split_keys_lang: another number": "unknown",
        "split_Inflight: another number": "unknown",
    }
    lines_found = {(f.rule, f.line) for f in ivraudit.audit(menu).findings}
    assert not lines_found & {("DE003", 36), ("DE003", 695)}


def test_a_split_on_a_name_studio_never_defines_never_matches():
    # Studio docs, Get Started (Liquid variables): values live under flow, widgets, trigger
    # and contact; '{{choice}}' is none of them and renders empty, so neither case of
    # 'said_split' holds: one MN008 for the split (one fault), at the widget.  'said_ok',
    # the same split on the gather's own SpeechResult, is the menu's speech: no finding.
    menu = load(HERE / "unset.json")
    assert kinds(menu)["said_split"] == "branch"
    assert menu.nodes["main"].speech == {"/.+/": "said_split"}
    assert menu.nodes["main_ok"].speech == {"1": "sales", "2": "support"}
    # Both gathers' timeout and noMatch go back to them with no counter (DE008).
    endless = (
        "when the caller says nothing or presses an invalid key at '{}', it asks again with no "
        "limit: a caller who cannot answer hears it until they hang up"
    )
    assert [(f.rule, f.node, f.line, f.message) for f in ivraudit.audit(menu).findings] == [
        ("DE008", "main", 16, endless.format("main")),
        (
            "MN008",
            "said_split",
            34,
            "cases 1, 2 of 'said_split' ({{choice}} equal_to \"1\", ...) can never hold: "
            "{{choice}} names no Studio variable (Studio's Liquid variables are flow.*, "
            "widgets.*, trigger.* and contact.*), so it renders as empty text",
        ),
        ("DE008", "main_ok", 66, endless.format("main_ok")),
    ]
    # a Liquid literal is not a variable nobody set: '{{true}}' renders "true"
    text = (HERE / "unset.json").read_text().replace("{{choice}}", "{{true}}")
    (literal,) = load_all(text, "twilio")
    assert [f.rule for f in ivraudit.audit(literal).findings] == ["DE008", "DE008"]
