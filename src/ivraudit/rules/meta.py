"""Rules about the audit itself.  The engine makes these findings; the checks here only
document them, because they need what the other rules found.
"""

from __future__ import annotations

from collections.abc import Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.model.findings import Severity
from ivraudit.rules.registry import Hit, rule


@rule(
    "AU001",
    "unused-suppression",
    Severity.WARNING,
    "A node-level 'audit: ignore' that suppresses nothing.",
    needs_start=False,
)
def unused_suppression(ctx: AuditContext) -> Iterator[Hit]:
    """Finds ``audit: {ignore: [...]}`` entries on a node that silence no finding.

    ## Why callers suffer
    A stale suppression hides the next real fault at that node: when the
    menu changes, nobody is told.

    ## Example
    ```yaml
    # bad: ID001 no longer occurs at this node
    ask_dob:
      type: ask
      say: Please enter your date of birth.
      next: menu
      audit: {ignore: [ID001], reason: "legacy re-check"}
    ```
    ```yaml
    # good: the entry is gone
    ask_dob: {type: ask, say: Please enter your date of birth., next: menu}
    ```

    ## Fix
    Remove the entry (or the whole ``audit`` block).
    """
    return iter(())


@rule(
    "AU002",
    "rule-crashed",
    Severity.ERROR,
    "A rule failed with an internal error; the other rules still ran.",
    needs_start=False,
)
def rule_crashed(ctx: AuditContext) -> Iterator[Hit]:
    """Reports a rule that raised an exception on this menu.

    One broken rule never hides every other result: the run goes on, and
    this finding names the rule and the error.  It is reported whatever
    ``select`` and ``ignore`` say (ignoring AU002 has no effect), so a
    crash can never pass for a clean menu; its severity can be changed.

    ## Why callers suffer
    They do not, directly; but the faults that rule looks for were not
    checked on this menu.

    ## Example
    Any menu on which a rule fails.

    ## Fix
    Report it to the ivraudit developers with the menu (or a reduced copy),
    and run with ``--ignore`` on the rule that failed meanwhile.
    """
    return iter(())
