"""The menu model: the one in-memory form every input format is converted to.

A :class:`Menu` is a set of named nodes and a start node.  Each node type is a
small frozen pydantic model; the JSON Schema that ``ivraudit schema`` prints is
generated from these classes, so the schema and the code cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
)

from ivraudit.model.errors import Position
from ivraudit.model.words import NATIVE, Words

FORMAT_VERSION = 1

#: The identity fields ivraudit knows; config may add more.
IDENTITY_FIELDS: tuple[str, ...] = (
    "account_number",
    "customer_id",
    "date_of_birth",
    "pin",
    "passcode",
    "postcode",
    "phone_number",
    "card_number",
    "national_id",
    "name",
    "address",
    "email",
    "security_answer",
    "policy_number",
)


# YAML reads `next: 100` as a number; node ids and keys are text.  Every model sets
# coerce_numbers_to_str, so pydantic turns such numbers into text natively (fast).
NodeId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="The name of a node in this menu."),
]
DtmfKey = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[0-9A-D*#]{1,20}|/.{1,200}/)$"),
    Field(
        description="Keys the caller presses: digits, '*', '#' (e.g. '1', '0', '*', '123'), "
        "or a /regular expression/ over the keys pressed."
    ),
]
Seconds = Annotated[float, Field(ge=0, le=3600, description="A duration in seconds.")]
Retries = Annotated[int, Field(ge=0, le=100)]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, coerce_numbers_to_str=True
    )


class Audit(_Frozen):
    """Node-level suppression: ``audit: {ignore: [ID001], reason: "..."}``."""

    ignore: list[str] = Field(
        default_factory=list, description="Rule ids, prefixes or names not to report here."
    )
    reason: str | None = Field(default=None, description="Why these findings are accepted.")


class NodeBase(_Frozen):
    """Fields every node type has."""

    say: str | None = Field(
        default=None, description="What the caller hears, as text (spoken by TTS or recorded)."
    )
    play: str | None = Field(
        default=None, description="An audio file or URL played to the caller (text unknown)."
    )
    recording_note: str | None = Field(
        default=None,
        description="What the author noted beside the recording in 'play' (a dialplan comment): "
        "often its words, sometimes what it is for. Read only for whether a hangup gives a "
        "reason, never as words the caller is known to hear.",
    )
    note: str | None = Field(default=None, description="A note for people reading the menu.")
    audit: Audit | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        """Yield ``(via, key, target)`` for every route out of this node, in file order.

        ``via`` is the edge kind of DESIGN.md §3; ``key`` is the DTMF key,
        speech phrase or case number where there is one.
        """
        return iter(())


class _Prompted(NodeBase):
    """A node that waits for the caller: a menu or an ask."""

    no_input: NodeId | None = Field(
        default=None, description="Where the call goes when the caller says or presses nothing."
    )
    no_match: NodeId | None = Field(
        default=None, description="Where the call goes on an invalid key or phrase."
    )
    retries: Retries | None = Field(
        default=None, description="How many times the platform re-prompts before giving up."
    )
    retries_exhausted: NodeId | None = Field(
        default=None, description="Where the call goes when the retries are used up."
    )
    timeout: Seconds | None = Field(
        default=None, description="Seconds of silence before no_input (default from config)."
    )

    def _error_targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        for via in ("no_input", "no_match", "retries_exhausted"):
            target = getattr(self, via)
            if target is not None:
                yield via, None, target


class MenuNode(_Prompted):
    """Offers choices: keys the caller presses and, optionally, phrases they say."""

    type: Literal["menu"]
    options: dict[DtmfKey, NodeId] = Field(
        default_factory=dict, description="DTMF key -> node, e.g. {'1': balance, '0': adviser}."
    )
    speech: dict[Annotated[str, StringConstraints(min_length=1)], NodeId] = Field(
        default_factory=dict, description="Spoken phrase -> node, e.g. {'balance': balance}."
    )

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        for key, target in self.options.items():
            yield "key", key, target
        for phrase, target in self.speech.items():
            yield "speech", phrase, target
        yield from self._error_targets()


class AskNode(_Prompted):
    """Collects one value from the caller (digits or speech)."""

    type: Literal["ask"]
    collects: str | None = Field(
        default=None,
        description="The field collected, e.g. account_number or date_of_birth. "
        "When absent it is inferred from the prompt text.",
    )
    next: NodeId | None = Field(default=None, description="Where the call goes with the value.")
    fail: NodeId | None = Field(
        default=None,
        description="Where the call goes when no valid value is given; it also handles "
        "no_input and no_match when those are not set.",
    )

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "next", None, self.next
        yield from self._error_targets()
        if self.fail is not None:
            yield "fail", None, self.fail


class SayNode(NodeBase):
    """Plays a message, then moves on."""

    type: Literal["say"]
    next: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "next", None, self.next


class Case(_Frozen):
    """One case of a branch: a condition in the platform's words and where it goes."""

    when: str = Field(description="The condition, e.g. \"caller_type == 'business'\".")
    next: NodeId
    input: NodeId | None = Field(
        default=None,
        description="The ask or menu whose answer the condition compares (e.g. a Twilio "
        "split on {{widgets.gather_1.Digits}}): callers must have just answered it.",
    )
    never: str | None = Field(
        default=None,
        description="Why the condition can never hold, when the importer can tell "
        "(e.g. it compares Digits with the finish key '#', which never arrives).",
    )


