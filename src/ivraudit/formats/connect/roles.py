"""What a Connect flow is to callers, from its flow type (DESIGN.md §7a, "Entries and roles").

Connect says what each flow is for with its type (``CreateContactFlow``'s ``Type``, a
CloudFormation resource's ``Type``, Terraform's ``type``, or ``Metadata.type`` in an export):

- ``CONTACT_FLOW`` (an inbound flow) is where calls start: an **entry**;
- customer queue, hold and whisper flows and flow modules run only when another flow puts
  the caller there (a queue, a hold, a module call): **reached**;
- agent whisper and hold, outbound whisper, and the transfer-to-agent and transfer-to-queue
  flows an agent's quick connect runs are not a caller's line: **internal**.

When no type is given, the blocks tell: *Return* (``EndFlowModuleExecution``) exists only in
flow modules and *End flow / Resume* (``EndFlowExecution``) only in queue and whisper flows
(flow language reference, EndFlowExecution "Restrictions"); anything else is read as an
inbound flow.  An inbound flow whose own description calls it a test flow is internal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivraudit.formats.connect.actions import Flow
from ivraudit.model.menu import Role

_REACHED = {
    "customerqueue": "it plays to callers waiting in a queue",
    "customerhold": "it plays to callers the agent put on hold",
    "customerwhisper": "it plays to the caller as an agent is connected",
    "module": "other flows invoke it",
    "contactflowmodule": "other flows invoke it",
}
_INTERNAL = {
    "agentwhisper": "it plays to the agent",
    "agenthold": "it plays to the agent",
    "outboundwhisper": "it runs on calls the agent places",
    "agenttransfer": "an agent's quick connect runs it",
    "queuetransfer": "an agent's quick connect runs it",
}
_TEST = re.compile(r"\btest(?:s|ing)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class FlowRole:
    role: Role
    reason: str


def flow_role(flow: Flow, kind: str | None, label: str | None, where: str | None) -> FlowRole:
    """The role of ``flow``; ``kind`` is its type in one spelling (``customerqueue``), ``label``
    the type as written, ``where`` where it was read (``Terraform ...``) when not the flow."""
    said = f"flow type {label or kind}" + (f" ({where})" if where else "")
    if kind in _REACHED:
        return FlowRole("reached", f"{said}: {_REACHED[kind]}")
    if kind in _INTERNAL:
        return FlowRole("internal", f"{said}: {_INTERNAL[kind]}, not a caller's line")
    if kind is None:
        types = {action.type for action in flow.actions}
        if "EndFlowModuleExecution" in types:
            return FlowRole(
                "reached",
                "no flow type given; its Return block (EndFlowModuleExecution) exists only in "
                "flow modules, which other flows invoke",
            )
        if "EndFlowExecution" in types:
            return FlowRole(
                "reached",
                "no flow type given; its End flow / Resume block (EndFlowExecution) exists only "
                "in customer queue and whisper flows, which callers reach from a queue",
            )
        said = "no flow type given: read as an inbound flow (CONTACT_FLOW)"
    description = flow.description or ""
    if _TEST.search(description):
        return FlowRole(
            "internal", f"{said}, described as '{description}': a test flow, not a caller's line"
        )
    return FlowRole("entry", said)


def transferred_role(role: FlowRole, callers: list[str]) -> FlowRole:
    """An inbound flow that other flows of the estate transfer to, and that no phone number of
    the estate is associated with (a voicemail or after-hours sub-flow): callers only arrive
    from those flows."""
    if role.role != "entry" or not callers:
        return role
    named = ", ".join(callers[:3]) + (f" and {len(callers) - 3} more" if len(callers) > 3 else "")
    return FlowRole(
        "reached",
        f"{role.reason}; other flows of the estate transfer to it (Transfer to flow in "
        f"{named}) and no phone number of the estate is associated with it",
    )
