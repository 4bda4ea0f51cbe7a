"""Amazon Connect flows, both spellings, read into one list of actions.

The flow language (``Version``, ``StartAction``, ``Actions``) and the older
export (``modules`` with ``branches`` and ``parameters``) describe the same
blocks.  Both are read here into :class:`Flow`: actions with flow-language
types, parameters and transitions, each remembering the path it was written
at, so one converter (``flow``) maps them to native nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ivraudit.formats._parse import PathKey
from ivraudit.formats.connect.embed import Source


@dataclass
class Route:
    """A transition: the Identifier it leads to and where it is written."""

    target: str
    path: PathKey


@dataclass
class Condition:
    """One entry of ``Transitions.Conditions``: ``Operator`` applied to ``Operands``."""

    operator: str
    operands: tuple[str, ...]
    route: Route
    subject: str | None = None


@dataclass
class Action:
    """One block of a flow, in flow-language terms."""

    ident: str
    type: str
    original: str
    params: dict[str, Any]
    meta: dict[str, Any]
    path: PathKey
    next: Route | None = None
    conditions: list[Condition] = field(default_factory=list)
    errors: list[tuple[str, Route]] = field(default_factory=list)
    legacy_params: list[dict[str, Any]] = field(default_factory=list)

    def error(self, error_type: str) -> Route | None:
        """The route of one error type, if the block has one."""
        for name, route in self.errors:
            if name == error_type:
                return route
        return None


@dataclass
class Flow:
    """A whole flow: its actions, where it starts, and what kind of flow it is."""

    actions: list[Action]
    start: str | None
    start_path: PathKey
    name: str | None = None
    flow_type: str | None = None
    legacy: bool = False
    #: The flow type as the file spells it (``CUSTOMER_QUEUE``, ``contactFlow``), for reasons.
    type_label: str | None = None
    description: str | None = None


def flow_kind(value: Any) -> str | None:
    """A flow type in one spelling: ``CONTACT_FLOW`` and ``contactFlow`` are ``contactflow``."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.replace("_", "").replace(" ", "").lower()


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- the flow language -----------------------------------------------------------------------


def read_flow_language(value: dict[str, Any], source: Source) -> Flow:
    """Read ``{"Version", "StartAction", "Actions": [...]}``; malformed parts raise MenuError."""
    actions_value = value.get("Actions")
    if not isinstance(actions_value, list):
        raise source.error(
            ("Actions",) if "Actions" in value else (),
            "'Actions' must be a list of actions",
            'an Amazon Connect flow is {"Version", "StartAction", "Actions": [...]}',
        )
    metadata = _mapping(value.get("Metadata"))
    action_metadata = _mapping(metadata.get("ActionMetadata"))
    actions = _read_all(
        actions_value,
        "Actions",
        lambda item, path: _read_action(item, path, source, action_metadata),
        source,
        ("Identifier", "action Identifier", "every action needs its own Identifier"),
    )
    start = value.get("StartAction")
    if start is not None and not isinstance(start, str):
        raise source.error(("StartAction",), "'StartAction' must be the Identifier of an action")
    name = metadata.get("name")
    return Flow(
        actions=actions,
        start=start or None,
        start_path=("StartAction",),
        name=name if isinstance(name, str) and name.strip() else None,
        flow_type=flow_kind(metadata.get("type")),
        type_label=_label(metadata.get("type")),
        description=_label(metadata.get("description")),
    )


