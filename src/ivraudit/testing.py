"""Assert in your own test suite that your menus are clean.

>>> from ivraudit.testing import assert_menus_clean
>>> report = assert_menus_clean("menus/bank.yaml", "menus/clinic.yaml")
>>> report.files
['menus/bank.yaml', 'menus/clinic.yaml']

In a pytest file::

    from ivraudit.testing import assert_menus_clean

    def test_phone_menus_are_clean():
        assert_menus_clean("menus/", fail_on="warning", ignore=["MN007"])

The failure message lists every finding at or above ``fail_on`` with its
witness route, and every file that could not be read, as ``ivraudit check``
prints them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ivraudit.config import Config
from ivraudit.gate.baseline import Baseline
from ivraudit.model.findings import Report, Severity
from ivraudit.reports.text import summary_line, witness_lines
from ivraudit.rules.config import load_config
from ivraudit.runner import check

__all__ = ["assert_menus_clean", "check_menus"]


def check_menus(
    *paths: str | os.PathLike[str],
    config: Config | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    baseline: str | os.PathLike[str] | None = None,
) -> Report:
    """Audit the menus under ``paths`` and return the report.

    ``config`` defaults to the nearest ivraudit.toml (as the CLI finds it);
    ``select``/``ignore`` narrow the rules further; ``baseline`` removes the
    findings a baseline file holds.
    """
    config = config or load_config()
    changes = {}
    if select:
        changes["select"] = list(select)
    if ignore:
        changes["ignore"] = [*config.ignore, *ignore]
    if changes:
        config = config.merged(**changes)
    report = check(list(paths), config).report
    if baseline is not None:
        Baseline.load(baseline).apply(report)
    return report


def assert_menus_clean(
    *paths: str | os.PathLike[str],
    fail_on: str | Severity = "warning",
    config: Config | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    baseline: str | os.PathLike[str] | None = None,
) -> Report:
    """Fail (AssertionError) if any menu has a finding at or above ``fail_on``, or
    cannot be read.  Returns the report when the menus are clean.

    Under pytest the failure shows only the findings, at the line of your test
    that called this, not this helper's source.
    """
    __tracebackhide__ = True  # pytest: report the failure at the caller's line
    report = check_menus(*paths, config=config, select=select, ignore=ignore, baseline=baseline)
    level = Severity(fail_on)
    failing = [f for f in report.findings if f.severity.rank >= level.rank]
    if not failing and not report.errors:
        return report
    lines = [f"{len(failing)} finding(s) at or above {level}:" if failing else "unreadable menus:"]
    for finding in failing:
        lines.append(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.rule} {finding.message}"
        )
        lines.extend(witness_lines(finding))
    lines.extend(str(error) for error in report.errors)
    lines.append(summary_line(report))
    raise AssertionError("\n".join(lines))
