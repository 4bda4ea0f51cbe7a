"""Identity rules: the same details asked twice, and details the agent never sees."""

from __future__ import annotations

from collections.abc import Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.model.findings import Severity
from ivraudit.model.menu import TransferNode
from ivraudit.rules.registry import Hit, rule


def _spoken(field: str) -> str:
    return field.replace("_", " ")


@rule(
    "ID001",
    "identity-asked-twice",
    Severity.WARNING,
    "The same identity field is asked twice on one route.",
)
def identity_asked_twice(ctx: AuditContext) -> Iterator[Hit]:
    """Finds an identity field (date of birth, account number, PIN, ...) collected
    by one node and asked again by another on the same route, and says whether
    that happens on every route to the second ask or only on some.

    Only a successful answer collects a field, so retries (no input, no match,
    "that was not valid, please try again") are never repeats; neither is a loop
    back to the same question.  Fields come from ``collects``, or are inferred
    from variable names and prompt text ("date of birth", "DOB", "account
    number", "PIN", "zip code", "last four digits", ...), and the finding says
    when a field was inferred.  Part of a value ("the last four digits of your
    card") is a fact of its own: it is not a repeat of the whole value, which
    it cannot stand in for.

    ## Why callers suffer
    They typed it once; being asked again, by the menu or by the agent, tells
    them nobody listened.  It is the most resented fault after not reaching a
    person at all.

    ## Example
    ```yaml
    # bad
    billing_dob: {type: ask, say: Enter your date of birth., collects: date_of_birth,
                  next: billing_menu}
    # ... two menus later ...
    agent_dob: {type: ask, say: Please enter your date of birth again.,
                collects: date_of_birth, next: agent}
    ```
    ```yaml
    # good: ask once, pass it on
    agent: {type: transfer, target: "queue:billing", passes: [date_of_birth]}
    ```

    ## Fix
    Remove the second ask and carry the value forward (``passes`` on the
    transfer, a contact attribute, a session variable).
    """
    for field, collectors in sorted(ctx.collectors.items()):
        if len(collectors) < 2:
            continue
        labels = ctx.collected_after(field)
        for again in collectors:
            earlier = [first for first in labels.get(again, {}) if first != again]
            if not earlier:
                continue
            first = earlier[0]
            every = bool(ctx.must_collected.get(again, 0) & ctx.field_bit(field))
            how = "on every route" if every else "on some routes"
            inferred = ctx.collections[again].inferred or ctx.collections[first].inferred
            note = " (field inferred from the prompt or variable name)" if inferred else ""
            yield Hit(
                node=again,
                message=f"{_spoken(field)} is asked again at '{again}' {how}, after "
                f"'{first}' already collected it{note}",
                fact=field,
                witness=ctx.witness_through(field, first, again),
            )


@rule(
    "ID002",
    "identity-not-passed",
    Severity.WARNING,
    "Identity collected before a human transfer that does not pass it on.",
)
def identity_not_passed(ctx: AuditContext) -> Iterator[Hit]:
    """Finds human transfers reached after identity fields were collected, whose
    ``passes`` list leaves some of them out: the agent's screen will not show
    them, so the agent will ask again.

    ## Why callers suffer
    "Can I take your date of birth?" -- after they keyed it in a minute ago.

    ## Example
    ```yaml
    # bad
    agent: {type: transfer, target: "queue:billing"}
    ```
    ```yaml
    # good
    agent: {type: transfer, target: "queue:billing", passes: [date_of_birth, account_number]}
    ```

    ## Fix
    List every collected field in ``passes`` (and make sure the platform really
    sends them to the agent's desktop), or stop collecting what is not used.
    """
    fields = ctx.identity.fields
    reachable, collectors = ctx.reachable, ctx.collectors
    after: dict[str, dict[str, dict[str, tuple[str, str, int]]]] = {}
    for node, model in ctx.nodes("transfer"):
        assert isinstance(model, TransferNode)
        if not model.human or node not in reachable:
            continue
        passed = {ctx.identity.field_of(item, None)[0] or item for item in model.passes}
        missing = []
        for field in fields:
            if field in passed or field not in collectors:
                continue
            labels = after.get(field)
            if labels is None:
                labels = after[field] = ctx.collected_after(field)
            found = labels.get(node)
            first = next(iter(found), None) if found else None
            if first is not None:
                missing.append((field, first))
        if not missing:
            continue
        every = [f for f, _ in missing if ctx.must_collected.get(node, 0) & ctx.field_bit(f)]
        names = ", ".join(_spoken(field) for field, _ in missing)
        how = "on every route" if len(every) == len(missing) else "on some routes"
        inferred = any(ctx.collections[first].inferred for _, first in missing)
        note = " (field inferred from the prompt or variable name)" if inferred else ""
        field, first = missing[0]
        yield Hit(
            node=node,
            message=f"human transfer '{node}' does not pass {names}, collected before it "
            f"{how}: the agent will ask again{note}",
            fact=",".join(f for f, _ in missing),
            witness=ctx.witness_through(field, first, node),
        )
