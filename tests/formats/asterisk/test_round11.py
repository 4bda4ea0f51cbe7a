"""Round 11: what a subroutine returns, decided at the caller (fixtures/round11)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ivraudit import load
from ivraudit.cli import main

HERE = Path(__file__).resolve().parent / "fixtures" / "round11"


def test_constant_returns_decide_the_callers_branch_and_the_witness_returns_what_it_tests():
    path = HERE / "returns.conf"
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1, result.output
    found = [line for line in result.output.splitlines() if line.startswith(str(path))]
    # pick-size returns only 1 or 2: the Goto into a context that does not exist (line 23)
    # is not a route, so no ST001 there.
    assert [line.split(": ")[1].split()[0] + " " + line.split(":")[1] for line in found] == [
        "DE005 16",
        "MN002 16",
    ]
    # The witness returns 1111 from the way that returns 1111 (line 40), never from
    # Return(2222) with the caller then going on as if it were 1111.
    assert "    3. lockers,s,2:returns 1111/find-locker,s,2" in result.output
    assert "    6. lockers,s,2:returns 1111/find-locker,s,10: -> the subflow returns" in (
        result.output
    )
    assert "find-locker,s,6" not in result.output


def test_each_value_returned_has_its_copy_of_the_subroutine():
    menu = load(HERE / "returns.conf")
    assert sorted(menu.subflows) == [
        "gosub find-locker,s,1 with ARG1=2 returning 1111",
        "gosub find-locker,s,1 with ARG1=2 returning 2222",
        "gosub pick-size,s,1",
    ]
    # The copy for 1111 keeps only the ways that return 1111 or leave otherwise: the
    # Playback before Return(2222) is not in it.  A LOCAL set from ${ARG1} is unknown after
    # AGI() (SET VARIABLE sets any channel variable), so Return(2222) stays possible.
    ones = menu.subflows["gosub find-locker,s,1 with ARG1=2 returning 1111"]
    twos = menu.subflows["gosub find-locker,s,1 with ARG1=2 returning 2222"]
    assert "find-locker,s,10" in ones.nodes and "find-locker,s,6" not in ones.nodes
    assert "find-locker,s,6" in twos.nodes and "find-locker,s,10" not in twos.nodes
    assert {"find-locker,s,closed"} <= set(ones.nodes) & set(twos.nodes)
    # pick-size returns 1 or 2 from the caller's keys: no copy (that would drop keys of
    # its Read), but the caller's branch keeps only the arms of 1 and 2.
    call = menu.nodes["lockers,s,open"]
    assert call.type == "subflow" and call.next == "lockers,s,12:returned"
    kept = menu.nodes[call.next]
    assert [case.next for case in kept.cases] == ["lockers,s,small"]
    assert kept.else_ == "lockers,s,large"
