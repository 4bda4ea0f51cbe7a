"""Blocks that hand the call on or end it: transfers to a queue, a phone number or another flow,
End flow / Resume, and Disconnect; with the working queue and attributes a transfer passes on."""

from __future__ import annotations

from typing import Any

from ivraudit.formats.connect.actions import Action, Flow
from ivraudit.formats.connect.blocks import STORED_INPUT, param_text
from ivraudit.formats.connect.nodes import NodeTable, add_note, error_cases
from ivraudit.formats.connect.prompts import prompt_fields

_WHISPER_TYPES = frozenset({"customerwhisper", "agentwhisper", "outboundwhisper"})


def attributes_from_input(flow: Flow) -> list[str]:
    """Contact attributes set from stored input: the agent's screen shows them."""
    found: list[str] = []
    for action in flow.actions:
        values = action.params.get("Attributes")
        if action.type == "UpdateContactAttributes" and isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, str) and STORED_INPUT in value and key not in found:
                    found.append(str(key))
    return found


def working_queue(flow: Flow) -> str | None:
    """The queue every Set working queue block of the flow names, when they agree."""
    names = set()
    for action in flow.actions:
        if action.type == "UpdateContactTargetQueue":
            names.add(_queue_name(action) or "?")
    return names.pop() if len(names) == 1 and "?" not in names else None


def _queue_name(action: Action) -> str | None:
    shown = action.meta.get("queue")
    shown = shown.get("text") if isinstance(shown, dict) else None
    if isinstance(shown, str) and shown:
        return f"queue:{shown}"
    queue = param_text(action.params.get("QueueId"))
    agent = param_text(action.params.get("AgentId"))
    if agent:
        return f"agent:{agent}"
    return f"queue:{queue}" if queue else None


def hangup_node(table: NodeTable, action: Action) -> dict[str, Any]:
    """Disconnect, with what it says first."""
    return table.leftover(action, {"type": "hangup", **prompt_fields(action)}, "contact")


def _transfer_fail(table: NodeTable, action: Action, node_id: str, after: str) -> str | None:
    """Where the call goes when the transfer does not end the flow: every error, and
    ``NextAction`` (which the designer usually wires to the error route as well)."""
    cases = error_cases(action, ("NoMatchingError",))
    label = "errors"
    if action.next is not None:
        cases.append((after, action.next))
        if table.route(action.next) != table.route(action.error("NoMatchingError")):
            label = "outcome"
    return table.fanout(action, node_id, label, cases, table.route(action.error("NoMatchingError")))


def queue_transfer_node(
    table: NodeTable,
    action: Action,
    node_id: str,
    working_queue: str | None,
    passed: list[str],
) -> dict[str, Any]:
    """Transfer to queue: the block's queue, else the flow's ``working_queue``; the agent sees
    the ``passed`` attributes."""
    target = _queue_name(action) or working_queue or "queue:working queue"
    node: dict[str, Any] = {"type": "transfer", "target": target, "human": True}
    if passed:
        node["passes"] = list(passed)
    failed = _transfer_fail(
        table, action, node_id, "NextAction (after the contact leaves the queue)"
    )
    if failed is not None:
        node["fail"] = failed
    return node


def phone_transfer_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Transfer to phone number."""
    number = param_text(action.params.get("ThirdPartyPhoneNumber"))
    node: dict[str, Any] = {
        "type": "transfer",
        "target": f"phone:{number}" if number else "phone",
        "human": True,
    }
    resumes = str(action.params.get("ContinueFlowExecution", "")).lower() == "true"
    label = "after the call ends (ContinueFlowExecution)" if resumes else "NextAction"
    failed = _transfer_fail(table, action, node_id, label)
    if failed is not None:
        node["fail"] = failed
    return node


def end_flow_node(table: NodeTable, action: Action, kind: str | None) -> dict[str, Any]:
    """End flow / Resume: a disconnect in an inbound flow, otherwise the call goes on."""
    if kind == "contactflow":
        node = {"type": "hangup"}
        add_note(node, "End flow in an inbound flow: Connect disconnects the contact.")
        return table.leftover(action, node, "flow")
    if kind in _WHISPER_TYPES:
        target, how = "agent", "the whisper ends and the call is connected to the agent"
    elif kind is None:
        target, how = (
            "queue",
            (
                "the contact goes back to the queue it waits in, or on to the agent after a "
                "whisper (End flow exists only in queue and whisper flows)"
            ),
        )
    else:
        target, how = "queue", "the contact goes back to waiting in the queue for an agent"
    return {
        "type": "transfer",
        "target": f"{target}:the contact's {target}",
        "human": True,
        "waits_in_queue": True,
        "note": f"End flow / Resume: {how}.",
    }
