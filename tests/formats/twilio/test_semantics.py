"""Twilio Studio semantics read the way Studio runs them: queue events, routes into splits.

Each fixture cites the section of the Studio docs it follows in its ``description``.
"""

from __future__ import annotations

from pathlib import Path

import ivraudit
from ivraudit import load
from ivraudit.analysis.context import AuditContext
from ivraudit.formats.twilio import copies
from ivraudit.model.menu import BranchNode
from tests.conftest import edges, lines

HERE = Path(__file__).resolve().parent / "fixtures"


def _findings(menu):
    return [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]


# -- queue and recording events -----------------------------------------------------------------


def test_queue_and_recording_events_each_go_where_the_flow_sends_them():
    # Studio docs, Send to Flex / Enqueue Call, Transitions: one of Task Created
    # (callComplete), Failed to Enqueue and Call Failure always fires; Record Voicemail:
    # Recording Complete, No Audio or User Hangup.  Two events to two widgets are a branch
    # whose last event is the else (no silence); an empty failure beside a handled one ends
    # the flow; callComplete (after the agent's call) is no failure case.
    menu = load(HERE / "queue_events.json")
    assert [e for e in edges(menu) if e[0] not in ("main", "oops")] == [
        ("backup", "vm", "fail", None),
        ("enqueue_backup", "enqueue_backup (fail)", "fail", None),
        ("enqueue_backup (fail)", "backup", "else", None),
        ("enqueue_backup (fail)", "enqueue_backup: end of flow", "case", "1"),
        ("flex_survey", "survey", "fail", None),
        ("flex_vm", "flex_vm (fail)", "fail", None),
        ("flex_vm (fail)", "oops", "else", None),
        ("flex_vm (fail)", "vm", "case", "1"),
        ("messages", "messages (next)", "next", None),
        ("messages (next)", "nothing", "else", None),
        ("messages (next)", "thanks", "case", "1"),
    ]
    branch = menu.nodes["flex_vm (fail)"]
    assert isinstance(branch, BranchNode)
    assert [case.when for case in branch.cases] == [
        "event failedToEnqueue (the call could not be queued)"
    ]
    assert branch.note == (
        "the 'fail' route of Studio widget 'flex_vm', by the event that fired "
        "(one always does: the last, 'callFailure', is the else)"
    )
    assert menu.nodes["flex_plain"].fail is None  # nothing handled: no fallback is owed
    assert _findings(menu) == []


def test_the_call_leaving_a_queue_is_not_told_as_a_failure():
    # The survey after the agent's call is reached through callComplete (Task Created).
    menu = load(HERE / "queue_events.json")
    steps = AuditContext(menu).witness("survey")
    assert [(step.node, step.does) for step in steps] == [
        ("main", "presses 2"),
        ("flex_survey", "the call comes back from the queue (an error, or after the agent's call)"),
        ("survey", "hangs up (reason completed, read from the prompt)"),
    ]


# -- a split on another gather's Digits, read per route ------------------------------------------


def test_a_split_reached_by_two_routes_is_one_node_per_route():
    # Studio docs, Gather Input On Call: Digits is what the caller keyed the last time the
    # gather ran.  'route_by_choice' tests main's Digits; callers reach it after pressing 1
    # (through 'sales_menu') or 2 (through 'support_intro'), so each route has its own copy
    # keeping only the case that key satisfies.  Case "1" leads nowhere: the flow ends.
    menu = load(HERE / "route_exact.json")
    assert [e for e in edges(menu) if "route_by_choice" in e[0] + e[1]] == [
        ("route_by_choice (main 1)", "route_by_choice: end of flow", "next", None),
        ("route_by_choice (main 2)", "support_call", "next", None),
        ("sales_menu", "route_by_choice (main 1)", "key", "1"),
        ("sales_menu", "route_by_choice (main 1)", "key", "2"),
        ("support_intro", "route_by_choice (main 2)", "next", None),
    ]
    assert lines(menu)["route_by_choice (main 1)"] == lines(menu)["route_by_choice (main 2)"]
    assert _findings(menu) == [
        ("DE003", "route_by_choice: end of flow", 196),
        ("ST002", "sales_call", 228),
    ]
    (ended,) = [f for f in ivraudit.audit(menu).findings if f.rule == "DE003"]
    assert [(step.node, step.does) for step in ended.witness] == [
        ("main", "presses 1"),
        ("sales_menu", "presses 1"),
        ("route_by_choice (main 1)", None),
        ("route_by_choice: end of flow", "hangs up"),
    ]


