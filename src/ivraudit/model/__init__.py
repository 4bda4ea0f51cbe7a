"""The model: the one in-memory form of a menu, and what an audit says about it.

- :mod:`ivraudit.model.menu`: the pydantic models of a menu (format version 1).
- :mod:`ivraudit.model.errors`: positions and the errors a person can act on.
- :mod:`ivraudit.model.findings`: Finding, Step and Report, which every reporter reads.
- :mod:`ivraudit.model.prompts`: what prompt text says (length, keys, identity, reasons).
"""

from __future__ import annotations

from ivraudit.model.menu import (
    FORMAT_VERSION,
    IDENTITY_FIELDS,
    NODE_TYPES,
    ActionNode,
    AskNode,
    Audit,
    BranchNode,
    CallbackNode,
    Case,
    HangupNode,
    HoursNode,
    Menu,
    MenuNode,
    NodeBase,
    ReturnNode,
    SayNode,
    SubflowNode,
    TransferNode,
    UnknownNode,
    VoicemailNode,
)

__all__ = [
    "FORMAT_VERSION",
    "IDENTITY_FIELDS",
    "NODE_TYPES",
    "ActionNode",
    "AskNode",
    "Audit",
    "BranchNode",
    "CallbackNode",
    "Case",
    "HangupNode",
    "HoursNode",
    "Menu",
    "MenuNode",
    "NodeBase",
    "ReturnNode",
    "SayNode",
    "SubflowNode",
    "TransferNode",
    "UnknownNode",
    "VoicemailNode",
]
