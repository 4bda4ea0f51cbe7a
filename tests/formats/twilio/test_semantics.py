"""Twilio Studio semantics read the way Studio runs them: queue events, routes into splits.

Each fixture cites the section of the Studio docs it follows in its ``description``.
"""

from __future__ import annotations

from pathlib import Path

import ivraudit
from ivraudit import load
from ivraudit.analysis.context import AuditContext
from ivraudit.model.menu import BranchNode
from tests.conftest import edges

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
