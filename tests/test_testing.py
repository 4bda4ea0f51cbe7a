"""ivraudit.testing: the pytest helper fails with the findings, not its own source."""

from __future__ import annotations

import pytest

from ivraudit.testing import assert_menus_clean
from tests.conftest import MENUS

pytest_plugins = ["pytester"]


def test_clean_menus_pass_and_return_the_report():
    report = assert_menus_clean(MENUS / "bank.yaml", MENUS / "clinic.yaml")
    assert report.findings == []


def test_a_failure_shows_the_findings_at_the_callers_line(pytester: pytest.Pytester):
    # Issue 16, problem 14: a failing assert_menus_clean dumped the helper's whole source.
    pytester.makepyfile(
        test_menus=f"""
        from ivraudit.testing import assert_menus_clean

        def test_menus():
            assert_menus_clean({str(MENUS / "telecom-bad.yaml")!r}, select=["ST002"])
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert ">       assert_menus_clean(" in output
    assert "E       AssertionError: 1 finding(s) at or above warning:" in output
    assert "ST002 no route from the start reaches 'old_promo'" in output
    assert "E       1 finding (0 errors, 1 warning, 0 info) in 1 file." in output
    # Nothing of the helper's body.
    assert "__tracebackhide__" not in output
    assert "check_menus(" not in output
    assert "ivraudit/testing.py" not in output
