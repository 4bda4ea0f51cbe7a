"""Transfer to flow and Invoke module blocks: the other flow, copied in, or an unknown.

``TransferToFlow`` hands the contact to another flow for good ("execution jumps to a different
flow, and continues running at that flow's beginning"); ``InvokeFlowModule`` runs a flow module
and continues at its *Success* route when the module returns.  When the other flow is in the
estate (see ``instance``) it becomes a ``subflow`` node whose menu is that flow: with no
``next`` for a transfer, with the block's route for a module.  Otherwise the route leaves what
was read: an ``unknown`` node says why (``run-time``: named by an attribute; ``not-given``: not
among the files; ``unsupported``: not expanded).  A block's *Error* route (the flow or module
could not be started) is kept: the block is then an ``action`` whose ``next`` is the flow.
"""

from __future__ import annotations

from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats.connect.actions import Action
from ivraudit.formats.connect.instance import Resolution, reference_of
from ivraudit.formats.connect.nodes import NodeTable, condition_cases, error_cases, result_cases

_WHY = {
    "run-time": "the flow is named by {target} only when the call runs",
    "not-given": "flow '{target}' is not among the files given",
}


def unresolved(action: Action) -> Resolution:
    """Where a block leads when no estate is read: from what the block names."""
    reference, shown = reference_of(action)
    if reference is not None and reference.startswith("$."):
        return Resolution("run-time", reference)
    return Resolution("not-given", shown or reference or "(not set)")


def _unknown(resolution: Resolution, what: str) -> dict[str, Any]:
    why = resolution.why or _WHY.get(resolution.reason, "").format(target=resolution.target)
    return {
        "type": "unknown",
        "reason": resolution.reason,
        "target": resolution.target,
        "note": f"{what} '{resolution.target}': not followed, because {why}.",
    }


def _subflow(resolution: Resolution, subflows: dict[str, Any], note: str) -> dict[str, Any] | None:
    """The other flow as a subflow node, recorded among ``subflows``; None when it is not read."""
    if resolution.reason != "flow" or resolution.ref is None:
        return None
    subflows[resolution.ref] = resolution.menu
    return {"type": "subflow", "menu": resolution.ref, "note": note}


def _add(table: NodeTable, action: Action, wanted: str, node: dict[str, Any]) -> str:
    node_id = unique_id(wanted.replace("/", " "), table.taken)
    table.nodes[node_id] = node
    table.positions[("nodes", node_id)] = table.source.locate(action.path)
    return node_id


def flow_transfer(
    table: NodeTable,
    action: Action,
    node_id: str,
    resolution: Resolution,
    subflows: dict[str, Any],
) -> dict[str, Any]:
    """Transfer to flow: the other flow (a subflow that does not return) or an unknown."""
    node = _subflow(
        resolution,
        subflows,
        f"Transfer to flow '{resolution.target}': the contact continues there "
        "and does not come back.",
    ) or _unknown(resolution, "Transfer to flow")
    errors = error_cases(action)
    if not errors:
        return node
    block: dict[str, Any] = {
        "type": "action",
        "next": _add(table, action, f"{node_id}: {resolution.target}", node),
        "note": f"Transfers the contact to flow '{resolution.target}'; the Error route is "
        "taken when that fails.",
    }
    failed = table.fanout(action, node_id, "errors", errors, None)
    if failed is not None:
        block["error"] = failed
    return block


def module_call(
    table: NodeTable,
    action: Action,
    node_id: str,
    resolution: Resolution,
    subflows: dict[str, Any],
) -> dict[str, Any]:
    """Invoke module: the module (a subflow that returns to the block's route) or, when it
    is not read, an action whose route may also leave what was read."""
    read = _subflow(
        resolution,
        subflows,
        f"Runs flow module '{resolution.target}'; the call continues when it returns.",
    )
    if read is not None:
        after = table.fanout(
            action, node_id, "result", result_cases(action), table.route(action.next)
        )
        if after is not None:
            read["next"] = after
        return read
    unknown = _add(
        table, action, f"{node_id}: {resolution.target}", _unknown(resolution, "Flow module")
    )
    after = table.fanout(
        action, node_id, "result", condition_cases(action), table.route(action.next)
    )
    if after is not None:
        unknown = _add(
            table,
            action,
            f"{node_id} (returns?)",
            {
                "type": "branch",
                "cases": [
                    {
                        "when": f"flow module '{resolution.target}' ends the contact or "
                        "hands it on",
                        "next": unknown,
                    }
                ],
                "else": after,
                "note": "What the module does is not read: it may return, or not.",
            },
        )
    node: dict[str, Any] = {
        "type": "action",
        "next": unknown,
        "note": f"Runs flow module '{resolution.target}', which is not read; the call "
        "continues at next when it returns.",
    }
    failed = table.fanout(action, node_id, "errors", error_cases(action), None)
    if failed is not None:
        node["error"] = failed
    return node
