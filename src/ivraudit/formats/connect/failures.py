"""Error branches that are a block failing, not a route the block chooses.

Connect gives every block an *Error* branch (``NoMatchingError``): "if no other Error
matches" (flow language reference, Transitions).  For Check hours of operation, the
condition checks (Check contact attributes, Check queue status, ...), Play prompt (its
action, MessageParticipant, has no results: "Errors: NoMatchingError - If an error occurred
and no other error matched"), Store customer input, a Get customer input whose Timeout and
Default branches are both wired, and a Transfer to queue whose At capacity branch leads
elsewhere (the transfer's ``fail``), it is taken when the block itself fails (a missing hours
configuration, an unsupported channel: "Chat: No - Error branch", a prompt that cannot be
played), never because of what the caller did or what the contact holds.  The native node
types (``hours``, ``branch``, ``say``, ``ask``, ``menu``, ``transfer``) have no ``error`` route,
so the block is entered through a step that may fail: an ``action`` named ``<block> (runs)``
whose ``next`` is the block and whose ``error`` is its Error branch.  A hangup reached only
that way, after the caller is told, is error handling.

A *Loop* block reached only by the Error branches of other blocks is a retry around a
failing step: ``ContinueLooping`` tries the step again (``next``), ``DoneLooping`` -- the
retries used up -- is the failure standing (``error``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ivraudit.formats.connect.actions import Action, Flow, Route
from ivraudit.formats.connect.blocks import param_text, stores_input, uses_lex
from ivraudit.formats.connect.branches import BRANCH_TYPES
from ivraudit.formats.connect.nodes import NodeTable

#: Error types that are a route the block chooses, not the block failing.
_CHOSEN = frozenset(
    {"NoMatchingCondition", "InputTimeLimitExceeded", "InvalidPhoneNumber", "InvalidNumber"}
)
#: Queue transfers: their At capacity branch is the ``fail`` of the transfer (the queue is
#: full), their Error branch the transfer failing (no working queue, a broken queue).
_QUEUE_TRANSFERS = frozenset({"TransferContactToQueue", "DequeueContactAndTransferToQueue"})
#: Blocks whose Error branch may be the caller's doing (silence, an invalid key).
_INPUTS = frozenset({"GetParticipantInput", "ConnectParticipantWithLexBot"})


def split_failures(action: Action) -> tuple[Action, list[tuple[str, Route]]]:
    """The block without the Error routes its node cannot hold, and those routes.

    A NextAction that leads where such an Error route leads (the designer writes both)
    goes with it.  Blocks of other types are returned as they are.
    """
    kind = action.type
    if kind == "CheckHoursOfOperation":
        kept = {condition.route.target for condition in action.conditions}
        failures = [(n, r) for n, r in action.errors if r.target not in kept]
    elif kind in BRANCH_TYPES and kind != "Loop":
        failures = _branch_failures(action)
    elif kind == "GetParticipantInput" and not uses_lex(action.params):
        failures = _input_failures(action)
    elif kind in _QUEUE_TRANSFERS:
        failures = _queue_failures(action)
    elif kind == "MessageParticipant":
        following = action.next.target if action.next is not None else None
        failures = [(n, r) for n, r in action.errors if n not in _CHOSEN and r.target != following]
    else:
        failures = []
    if not failures:
        return action, []
    removed = {id(route) for _, route in failures}
    targets = {route.target for _, route in failures}
    following = action.next
    if following is not None and following.target in targets and not stores_input(action):
        kept_targets = {c.route.target for c in action.conditions}
        kept_targets |= {r.target for _, r in action.errors if id(r) not in removed}
        if following.target not in kept_targets:
            following = None
    errors = [(name, route) for name, route in action.errors if id(route) not in removed]
    return replace(action, errors=errors, next=following), failures


def _branch_failures(action: Action) -> list[tuple[str, Route]]:
    otherwise = action.error("NoMatchingCondition")
    if otherwise is None and action.type == "CheckStaffing":
        otherwise = next((c.route for c in action.conditions if c.operands == ("False",)), None)
    if otherwise is None and action.next is None:
        return []  # the Error branch is the only "else" the block has
    kept = {condition.route.target for condition in action.conditions}
    if otherwise is not None:
        kept.add(otherwise.target)
    elif action.next is not None:
        kept.add(action.next.target)
    return [(n, r) for n, r in action.errors if n not in _CHOSEN and r.target not in kept]


def _queue_failures(action: Action) -> list[tuple[str, Route]]:
    failed = action.error("NoMatchingError")
    full = action.error("QueueAtCapacity")
    if failed is None or full is None or failed.target == full.target:
        return []  # the Error branch is the transfer's only way back: its ``fail``
    return [("NoMatchingError", failed)]


def _input_failures(action: Action) -> list[tuple[str, Route]]:
    failed = action.error("NoMatchingError")
    timeout = action.error("InputTimeLimitExceeded")
    if stores_input(action):
        validation = action.params.get("InputValidation")
        validates = isinstance(validation, dict) and "PhoneNumberValidation" in validation
        if failed is None or (validates and action.error("InvalidPhoneNumber") is None):
            return []  # an invalid number takes the Error branch: the caller's doing
        following = action.next.target if action.next is not None else None
        return [] if failed.target == following else [("NoMatchingError", failed)]
    nomatch = action.error("NoMatchingCondition")
    if failed is None or not action.conditions or timeout is None or nomatch is None:
        return []  # the Error branch stands in for silence or an invalid key
    kept = {timeout.target, nomatch.target, *(c.route.target for c in action.conditions)}
    return [] if failed.target in kept else [("NoMatchingError", failed)]


def guard_node(
    table: NodeTable, action: Action, node_id: str, failures: list[tuple[str, Route]]
) -> tuple[str, dict[str, Any]]:
    """The step in front of a block that may fail: ``next`` the block, ``error`` its Error
    branch.  Returns its node id and node."""
    guard = table.guard(action.ident)
    names = ", ".join(dict.fromkeys(name for name, _ in failures))
    node: dict[str, Any] = {
        "type": "action",
        "next": node_id,
        "note": (
            f"Connect {action.original} block (Identifier: {action.ident}) running: its Error "
            f"branch ({names}) is the block failing, not a route it chooses."
        ),
    }
    failed = table.fanout(
        action, guard, "errors", [(f"error {name}", route) for name, route in failures], None
    )
    if failed is not None:
        node["error"] = failed
        table.position(guard, "error", failures[0][1])
    table.positions[("nodes", guard)] = table.source.locate(action.path)
    return guard, node


def failure_loops(
    flow: Flow, failing: dict[str, tuple[Action, list[tuple[str, Route]]]]
) -> dict[str, list[str]]:
    """Loop blocks reached only by the Error branches of other blocks (a retry around a
    failing step): their Identifier -> the Identifiers of the blocks that fail into them.
    ``failing``: the blocks :func:`split_failures` split, by Identifier."""
    failed: dict[str, list[str]] = {}
    other: set[str] = set()
    if flow.start is not None:
        other.add(flow.start)
    for original in flow.actions:
        action, failures = failing.get(original.ident, (original, []))
        for route in (action.next, *(condition.route for condition in action.conditions)):
            if route is not None:
                other.add(route.target)
        for name, route in action.errors:
            if name in _CHOSEN or action.type in _INPUTS:
                other.add(route.target)
            else:
                failed.setdefault(route.target, []).append(action.ident)
        for _, route in failures:
            failed.setdefault(route.target, []).append(action.ident)
    return {
        action.ident: failed[action.ident]
        for action in flow.actions
        if action.type == "Loop" and action.ident in failed and action.ident not in other
    }


def retry_node(
    table: NodeTable, action: Action, node_id: str, sources: list[str]
) -> dict[str, Any] | None:
    """A Loop around a failing step: ``next`` tries again, ``error`` the retries used up.
    None when the Loop does not have both routes."""
    again = next((c.route for c in action.conditions if c.operands == ("ContinueLooping",)), None)
    done = next((c.route for c in action.conditions if c.operands == ("DoneLooping",)), None)
    done = done or action.error("NoMatchingCondition") or action.next
    if again is None or done is None:
        return None
    count = param_text(action.params.get("LoopCount"))
    rounds = f" up to {count} times" if count else ""
    blocks = ", ".join(f"'{table.ids.get(ident, ident)}'" for ident in dict.fromkeys(sources))
    node: dict[str, Any] = {
        "type": "action",
        "next": table.route(again),
        "error": table.route(done),
        "note": (
            f"Reached only by the Error branch of {blocks}: a retry of the failed step{rounds} "
            "(ContinueLooping, next); DoneLooping is the failure standing (error)."
        ),
    }
    table.position(node_id, "next", again)
    table.position(node_id, "error", done)
    return node
