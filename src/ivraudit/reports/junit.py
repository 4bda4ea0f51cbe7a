"""JUnit XML: one test suite per file, one test case per rule per file.

A rule with findings at or above the fail level is a failing test case whose
failure lists them (with witnesses); findings below the level are shown in
the case's ``system-out`` so the test still passes.  A file that could not be
read is a suite with one erroring case.  CI test-report viewers (GitLab,
Jenkins, Azure, GitHub test-report actions) read this format.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

from ivraudit.model.findings import Finding, Report
from ivraudit.reports.text import witness_lines
from ivraudit.rules import RULES

if TYPE_CHECKING:
    from ivraudit.reports import RenderOptions


def _finding_text(finding: Finding, options: RenderOptions) -> str:
    lines = [
        f"{finding.file}:{finding.line}:{finding.column}: {finding.severity} "
        f"{finding.rule} {finding.message_and_fix}"
    ]
    if options.witness:
        lines.extend(witness_lines(finding))
    return "\n".join(lines)


def render(report: Report, options: RenderOptions) -> str:
    by_file: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_file[finding.file][finding.rule].append(finding)
    files = sorted(set(report.files) | set(by_file))
    root = ET.Element("testsuites", name="ivraudit")
    total_tests = total_failures = total_errors = 0
    for file in files:
        rules = sorted(set(report.rules) | set(by_file[file]))
        suite = ET.SubElement(root, "testsuite", name=file)
        failures = 0
        for rule_id in rules:
            rule = RULES.get(rule_id)
            name = f"{rule_id} {rule.name}" if rule else rule_id
            case = ET.SubElement(suite, "testcase", classname=file, name=name, file=file)
            found = by_file[file].get(rule_id, [])
            level = options.fail_on
            failing = [f for f in found if level is not None and f.severity.rank >= level.rank]
            passing = [f for f in found if level is None or f.severity.rank < level.rank]
            if failing:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=rule_id,
                    message=f"{len(failing)} finding{'s' if len(failing) != 1 else ''}: "
                    + failing[0].message,
                )
                failure.text = "\n".join(_finding_text(f, options) for f in failing) + "\n"
            if passing:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(_finding_text(f, options) for f in passing) + "\n"
        suite.set("tests", str(len(rules)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += len(rules)
        total_failures += failures
    for error in report.errors:
        suite = ET.SubElement(
            root, "testsuite", name=error.file, tests="1", failures="0", errors="1", skipped="0"
        )
        case = ET.SubElement(suite, "testcase", classname=error.file, name="load", file=error.file)
        element = ET.SubElement(case, "error", type="MenuError", message=error.message)
        element.text = str(error) + "\n"
        total_tests += 1
        total_errors += 1
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
