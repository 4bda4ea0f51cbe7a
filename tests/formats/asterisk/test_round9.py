"""Asterisk, round 9: retry counters built by hand are the retries of the wait they
count for -- a question's (Read() of several digits) as well as a menu's, a counter
tested after its retry message, a counter inside the subroutine the error route calls,
and a count written without the $ of an expression (fixtures under fixtures/round9/,
citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round9"


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, int, str]]:
    report = check([str(path)], skip_non_menus=True).report
    return [(f.rule, f.line, f.message) for f in report.findings]


def test_a_questions_two_counters_are_its_retries_and_their_exit_a_caller_error_exit():
    path = HERE / "question_counters.conf"
    (menu,) = load_all(path)
    ask = fields(menu, "from-pstn,s,ask")
    # The empty answer (LEN = 0) is silence, what no case accepts a wrong answer; the
    # counters' failing arm is where the retries end.
    assert (ask["no_input"], ask["no_match"], ask["retries"], ask["retries_exhausted"]) == (
        "from-pstn,s,silent",
        "from-pstn,s,retry",
        2,
        "from-pstn,goodbye,1",
    )
    # The branch that checks the answer goes back to the question; no counter test is left.
    assert fields(menu, "from-pstn,s,5") == {
        "type": "branch",
        "cases": [
            {"when": "$[${LEN(${ACCOUNT})} = 0]", "next": "from-pstn,s,silent"},
            {"when": "$[${LEN(${ACCOUNT})} = 6]", "next": "from-pstn,s,found"},
        ],
        "else": "from-pstn,s,retry",
    }
    # Counted after its message: the message still plays, then the question again.
    assert fields(menu, "from-pstn,s,silent") == {
        "type": "say",
        "play": "please-try-again",
        "next": "from-pstn,s,ask",
    }
    assert findings(path) == [
        (
            "DE005",
            12,
            "when the caller runs out of retries at 'from-pstn,s,ask', the call ends at "
            "hangup 'from-pstn,goodbye,1' instead of reaching a person",
        ),
        (
            "ID002",
            22,
            "human transfer 'from-pstn,s,found' does not pass account number, collected "
            "before it on some routes: the agent will ask again (field inferred from the "
            "prompt or variable name)",
        ),
    ]


def test_a_counter_in_the_subroutine_the_error_route_calls_is_the_menus_retries():
    path = HERE / "subroutine_counter.conf"
    (menu,) = load_all(path)
    main = fields(menu, "from-pstn,s,menu")
    assert (main["no_input"], main["no_match"], main["retries"]) == (
        "from-pstn,s,silent",
        "from-pstn,s,wrong",
        2,
    )
    # The subroutine's exit (goodbye, hang up) is the menu's retries_exhausted, named as
    # the graph names a subroutine's node at its call.
    assert main["retries_exhausted"] == "from-pstn,s,wrong/count-errors,s,goodbye"
    assert fields(menu, "from-pstn,s,wrong/count-errors,s,goodbye") == {
        "type": "hangup",
        "play": "vm-goodbye",
    }
    # The calls run the subroutine from after the count: its message, then Return().
    after = "gosub count-errors,s,1 after the retry count"
    assert fields(menu, "from-pstn,s,wrong")["menu"] == after
    assert fields(menu, "from-pstn,s,silent")["menu"] == after
    assert sorted(menu._subflows[after].nodes) == ["count-errors,s,3", "count-errors,s,4"]
    assert findings(path) == [
        (
            "DE005",
            12,
            "when the caller runs out of retries at 'from-pstn,s,menu', the call ends at "
            "hangup 'from-pstn,s,wrong/count-errors,s,goodbye' instead of reaching a person",
        ),
    ]


def test_a_count_without_the_dollar_counts_only_from_a_number():
    path = HERE / "bracket_counter.conf"
    orders, returns = load_all(path)
    # Reset to 0: "[0+1]" sums to 1, the third wrong key runs the count out.
    assert fields(orders, "orders,s,ask")["retries"] == 2
    assert fields(orders, "orders,s,ask")["retries_exhausted"] == "orders,bye,1"
    # Never set: "+1" is no sum; the test stays a branch whose outcome is not decided.
    assert "retries_exhausted" not in fields(returns, "returns,s,ask")
    assert fields(returns, "returns,s,wrong") == {
        "type": "branch",
        "cases": [{"when": "$[${MISSES} < 3]", "next": "returns,s,retry"}],
        "else": "returns,bye,1",
    }
    assert [(rule, line) for rule, line, _ in findings(path)] == [
        ("DE005", 12),
        ("MN002", 12),
        ("MN002", 25),
    ]