class BranchNode(NodeBase):
    """Routes on a variable or condition, without asking the caller."""

    type: Literal["branch"]
    cases: list[Case] = Field(default_factory=list)
    else_: NodeId | None = Field(default=None, alias="else")

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        for number, case in enumerate(self.cases, start=1):
            yield "case", str(number), case.next
        if self.else_ is not None:
            yield "else", None, self.else_


class HoursNode(NodeBase):
    """Routes on opening hours."""

    type: Literal["hours"]
    schedule: str | None = Field(default=None, description="The opening hours, for people.")
    open: NodeId | None = None
    closed: NodeId | None = None
    holiday: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        for via in ("open", "closed", "holiday"):
            target = getattr(self, via)
            if target is not None:
                yield via, None, target


class TransferNode(NodeBase):
    """Hands the call to a queue, a person or another number."""

    type: Literal["transfer"]
    target: str | None = Field(default=None, description="Queue, number or address.")
    human: bool = Field(default=True, description="Whether a person answers.")
    passes: list[str] = Field(
        default_factory=list, description="Collected fields handed to the agent's screen."
    )
    fail: NodeId | None = Field(
        default=None, description="Where the call goes on busy, no answer or a full queue."
    )
    waits_in_queue: bool = Field(
        default=False,
        description="The platform holds the caller in a queue until a person answers "
        "(e.g. Twilio Flex): busy and no answer never come back, so no 'fail' is needed.",
    )

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.fail is not None:
            yield "fail", None, self.fail


class VoicemailNode(NodeBase):
    """Records a message for the business."""

    type: Literal["voicemail"]
    box: str | None = Field(default=None, description="The mailbox.")
    next: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "next", None, self.next


class CallbackNode(NodeBase):
    """Books a call back to the caller."""

    type: Literal["callback"]
    next: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "next", None, self.next


HangupReason = Literal["completed", "closed", "error", "unavailable"]


class HangupNode(NodeBase):
    """Ends the call."""

    type: Literal["hangup"]
    reason: HangupReason | None = Field(
        default=None,
        description="completed (the caller was served), closed, error or unavailable.",
    )


class SubflowNode(NodeBase):
    """Runs another menu file, then continues at ``next`` when it returns."""

    type: Literal["subflow"]
    menu: str = Field(description="Path of the menu file, relative to this file.")
    next: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "return", None, self.next


class ReturnNode(NodeBase):
    """Ends a subflow: the call goes back to the calling subflow node's ``next``."""

    type: Literal["return"]


#: Why a route leaves what was read: ``run-time`` (a target known only when the call
#: runs, e.g. a variable or a lookup), ``not-given`` (a file, context, flow or
#: document that was not among the files given), ``unsupported`` (a construct of
#: the platform that ivraudit does not model).
UnknownReason = Literal["run-time", "not-given", "unsupported"]