def _label(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


#: Other names some exports and tools give flow-language actions.
_FLOW_ALIASES = {
    "GetCustomerInput": "GetParticipantInput",
    "StoreCustomerInput": "GetParticipantInput",
    "InvokeExternalResource": "InvokeLambdaFunction",
    "TransferToPhoneNumber": "TransferParticipantToThirdParty",
}


def _read_all(
    items: list[Any],
    key: str,
    read: Callable[[Any, PathKey], Action],
    source: Source,
    ident: tuple[str, str, str],
) -> list[Action]:
    """Every action of a list, read in order; a repeated identifier is an error at the
    second one that names the line of the first.  ``ident``: the identifier's field,
    its name in the message, and the hint."""
    field, called, hint = ident
    actions: list[Action] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        path: PathKey = (key, index)
        action = read(item, path)
        if action.ident in seen:
            first = source.locate((key, seen[action.ident]))
            raise source.error(
                (*path, field),
                f"duplicate {called} '{action.ident}' (first at line {first.line})",
                hint,
            )
        seen[action.ident] = index
        actions.append(action)
    return actions


def _read_action(
    item: Any, path: PathKey, source: Source, action_metadata: dict[str, Any]
) -> Action:
    number = path[-1] + 1
    if not isinstance(item, dict):
        raise source.error(path, f"action {number} must be an object with Identifier and Type")
    ident = item.get("Identifier")
    if not isinstance(ident, str) or not ident.strip():
        raise source.error(
            path, f"action {number} has no 'Identifier'", "every action needs a unique Identifier"
        )
    kind = item.get("Type")
    if not isinstance(kind, str) or not kind.strip():
        raise source.error(
            path, f"action '{ident}' has no 'Type'", "give the action type, e.g. MessageParticipant"
        )
    params = item.get("Parameters")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise source.error(
            (*path, "Parameters"), f"'Parameters' of action '{ident}' must be an object"
        )
    action = Action(
        ident=ident,
        type=_FLOW_ALIASES.get(kind, kind),
        original=kind,
        params=params,
        meta=_mapping(action_metadata.get(ident)),
        path=path,
    )
    transitions = item.get("Transitions")
    if transitions is None:
        return action
    if not isinstance(transitions, dict):
        raise source.error(
            (*path, "Transitions"), f"'Transitions' of action '{ident}' must be an object"
        )
    action.next = _route(
        transitions.get("NextAction"), (*path, "Transitions", "NextAction"), source
    )
    conditions = transitions.get("Conditions")
    if conditions is not None:
        if not isinstance(conditions, list):
            raise source.error(
                (*path, "Transitions", "Conditions"),
                f"'Conditions' of action '{ident}' must be a list",
            )
        for number_, condition in enumerate(conditions):
            read = _condition(condition, (*path, "Transitions", "Conditions", number_), source)
            if read is not None:
                action.conditions.append(read)
    errors = transitions.get("Errors")
    if errors is not None:
        if not isinstance(errors, list):
            raise source.error(
                (*path, "Transitions", "Errors"), f"'Errors' of action '{ident}' must be a list"
            )
        for number_, entry in enumerate(errors):
            entry_path = (*path, "Transitions", "Errors", number_)
            if not isinstance(entry, dict):
                raise source.error(entry_path, "an error transition must be an object")
            error_type = entry.get("ErrorType")
            if not isinstance(error_type, str) or not error_type:
                raise source.error(
                    entry_path,
                    f"an error transition of action '{ident}' has no 'ErrorType'",
                    "e.g. NoMatchingError",
                )
            route = _route(entry.get("NextAction"), entry_path, source)
            if route is not None:
                action.errors.append((error_type, route))
    return action


def _route(value: Any, path: PathKey, source: Source) -> Route | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise source.error(path, "'NextAction' must be the Identifier of an action")
    return Route(value, path)


def _condition(value: Any, path: PathKey, source: Source) -> Condition | None:
    if not isinstance(value, dict):
        raise source.error(path, "a condition must be an object with NextAction and Condition")
    route = _route(value.get("NextAction"), path, source)
    if route is None:
        return None
    condition = value.get("Condition")
    if not isinstance(condition, dict):
        raise source.error(path, "a condition needs 'Condition': {Operator, Operands}")
    operator = condition.get("Operator")
    operands = condition.get("Operands")
    if operands is None:
        operands = []
    if not isinstance(operator, str) or not isinstance(operands, list):
        raise source.error(
            path,
            "a condition needs 'Operator' (text) and 'Operands' (a list)",
            'e.g. {"Operator": "Equals", "Operands": ["1"]}',
        )
    texts = []
    for operand in operands:
        text = _text(operand)
        if text is None:
            raise source.error(path, "condition operands must be text or numbers")
        texts.append(text)
    return Condition(operator, tuple(texts), route)


# -- the older export ------------------------------------------------------------------------

#: Older module types and the flow-language action each one is.
_LEGACY_TYPES = {
    "PlayPrompt": "MessageParticipant",
    "PlayAudio": "MessageParticipant",
    "StoreUserInput": "GetParticipantInput",
    "StoreCustomerInput": "GetParticipantInput",
    "GetUserInput": "GetParticipantInput",
    "SetQueue": "UpdateContactTargetQueue",
    "Disconnect": "DisconnectParticipant",
    "InvokeExternalResource": "InvokeLambdaFunction",
    "SetAttributes": "UpdateContactAttributes",
    "CheckAttribute": "Compare",
    "CreateCallback": "CreateCallbackContact",
    "SetVoice": "UpdateContactTextToSpeechVoice",
    "SetLoggingBehavior": "UpdateFlowLoggingBehavior",
    "SetRecordingBehavior": "UpdateContactRecordingBehavior",
    "SetContactFlow": "UpdateContactEventHooks",
    "SetEventHook": "UpdateContactEventHooks",
    "SetCallBackNumber": "UpdateContactCallbackNumber",
    "UpdateRoutingPriority": "UpdateContactRoutingBehavior",
    "TransferToFlow": "TransferToFlow",
    "CheckHoursOfOperation": "CheckHoursOfOperation",
}

#: Older branch names that are error transitions, and their flow-language ErrorType.
_LEGACY_ERRORS = {
    "Error": "NoMatchingError",
    "NoMatch": "NoMatchingCondition",
    "Timeout": "InputTimeLimitExceeded",
    "AtCapacity": "QueueAtCapacity",
    "InvalidNumber": "InvalidPhoneNumber",
}

_NAMESPACES = {"External": "External", "User Defined": "Attributes", "System": "System"}
_SYSTEM = {
    "Stored customer input": "StoredCustomerInput",
    "Channel": "Channel",
    "Dialed Number": "SystemEndpoint.Address",
    "Customer Number": "CustomerEndpoint.Address",
    "Queue name": "Queue.Name",
    "Queue ARN": "Queue.ARN",
}


def legacy_reference(namespace: Any, value: Any) -> str | None:
    """How the flow language spells a value read from a namespace (``$.External.X``)."""
    text = _text(value)
    if text is None:
        return None
    if not isinstance(namespace, str) or not namespace:
        return text
    if namespace == "System":
        return "$." + _SYSTEM.get(text, text.replace(" ", ""))
    return f"$.{_NAMESPACES.get(namespace, namespace.replace(' ', ''))}.{text}"


def read_legacy(value: dict[str, Any], source: Source) -> Flow:
    """Read ``{"modules": [...], "start": ...}``; malformed parts raise MenuError."""
    modules = value.get("modules")
    if not isinstance(modules, list):
        raise source.error(
            ("modules",) if "modules" in value else (),
            "'modules' must be a list of blocks",
            'an older Amazon Connect export is {"modules": [...], "start": ...}',
        )
    actions = _read_all(
        modules,
        "modules",
        lambda item, path: _read_module(item, path, source),
        source,
        ("id", "module id", "every module needs its own id"),
    )
    start = value.get("start")
    if start is not None and not isinstance(start, str):
        raise source.error(("start",), "'start' must be the id of a module")
    metadata = _mapping(value.get("metadata"))
    name = metadata.get("name")
    return Flow(
        actions=actions,
        start=start or None,
        start_path=("start",),
        name=name if isinstance(name, str) and name.strip() else None,
        flow_type=flow_kind(metadata.get("type")) or flow_kind(value.get("type")),
        legacy=True,
        type_label=_label(metadata.get("type")) or _label(value.get("type")),
        description=_label(metadata.get("description")),
    )


def _read_module(item: Any, path: PathKey, source: Source) -> Action:
    number = path[-1] + 1
    if not isinstance(item, dict):
        raise source.error(path, f"module {number} must be an object with id and type")
    ident = item.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise source.error(path, f"module {number} has no 'id'", "every module needs a unique id")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind.strip():
        raise source.error(path, f"module '{ident}' has no 'type'", "e.g. PlayPrompt")
    parameters = item.get("parameters")
    if parameters is None:
        parameters = []
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        raise source.error(
            (*path, "parameters"), f"'parameters' of module '{ident}' must be a list of objects"
        )
    target = item.get("target") if isinstance(item.get("target"), str) else None
    metadata = _mapping(item.get("metadata"))
    flow_type, params = _legacy_params(kind, target, parameters, metadata)
    action = Action(
        ident=ident,
        type=flow_type,
        original=kind if target is None else f"{kind} ({target})",
        params=params,
        meta=metadata,
        path=path,
        legacy_params=parameters,
    )
    branches = item.get("branches")
    if branches is None:
        branches = []
    if not isinstance(branches, list):
        raise source.error((*path, "branches"), f"'branches' of module '{ident}' must be a list")
    subject = _legacy_subject(kind, parameters)
    for number_, branch in enumerate(branches):
        _read_branch(action, branch, (*path, "branches", number_), source, subject)
    return action


def _param(parameters: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for parameter in parameters:
        if parameter.get("name") == name:
            return parameter
    return None


def _param_value(parameters: list[dict[str, Any]], name: str) -> str | None:
    parameter = _param(parameters, name)
    if parameter is None:
        return None
    return legacy_reference(parameter.get("namespace"), parameter.get("value"))


def _legacy_params(
    kind: str, target: str | None, parameters: list[dict[str, Any]], metadata: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The flow-language type and parameters of an older module."""
    params: dict[str, Any] = {}
    flow_type = _LEGACY_TYPES.get(kind, kind)
    text = _param_value(parameters, "Text")
    if text is not None:
        tts = _param_value(parameters, "TextToSpeechType")
        params["SSML" if tts == "ssml" else "Text"] = text
    audio = _param(parameters, "AudioPrompt")
    if audio is not None:
        name = audio.get("resourceName") or metadata.get("promptName")
        params["PromptId"] = _text(name) or legacy_reference(
            audio.get("namespace"), audio.get("value")
        )
    timeout = _param_value(parameters, "Timeout")
    if timeout is not None:
        params["InputTimeLimitSeconds"] = timeout
    if kind in ("StoreUserInput", "StoreCustomerInput"):
        params["StoreInput"] = "True"
        if _param_value(parameters, "CustomerInputType") == "PhoneNumber":
            params["InputValidation"] = {"PhoneNumberValidation": {"NumberFormat": "Local"}}
    elif kind == "GetUserInput":
        bot = _param_value(parameters, "BotName")
        if target == "Lex" or bot is not None:
            flow_type = "ConnectParticipantWithLexBot"
            params["LexBot"] = {"Name": bot or "", "Alias": _param_value(parameters, "BotAlias")}
        else:
            params["StoreInput"] = "False"
    elif kind == "Transfer":
        flow_type = _transfer_type(target, parameters)
    if flow_type in ("TransferToFlow", "UpdateContactEventHooks"):
        flow = _param(parameters, "ContactFlowId")
        if flow is not None:
            params["ContactFlowId"] = _text(flow.get("resourceName")) or _text(flow.get("value"))
    if flow_type == "TransferParticipantToThirdParty":
        number = _param_value(parameters, "PhoneNumber") or _param_value(
            parameters, "ThirdPartyPhoneNumber"
        )
        params["ThirdPartyPhoneNumber"] = number
        params["ContinueFlowExecution"] = _param_value(parameters, "ContinueFlowExecution")
    if kind == "SetQueue":
        queue = _param(parameters, "Queue")
        agent = _param(parameters, "Agent")
        if queue is not None:
            params["QueueId"] = _text(queue.get("resourceName")) or legacy_reference(
                queue.get("namespace"), queue.get("value")
            )
        if agent is not None:
            params["AgentId"] = legacy_reference(agent.get("namespace"), agent.get("value"))
    if kind == "InvokeExternalResource":
        params["LambdaFunctionARN"] = _param_value(parameters, "FunctionArn")
        params["LambdaInvocationAttributes"] = _key_values(parameters, "Parameter")
    if kind in ("SetAttributes", "SetScreenPop"):
        params["Attributes"] = _key_values(parameters, "Attribute")
        if kind == "SetScreenPop":
            params["Attributes"].update(_screen_pop(parameters))
    if kind == "SetCallBackNumber":
        params["CallbackNumber"] = _param_value(parameters, "CallBackNumber")
    if kind == "SetVoice":
        params["TextToSpeechVoice"] = _param_value(parameters, "GlobalVoice")
    if kind in ("CheckAttribute",):
        attribute = _param(parameters, "Attribute")
        namespace = _param(parameters, "Namespace")
        if attribute is not None:
            params["ComparisonValue"] = legacy_reference(
                namespace.get("value") if namespace else None, attribute.get("value")
            )
    return flow_type, params


def _transfer_type(target: str | None, parameters: list[dict[str, Any]]) -> str:
    if target == "Queue":
        return "TransferContactToQueue"
    if target == "PhoneNumber":
        return "TransferParticipantToThirdParty"
    if target == "Flow" or _param(parameters, "ContactFlowId") is not None:
        return "TransferToFlow"
    return "Transfer"


def _key_values(parameters: list[dict[str, Any]], name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for parameter in parameters:
        key = parameter.get("key")
        if parameter.get("name") == name and isinstance(key, str):
            found[key] = legacy_reference(parameter.get("namespace"), parameter.get("value")) or ""
    return found


def _screen_pop(parameters: list[dict[str, Any]]) -> dict[str, str]:
    key = _param_value(parameters, "key")
    value = _param(parameters, "value")
    if key is None or value is None:
        return {}
    return {key: legacy_reference(value.get("namespace"), value.get("value")) or ""}


def _legacy_subject(kind: str, parameters: list[dict[str, Any]]) -> str | None:
    if kind == "CheckAttribute":
        attribute = _param(parameters, "Attribute")
        namespace = _param(parameters, "Namespace")
        if attribute is not None:
            return legacy_reference(
                namespace.get("value") if namespace else None, attribute.get("value")
            )
    if kind == "CheckStaffing":
        return f"staffing ({_param_value(parameters, 'Status') or 'Staffed'})"
    return None


def _read_branch(
    action: Action, branch: Any, path: PathKey, source: Source, subject: str | None
) -> None:
    if not isinstance(branch, dict):
        raise source.error(path, "a branch must be an object with condition and transition")
    name = branch.get("condition")
    if not isinstance(name, str) or not name:
        raise source.error(path, f"a branch of module '{action.ident}' has no 'condition'")
    transition = branch.get("transition")
    if transition is None or transition == "":
        return
    if not isinstance(transition, str):
        raise source.error(path, "'transition' must be the id of a module")
    route = Route(transition, path)
    if name == "Success":
        if action.next is None:
            action.next = route
        else:
            action.conditions.append(Condition("Equals", ("Success",), route))
    elif name in ("True", "False"):
        action.conditions.append(Condition("Equals", (name,), route, subject))
    elif name == "Evaluate" or "conditionType" in branch:
        operator = _text(branch.get("conditionType")) or "Equals"
        operand = _text(branch.get("conditionValue"))
        label = subject if name == "Evaluate" else _spaced(name)
        action.conditions.append(
            Condition(operator, (operand,) if operand is not None else (), route, label)
        )
    elif name == "Timeout" and action.type != "GetParticipantInput":
        action.errors.append((name, route))
    else:
        action.errors.append((_LEGACY_ERRORS.get(name, name), route))


def _spaced(name: str) -> str:
    """``CheckQueueTime`` -> ``check queue time``."""
    words: list[str] = []
    for char in name:
        if char.isupper() and words:
            words.append(" ")
        words.append(char.lower())
    return "".join(words)
