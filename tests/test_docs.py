"""docs/rules/ is generated from the rule registry: this test keeps them in step.

Regenerate with:  IVRAUDIT_REGENERATE=1 pytest tests/test_docs.py
"""

from __future__ import annotations

import os

import pytest

from ivraudit.rules import all_rules
from ivraudit.rules.registry import SAME_FAULT_ORDER
from tests.conftest import ROOT

RULE_DOCS = ROOT / "docs" / "rules"


def index() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule registry (`ivraudit rules`); one page per rule.",
        "",
        "| id | name | default severity | finds |",
        "|---|---|---|---|",
    ]
    for current in all_rules():
        lines.append(
            f"| [{current.id}]({current.id}.md) | {current.name} | {current.severity.value} "
            f"| {current.summary} |"
        )
    order = ", ".join(SAME_FAULT_ORDER)
    lines += [
        "",
        "## One finding per fault",
        "",
        f"When {order} tell the same fault (they find it at the same node), only the first "
        "of them in that order is reported, and it names what the others would have said "
        "(the operator key that leads to a hangup, the person transfer no route reaches). "
        "A rule that is not selected, or a finding suppressed with `audit: ignore`, "
        "hides nothing.",
    ]
    return "\n".join(lines) + "\n"


def expected_pages() -> dict[str, str]:
    pages = {f"{rule.id}.md": rule.page() for rule in all_rules()}
    pages["README.md"] = index()
    return pages


def test_rule_docs_match_the_registry():
    pages = expected_pages()
    if os.environ.get("IVRAUDIT_REGENERATE"):
        RULE_DOCS.mkdir(parents=True, exist_ok=True)
        for old in RULE_DOCS.glob("*.md"):
            old.unlink()
        for name, text in pages.items():
            (RULE_DOCS / name).write_text(text, encoding="utf-8")
    present = {path.name for path in RULE_DOCS.glob("*.md")}
    assert present == set(pages), "run IVRAUDIT_REGENERATE=1 pytest tests/test_docs.py"
    for name, text in pages.items():
        assert (RULE_DOCS / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_documents_why_an_example_and_the_fix(rule):
    doc = rule.doc
    for heading in ("## Why callers suffer", "## Example", "## Fix"):
        assert heading in doc, f"{rule.id} lacks '{heading}'"