class UnknownNode(NodeBase):
    """Where a route leaves what was read: the call goes on somewhere ivraudit cannot see.

    Rules are sound under it: no fault is reported that depends on what happens
    beyond it (it may reach a person, an outcome or a menu).  Reports count and
    list unknowns so an engineer knows which file to add.
    """

    type: Literal["unknown"]
    reason: UnknownReason = Field(
        default="not-given",
        description="run-time (a target known only when the call runs), not-given (a file, "
        "flow or context not among the files given) or unsupported (a construct not modelled).",
    )
    target: str | None = Field(
        default=None,
        description="What the platform names there, e.g. 'from-did-direct,${EXTEN},1' or a flow.",
    )


class ActionNode(NodeBase):
    """An external step, such as an API call or data lookup."""

    type: Literal["action"]
    collects: str | None = Field(
        default=None, description="A field this step learns, e.g. account_number by caller ID."
    )
    next: NodeId | None = None
    error: NodeId | None = None

    def targets(self) -> Iterator[tuple[str, str | None, NodeId]]:
        if self.next is not None:
            yield "next", None, self.next
        if self.error is not None:
            yield "error", None, self.error


_NODE_CLASSES = (
    MenuNode,
    AskNode,
    SayNode,
    BranchNode,
    HoursNode,
    TransferNode,
    VoicemailNode,
    CallbackNode,
    HangupNode,
    SubflowNode,
    ReturnNode,
    ActionNode,
    UnknownNode,
)

#: Any node, told apart by its ``type`` field.
Node = Annotated[Union[_NODE_CLASSES], Field(discriminator="type")]  # noqa: UP007

