"""Split conditions no route into the split can meet are reported (MN008), also when the
route decides the split (issue 14, "an option that can never be chosen ... a branch
condition that is constantly false").

Studio docs, *Split Based On...*: the split tests its transitions' conditions in order
and takes the first that matches, else *No Condition Matches*; *Gather Input On Call*:
``{{widgets.X.Digits}}`` is what the caller keyed the last time gather X ran, empty text
if it never ran.  Each fixture cites them in its ``description``.
"""

from __future__ import annotations

from pathlib import Path

import ivraudit
from ivraudit import load
from ivraudit.model.menu import BranchNode
from tests.conftest import edges

HERE = Path(__file__).resolve().parent / "fixtures"


def _findings(menu):
    return [(f.rule, f.node, f.line) for f in ivraudit.audit(menu).findings]


def test_a_condition_no_route_into_a_copied_split_meets_is_reported_once():
    # 'route' is reached after key 1 or key 2 only (key 3 goes straight to billing): one
    # copy per key.  Neither copy can take 'matches_any_of 3, 4'; 'starts_with 1' never runs
    # ('equal_to 1' takes '1' first).  Each is one finding at its transition, whatever copy
    # (and case number) it is met in; 'callback_note', which only the never-holding
    # 'starts_with 1' leads to, is that fault's (MN008 over ST002).  'equal_to 1' holds on
    # key 1's route: the copy for key 2 never taking it makes it no finding.
    menu = load(HERE / "later_split_never.json")
    assert [e for e in edges(menu) if e[0].startswith("route")] == [
        ("route (main 1)", "sales_call", "case", "1"),
        ("route (main 1)", "sales_call", "else", None),
        ("route (main 2)", "support_call", "else", None),
    ]
    for node_id in ("route (main 1)", "route (main 2)"):
        branch = menu.nodes[node_id]
        assert isinstance(branch, BranchNode)
    assert [case.when for case in menu.nodes["route (main 2)"].cases] == [
        '{{widgets.main.Digits}} matches_any_of "3, 4"',
        '{{widgets.main.Digits}} starts_with "1"',
    ]
    assert _findings(menu) == [
        ("MN008", "route (main 1)", 151),
        ("MN008", "route (main 1)", 165),
        ("DE007", "op", 246),
    ]
    assert [f.message for f in ivraudit.audit(menu).findings if f.rule == "MN008"] == [
        "case 2 of 'route (main 1)' ({{widgets.main.Digits}} matches_any_of \"3, 4\") can "
        "never hold: on every route here, {{widgets.main.Digits}} is '1' or '2', and "
        'matches_any_of "3, 4" does not hold for any of them',
        "case 3 of 'route (main 1)' ({{widgets.main.Digits}} starts_with \"1\") can never "
        "hold: on every route here, {{widgets.main.Digits}} is '1' or '2', and an earlier "
        "transition takes '1' first",
    ]


def test_the_same_flow_where_every_condition_can_hold_has_no_finding():
    # Key 3 goes through 'intro' too, and the menu's 'starts_with 1' lets '12' through: each
    # transition of 'route' is taken on some route.
    menu = load(HERE / "later_split_holds.json")
    assert _findings(menu) == [("DE007", "op", 246)]


def test_a_split_on_a_gather_that_never_ran_on_any_route():
    # 'check' tests acct_menu's Digits but is reached only by key 2 at main, before
    # acct_menu runs: empty text, so 'equal_to 1' never holds and 'check' goes on to
    # 'support_call'.  (never_ran.json reaches it after acct_menu too: no finding there.)
    menu = load(HERE / "never_ran_only.json")
    assert [e for e in edges(menu) if e[0] == "check"] == [("check", "support_call", "else", None)]
    assert _findings(menu) == [("MN008", "check", 173), ("DE007", "op", 236)]
    (never,) = [f.message for f in ivraudit.audit(menu).findings if f.rule == "MN008"]
    assert never == (
        "case 1 of 'check' ({{widgets.acct_menu.Digits}} equal_to \"1\") can never hold: on "
        "every route here, {{widgets.acct_menu.Digits}} is (never ran: empty), and "
        'equal_to "1" does not hold for it'
    )
    assert _findings(load(HERE / "never_ran.json")) == []