def test_the_same_flow_with_every_case_connected_is_clean_and_its_metrics_follow_routes():
    menu = load(HERE / "route_exact_ok.json")
    assert _findings(menu) == []
    assert [(o.node, o.presses, o.route) for o in ivraudit.metrics(menu).outcomes] == [
        ("op", 0, ("(silence)",)),
        ("vm", 0, ("(silence)", "(fails)")),
        ("support_call", 1, ("2",)),
        ("sales_call", 2, ("1", "1")),
    ]


def test_a_split_on_a_gather_that_never_ran_on_one_route():
    # 'check' tests acct_menu's Digits.  Pressing 2 at main reaches it where acct_menu never
    # ran (empty text: noMatch); through 'hold' it reads what acct_menu got, 1 or 2.  'hold'
    # is copied per key so that each route reaches the copy of 'check' its key decides.
    menu = load(HERE / "never_ran.json")
    assert [e for e in edges(menu) if "check" in e[0] + e[1] or "hold" in e[0] + e[1]] == [
        ("acct_menu", "hold (acct_menu 1)", "key", "1"),
        ("acct_menu", "hold (acct_menu 2)", "key", "2"),
        ("check (acct_menu 1 or never ran)", "support_call", "next", None),
        ("check (acct_menu 2)", "payments_call", "next", None),
        ("hold (acct_menu 1)", "check (acct_menu 1 or never ran)", "next", None),
        ("hold (acct_menu 2)", "check (acct_menu 2)", "next", None),
        ("main", "check (acct_menu 1 or never ran)", "key", "2"),
    ]
    assert _findings(menu) == []


def test_past_the_cap_routes_are_read_together_and_the_split_says_so(monkeypatch):
    monkeypatch.setattr(copies, "MAX_COPIES", 0)
    menu = load(HERE / "route_exact.json")
    assert [e for e in edges(menu) if e[0] == "route_by_choice"] == [
        ("route_by_choice", "route_by_choice: end of flow", "case", "1"),
        ("route_by_choice", "support_call", "else", None),
    ]
    assert menu.nodes["route_by_choice"].note.endswith(
        "; the routes into it are not told apart (that would take more than 2000 routes "
        "walked or 0 copies of widgets): its cases are those of every route together"
    )


# -- conditions that need the finish key --------------------------------------------------------


def test_a_key_or_literal_regex_holding_the_finish_key_is_never_an_option():
    # TwiML <Gather> finishOnKey: '#' ends the input and never arrives in Digits, so
    # equal_to "1#" and regex "^#$" never hold; regex "^[0-9]$" (not a literal) stays.
    menu = load(HERE / "finish_key.json")
    assert menu.nodes["main"].options == {"1": "sales_call", "/^[0-9]$/": "op", "0": "op"}
    assert menu.nodes["main"].note == (
        "Studio gather-input-on-call with split 'split_main'; '1#' needs the finish key '#': "
        "Studio ends the input when it is pressed and never passes it on in Digits, so the "
        "condition of split 'split_main' on '1#' (to 'agent_call') never holds; '/^#$/' needs "
        "the finish key '#': Studio ends the input when it is pressed and never passes it on "
        "in Digits, so the condition of split 'split_main' on '/^#$/' (to 'agent_call') never "
        "holds"
    )
    # The prompt offers pound for an agent, which never works: the agent is unreachable.
    assert _findings(menu) == [("MN003", "main", 21), ("ST002", "agent_call", 148)]