#: Node classes by their ``type`` name.
NODE_TYPES: dict[str, type[NodeBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in _NODE_CLASSES
}


@dataclass(frozen=True)
class Notice:
    """Something the platform accepts with a warning: where, and what it does about it."""

    position: Position
    message: str


#: What a menu is to callers: ``entry`` (calls start here: the caller's line),
#: ``reached`` (callers arrive only from another part: a subflow, module, queue
#: flow or subdialog; audited, but not measured as a line of its own) or
#: ``internal`` (not a caller's line at all: feature codes, outbound routes,
#: agent-side flows; only structural rules apply) or ``sample`` (a demo, test or
#: example by its own name, such as FreeSWITCH's ``demo_ivr``: audited like an
#: internal part unless config ``audit_samples`` or ``entries`` says otherwise).
Role = Literal["entry", "reached", "internal", "sample"]


class Menu(_Frozen):
    """A phone menu: named nodes and the node where every call starts."""

    ivraudit: Literal[1] = Field(description="The format version; always 1.")
    id: str | None = Field(default=None, description="A short id for the menu.")
    title: str | None = Field(default=None, description="A title for people.")
    start: NodeId | None = Field(default=None, description="The node every call starts at.")
    nodes: dict[NodeId, Node] = Field(description="Every node, by name.")

    _path: str = PrivateAttr(default="<menu>")
    _locate: Any = PrivateAttr(default=None)
    _subflows: dict[str, Menu] = PrivateAttr(default_factory=dict)
    _format: str = PrivateAttr(default="native")
    _one_of_many: bool = PrivateAttr(default=False)
    _role: Role = PrivateAttr(default="entry")
    _role_reason: str = PrivateAttr(default="")
    _notices: list[Notice] = PrivateAttr(default_factory=list)
    _words: Words = PrivateAttr(default=NATIVE)
    _about: str | None = PrivateAttr(default=None)
    _platform_code: str | None = PrivateAttr(default=None)
    _named_hooks: frozenset[str] = PrivateAttr(default=frozenset())
    _block_steps: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def path(self) -> str:
        """The file the menu was read from, or ``<menu>``."""
        return self._path

    @property
    def source_format(self) -> str:
        """The input format the menu was read from (``native``, ``twilio``, ...)."""
        return self._format

    @property
    def one_of_many(self) -> bool:
        """Whether the file this menu came from holds several flows (its ``id`` tells it)."""
        return self._one_of_many

    @property
    def role(self) -> Role:
        """What this menu is to callers: ``entry``, ``reached``, ``internal`` or ``sample``
        (:data:`Role`)."""
        return self._role

    @property
    def role_reason(self) -> str:
        """Why the menu has its role, in the platform's words (e.g. "flow type CUSTOMER_QUEUE")."""
        return self._role_reason

    @property
    def words(self) -> Words:
        """How the platform the menu was read from says what to do about findings."""
        return self._words

    @property
    def notices(self) -> list[Notice]:
        """What the platform would load with a warning (a malformed line it skips, a
        duplicate key whose last value it keeps): reported as findings (ST004)."""
        return self._notices

    @property
    def about(self) -> str | None:
        """What the part says of itself beyond its title, where the platform has a place
        for it (a VoiceXML comment saying what a form demonstrates); None if nothing."""
        return self._about

    def with_about(self, text: str | None) -> Menu:
        """Set :attr:`about` (importers do); returns the menu."""
        self._about = text
        return self

    @property
    def platform_code(self) -> str | None:
        """Why this part is the platform's own code rather than its author's (FreePBX's
        ``macro-vm``, regenerated on every reload), or None.  Routes run through it;
        findings inside it are not reported: the menu's author cannot change it."""
        return self._platform_code

    def as_platform_code(self, reason: str) -> Menu:
        """Mark the part as the platform's own code (importers do); returns the menu."""
        self._platform_code = reason
        return self

    @property
    def named_hooks(self) -> frozenset[str]:
        """Nodes the deployment names as a test or a demo where the node's own name does
        not say so (the comment of an Asterisk dispatch: ``GotoIf(...?door,s,1) ; door
        control demo``): test hooks (:mod:`ivraudit.analysis.parts`), not a caller's route."""
        return self._named_hooks

    @property
    def block_steps(self) -> frozenset[str]:
        """Action nodes that only run the block they lead to: the step an importer puts in
        front of a block that may fail (Connect's ``Main menu (runs)``, whose ``error`` is
        the block's Error branch).  A key that goes back through one goes back to the
        block itself (a repeat key)."""
        return self._block_steps

    def with_block_steps(self, nodes: frozenset[str]) -> Menu:
        """Set :attr:`block_steps` (importers do); returns the menu."""
        self._block_steps = nodes
        return self

    def with_named_hooks(self, nodes: frozenset[str]) -> Menu:
        """Set :attr:`named_hooks` (importers do); returns the menu."""
        self._named_hooks = nodes
        return self

    def with_role(self, role: Role, reason: str) -> Menu:
        """Set the role (importers and config ``entries`` decide it); returns the menu."""
        self._role = role
        self._role_reason = reason
        return self

    @property
    def subflows(self) -> dict[str, Menu]:
        """Loaded subflow menus, by the ``menu:`` path their subflow nodes name."""
        return self._subflows

    def locate(self, *path: str) -> Position:
        """The position of a node or field, e.g. ``locate("nodes", "main", "options", "1")``.

        Falls back to the nearest enclosing item with a known position.
        """
        locate = self._locate
        if locate is not None:
            found = locate(path)
            if found is not None:
                return found
        return Position(self._path, 1, 1)

    def locator(self) -> Callable[[tuple[Any, ...]], Position]:
        """:meth:`locate` taking the path as one tuple, with the menu's private state read
        once: reading a pydantic private attribute on every call cost more than the
        lookup itself on a 100,000-node menu."""
        locate, path = self._locate, self._path

        def find(where: tuple[Any, ...]) -> Position:
            found = locate(where) if locate is not None else None
            return found if found is not None else Position(path, 1, 1)

        return find


def menu_json_schema() -> dict[str, Any]:
    """The JSON Schema of the native format, generated from the models."""
    schema = Menu.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ivraudit.dev/schema/menu-v1.json"
    schema["title"] = "ivraudit menu, format version 1"
    return schema
