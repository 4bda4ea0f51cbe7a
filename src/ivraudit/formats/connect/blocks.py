"""What a Connect block is: the designer's title for it, whether it stores input or talks to a
Lex bot, and its parameters read as text."""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats.connect.actions import Action

#: Block names as the Connect flow designer shows them, by flow-language type.
_TITLES = {
    "MessageParticipant": "Play prompt",
    "MessageParticipantIteratively": "Loop prompts",
    "GetParticipantInput": "Get customer input",
    "ConnectParticipantWithLexBot": "Get customer input (Lex)",
    "DisconnectParticipant": "Disconnect",
    "TransferContactToQueue": "Transfer to queue",
    "DequeueContactAndTransferToQueue": "Transfer to queue",
    "TransferParticipantToThirdParty": "Transfer to phone number",
    "TransferToFlow": "Transfer to flow",
    "CheckHoursOfOperation": "Check hours of operation",
    "Compare": "Check contact attributes",
    "CheckMetricData": "Check queue status",
    "CheckStaffing": "Check staffing",
    "CheckQueueStatus": "Check queue status",
    "Loop": "Loop",
    "DistributeByPercentage": "Distribute by percentage",
    "UpdateContactAttributes": "Set contact attributes",
    "UpdateContactTargetQueue": "Set working queue",
    "UpdateFlowLoggingBehavior": "Set logging behavior",
    "UpdateContactTextToSpeechVoice": "Set voice",
    "UpdateContactRecordingBehavior": "Set recording behavior",
    "UpdateContactEventHooks": "Set event hook",
    "UpdateFlowAttributes": "Set flow attributes",
    "UpdateContactRoutingBehavior": "Set routing behavior",
    "UpdateContactCallbackNumber": "Set callback number",
    "InvokeLambdaFunction": "Invoke Lambda function",
    "InvokeFlowModule": "Invoke module",
    "EndFlowExecution": "End flow",
    "EndFlowModuleExecution": "Return",
    "CreateCallbackContact": "Create callback",
    "TagContact": "Tag contact",
    "ShowView": "Show view",
}

#: Where Store customer input leaves the digits; later blocks copy them from here.
STORED_INPUT = "$.StoredCustomerInput"


def title_of(action: Action) -> str:
    """The designer's name for a block, e.g. ``Play prompt``."""
    if action.type == "GetParticipantInput" and stores_input(action):
        return "Store customer input"
    if action.type == "GetParticipantInput" and uses_lex(action.params):
        return "Get customer input (Lex)"
    known = _TITLES.get(action.type)
    if known:
        return known
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", action.type).split()
    return " ".join([words[0], *(word.lower() for word in words[1:])]) if words else "Block"


def stores_input(action: Action) -> bool:
    """Whether a Get customer input block stores what is keyed instead of matching it."""
    if action.original.startswith(("StoreCustomerInput", "StoreUserInput")):
        return True
    value = action.params.get("StoreInput")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def uses_lex(params: dict[str, Any]) -> bool:
    """Whether a block's parameters name a Lex bot that takes the input."""
    return isinstance(params.get("LexBot"), dict) or isinstance(params.get("LexV2Bot"), dict)


def param_text(value: Any) -> str | None:
    """A parameter as text: strings as written, numbers spelled out, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None
