"""JUnit XML: one test suite per file, one test case per rule per file.

A rule with findings at or above the fail level is a failing test case whose
failure lists them (with witnesses); findings below the level are shown in
the case's ``system-out`` so the test still passes.  A file that could not be
read is a suite with one erroring case.  CI test-report viewers (GitLab,
Jenkins, Azure, GitHub test-report actions) read this format.

The report is written a finding at a time (:func:`chunks`): the totals every
``testsuite`` element carries are counted first, then the text follows.  It is
the XML ``xml.etree.ElementTree`` writes with ``ET.indent``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ivraudit.model.findings import Finding, Report, Severity
from ivraudit.reports.text import witness_lines
from ivraudit.rules import RULES

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions


def _text(value: str) -> str:
    """Text as ElementTree escapes it (``str.replace`` is many times faster than a
    ``str.translate`` table that maps characters to longer strings)."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def _attribute(value: str) -> str:
    value = _text(value).replace('"', "&quot;")
    return value.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _attributes(**values: str) -> str:
    return "".join(f' {name}="{_attribute(value)}"' for name, value in values.items())


def _finding_text(finding: Finding, options: RenderOptions, said: dict[int, str]) -> str:
    lines = [
        f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} "
        f"{finding.rule} {finding.message_and_fix}"
    ]
    if options.witness:
        lines.extend(witness_lines(finding, said=said))
    return "\n".join(lines)


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def _split(found: list[Finding], level: Severity | None) -> tuple[list[Finding], list[Finding]]:
    """The findings that fail at ``level``, and those shown but passing."""
    if level is None:
        return [], found
    failing = [f for f in found if f.severity.rank >= level.rank]
    return failing, [f for f in found if f.severity.rank < level.rank]


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report as JUnit XML, a finding at a time."""
    by_file: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_file[finding.file][finding.rule].append(finding)
    files = sorted(set(report.files) | set(by_file))
    suites = []
    for file in files:
        rules = sorted(set(report.rules) | set(by_file[file]))
        failures = sum(
            1 for rule_id in rules if _split(by_file[file].get(rule_id, []), options.fail_on)[0]
        )
        suites.append((file, rules, failures))
    tests = sum(len(rules) for _, rules, _ in suites) + len(report.errors)
    failures = sum(failing for _, _, failing in suites)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    totals = _attributes(
        name="ivraudit", tests=str(tests), failures=str(failures), errors=str(len(report.errors))
    )
    if not suites and not report.errors:
        yield f"<testsuites{totals} />\n"
        return
    yield f"<testsuites{totals}>\n"
    said: dict[int, str] = {}  # each step's words, once (see text.witness_lines)
    for file, rules, failing in suites:
        yield from _suite(file, rules, failing, by_file[file], options, said)
    for error in report.errors:
        counts = _attributes(name=error.file, tests="1", failures="0", errors="1", skipped="0")
        yield (
            f"  <testsuite{counts}>\n"
            f"    <testcase{_attributes(classname=error.file, name='load', file=error.file)}>\n"
            f"      <error{_attributes(type='MenuError', message=error.message)}>"
            f"{_text(str(error))}\n</error>\n"
            "    </testcase>\n  </testsuite>\n"
        )
    yield "</testsuites>\n"


def _suite(
    file: str,
    rules: list[str],
    failures: int,
    found: dict[str, list[Finding]],
    options: RenderOptions,
    said: dict[int, str],
) -> Iterator[str]:
    counts = _attributes(
        name=file, tests=str(len(rules)), failures=str(failures), errors="0", skipped="0"
    )
    if not rules:
        yield f"  <testsuite{counts} />\n"
        return
    yield f"  <testsuite{counts}>\n"
    for rule_id in rules:
        rule = RULES.get(rule_id)
        name = f"{rule_id} {rule.name}" if rule else rule_id
        case = _attributes(classname=file, name=name, file=file)
        failing, passing = _split(found.get(rule_id, []), options.fail_on)
        if not failing and not passing:
            yield f"    <testcase{case} />\n"
            continue
        yield f"    <testcase{case}>\n"
        if failing:
            many = "s" if len(failing) != 1 else ""
            message = f"{len(failing)} finding{many}: {failing[0].message}"
            yield f"      <failure{_attributes(type=rule_id, message=message)}>"
            yield from _texts(failing, options, said)
            yield "</failure>\n"
        if passing:
            yield "      <system-out>"
            yield from _texts(passing, options, said)
            yield "</system-out>\n"
        yield "    </testcase>\n"
    yield "  </testsuite>\n"


def _texts(findings: list[Finding], options: RenderOptions, said: dict[int, str]) -> Iterator[str]:
    """The findings' lines, one piece per finding, ending in a newline."""
    for finding in findings:
        yield _text(_finding_text(finding, options, said)) + "\n"
