"""VoiceXML executable content (blocks, <filled>, event handlers) as ivraudit nodes.

A run of executable content is read in order: prompts gather into one message;
``<if>`` becomes a branch; ``<goto>``, ``<submit>``, ``<exit>``, ``<disconnect>``,
``<return>`` and ``<throw>`` end the run (what follows them never runs).  The nodes
are made from the end backwards, so each knows where it goes next; the first
node of the run takes the name the caller asked for.  A message right before a
hangup, a return or a hand-off is spoken by that node rather than a node of its
own.  When the run ends without a transition the call goes on at ``cont``: the
next form item, the item that was being retried, or -- past the last item --
the end of the form, where the VoiceXML interpreter exits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from ivraudit.formats._build import unique_id
from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.checks import undeclared
from ivraudit.formats.vxml.documents import locate
from ivraudit.formats.vxml.text import Prompt, children_and_text, prompt_of, split_uri
from ivraudit.model.errors import MenuError
from ivraudit.model.prompts import hangup_reason_from_recording, hangup_reason_from_text

if TYPE_CHECKING:
    from ivraudit.formats.vxml.dialogs import Dialog, Scope


class End:
    """The end of a form: the interpreter exits (DESIGN: an explicit hangup)."""

    def __repr__(self) -> str:
        return "END"


END = End()
Target = Union[str, End]  # noqa: UP007 (Python 3.10 cannot write str | End at runtime here)
Part = Union[XmlElement, str]  # noqa: UP007

#: Elements with no effect on where the call goes or what the caller hears.
IGNORED = frozenset(
    [
        "assign",
        "var",
        "script",
        "log",
        "property",
        "grammar",
        "meta",
        "metadata",
        "param",
        "cancel",
        "mark",
        "break",
        "catch",
        "noinput",
        "nomatch",
        "error",
        "help",
        "filled",
        "link",
        "option",
        "choice",
    ]
)
#: Elements whose words the caller hears.
SPOKEN = frozenset(["prompt", "audio", "value", "enumerate", "foreach"])
#: Elements after which nothing else in the run executes.
TERMINALS = frozenset(["goto", "submit", "exit", "disconnect", "return", "throw"])
#: The deepest nesting of <if>s and handlers that throw events, followed before an error.
MAX_NESTING = 64


@dataclass(frozen=True)
class Context:
    """Where executable content runs.

    ``owner`` is the node of the item (or menu) the content belongs to; ``retry``
    the node visited again when an event handler ends without a transition;
    ``fia_cont``/``fia_index`` the item the form interpretation algorithm visits
    next when the content ends, and its index (past the last item: the form end).
    """

    dialog: Dialog
    scope: Scope
    owner: str
    retry: str | None
    fia_cont: Target
    fia_index: int
    choices: list[tuple[str, str]] = field(default_factory=list)
    #: Content of an event handler (noinput, nomatch, error, ...), not a success path.
    in_handler: bool = False


@dataclass
class _Stage:
    kind: str
    element: XmlElement | None
    prompt: Prompt | None = None


class ContentCompiler:
    """Mixin of the VoiceXML builder: turns executable content into nodes.

    The builder provides ``path``, ``nodes``, ``expressions``, ``make``,
    ``node_id``, ``resolve_event``, ``uri_target``, ``document_target``,
    ``handoff``, ``transfer_node`` and ``item_entry``.
    """

    path: str
    nodes: dict[str, dict[str, Any]]
    taken: set[str]
    never_conds: dict[int, tuple[str, str | None]]
    #: The names the document declares (None: not known), see :func:`.checks.undeclared`.
    declared: set[str] | None
    #: The exit of each undeclared name assigned: one name is one fault, one hangup.
    undeclared_exits: dict[str, str]
    nesting = 0

    # -- the run ----------------------------------------------------------------------------

    def compile_run(
        self,
        parts: list[Part],
        ctx: Context,
        cont: Target,
        name: str,
        where: XmlElement,
        *,
        reserved: bool = False,
    ) -> Target:
        """The node the run starts at (or ``cont`` when it makes none and is not ``reserved``).

        ``reserved`` means ``name`` is an id set aside for this run, which must
        then exist: a run that makes no node of its own gets a silent one.
        """
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                raise MenuError(
                    self.path,
                    where.line,
                    where.column,
                    f"conditions and event handlers nest more than {MAX_NESTING} levels deep",
                    "ivraudit does not follow deeper nesting; flatten the conditions",
                )
            return self._compile_run(parts, ctx, cont, name, where, reserved)
        finally:
            self.nesting -= 1

    def _compile_run(
        self,
        parts: list[Part],
        ctx: Context,
        cont: Target,
        name: str,
        where: XmlElement,
        reserved: bool,
    ) -> Target:
        stages, terminal, cleared = self._scan(parts, ctx)
        target: Target = self._after_clear(ctx, cont, cleared) if terminal is None else cont
        makes_terminal = terminal is not None and self._makes_node(terminal, ctx)
        absorbed: Prompt | None = None
        ends_form = terminal is None and target is END
        if stages and stages[-1].kind == "say" and (makes_terminal or ends_form):
            absorbed = stages.pop().prompt
        # Claim ids first, in reading order, so the nodes are listed as written.
        ids = [
            self.claim(name if index == 0 else f"{name}:{stage.kind}", reserved and index == 0)
            for index, stage in enumerate(stages)
        ]
        last: str | None = None
        if makes_terminal or absorbed is not None:
            suffix = terminal.tag if terminal is not None else "end"
            last = self.claim(name if not stages else f"{name}:{suffix}", reserved and not stages)
        if terminal is not None:
            target = self._terminal(terminal, ctx, last, absorbed or Prompt())
        elif absorbed is not None and last is not None:
            target = self._end_with_prompt(absorbed, last, where, ctx)
        for index in range(len(stages) - 1, -1, -1):
            target = self._stage(stages[index], ctx, target, ids[index], where)
        if reserved and not ids and last is None:
            # Nothing here made a node: the reserved id becomes a silent step.
            onward = self.node_id(ctx, target)
            node = {"type": "say", "note": f"plays nothing; goes on to '{onward}'", "next": onward}
            return self.make(name, node, where, reserved=True)
        return target

    def claim(self, name: str, reserved: bool) -> str:
        """Set an id aside (``name`` itself when it is already reserved) and list it now."""
        node_id = name if reserved else unique_id(name, self.taken)
        self.taken.add(node_id)
        self.nodes.setdefault(node_id, {})
        return node_id

    def _scan(
        self, parts: list[Part], ctx: Context
    ) -> tuple[list[_Stage], XmlElement | None, set[int]]:
        stages: list[_Stage] = []
        prompt = Prompt()
        cleared: set[int] = set()
        for part in parts:
            if isinstance(part, str) or part.tag in SPOKEN:
                spoken = prompt_of([part], self.expressions, ctx.choices, first_visit=False)
                prompt.extend(spoken)
                if prompt.element is None and isinstance(part, XmlElement):
                    prompt.element = part
                continue
            tag = part.tag
            if tag == "clear":
                cleared |= self._cleared(part, ctx)
                continue
            if tag == "assign" and (part.get("expr") or "").strip() == "undefined":
                index = ctx.dialog.by_name.get((part.get("name") or "").strip())
                if index is not None:
                    cleared.add(index)
                continue
            wrong = undeclared(part, self.declared)
            if (tag in IGNORED or tag == "reprompt") and wrong is None:
                continue
            if not prompt.empty():
                stages.append(_Stage("say", prompt.element, prompt))
                prompt = Prompt()
            if tag in TERMINALS or wrong is not None:
                return stages, part, cleared
            stages.append(_Stage(tag if tag in ("if", "transfer", "data") else "step", part))
        return self._with_prompt(stages, prompt), None, cleared

    @staticmethod
    def _with_prompt(stages: list[_Stage], prompt: Prompt) -> list[_Stage]:
        if not prompt.empty():
            stages.append(_Stage("say", prompt.element, prompt))
        return stages

    def _cleared(self, element: XmlElement, ctx: Context) -> set[int]:
        names = (element.get("namelist") or "").split()
        if not names:
            return set(range(len(ctx.dialog.items)))
        return {ctx.dialog.by_name[name] for name in names if name in ctx.dialog.by_name}

    def _after_clear(self, ctx: Context, cont: Target, cleared: set[int]) -> Target:
        # The FIA visits the first unfilled item in document order: a cleared item
        # before the one it would visit next is visited again first.
        if not cleared or cont != ctx.fia_cont:
            return cont
        earliest = min(cleared)
        if earliest < ctx.fia_index:
            return self.item_entry(ctx.dialog, earliest)
        return cont

    # -- one stage --------------------------------------------------------------------------

    def _stage(
        self, stage: _Stage, ctx: Context, onward: Target, node_id: str, where: XmlElement
    ) -> str:
        element = stage.element or where
        if stage.kind == "say":
            assert stage.prompt is not None
            node = {"type": "say", **stage.prompt.fields(), "next": self.node_id(ctx, onward)}
            return self.make(node_id, node, element, reserved=True)
        if stage.kind == "if":
            return self._branch(element, ctx, onward, node_id)
        if stage.kind == "transfer":
            return self.transfer_node(element, ctx, onward, node_id, reserved=True)
        if stage.kind == "data":
            source = element.get("src") or element.get("srcexpr") or "?"
            node = {
                "type": "action",
                "note": f"fetches data from {source}",
                "next": self.node_id(ctx, onward),
                "error": self.resolve_event(ctx, "error.badfetch", element),
            }
            return self.make(node_id, node, element, reserved=True)
        node = {
            "type": "action",
            "note": f"<{element.tag}> is not VoiceXML 2.x executable content; "
            "ivraudit does not know what it does",
            "next": self.node_id(ctx, onward),
        }
        return self.make(node_id, node, element, reserved=True)

    def _branch(self, element: XmlElement, ctx: Context, onward: Target, node_id: str) -> str:
        self.make(node_id, {"type": "branch"}, element, reserved=True)
        cases: list[dict[str, str]] = []
        otherwise: Target = onward
        decided: list[str] = []
        for number, (cond, parts, case_element) in enumerate(split_if(element), start=1):
            holds = None if cond is None else self.conditions.decide(cond, ctx.dialog.element)
            why = "" if holds is None else self.conditions.because(cond or "", ctx.dialog.element)
            if holds is False:
                decided.append(f'cond "{cond}" never holds ({why})')
                continue
            if cond is None or holds:
                label = "else" if cond is None else str(number)
                otherwise = self.compile_run(parts, ctx, onward, f"{node_id}.{label}", case_element)
                if cond is not None:
                    decided.append(f'cond "{cond}" always holds ({why})')
                break
            target = self.compile_run(parts, ctx, onward, f"{node_id}.{number}", case_element)
            self.position(node_id, case_element, "cases", len(cases))
            case = {"when": cond, "next": self.node_id(ctx, target)}
            never = self.never_conds.get(id(case_element))
            if never is not None:
                case["never"] = never[0]  # MN008 reports it (the graph does not follow it)
            cases.append(case)
            if never is not None and never[1] is not None:
                # Only key presses never pass: what an unread voice grammar fills may.
                self.position(node_id, case_element, "cases", len(cases))
                cases.append({"when": never[1], "next": case["next"]})
        if not cases and decided:
            # Every case is decided: the <if> always runs the same content.
            onward_id = self.node_id(ctx, otherwise)
            note = "; ".join(decided) + f": goes on to '{onward_id}'"
            self.nodes[node_id] = {"type": "say", "note": note, "next": onward_id}
            return node_id
        self.nodes[node_id].update(cases=cases, **{"else": self.node_id(ctx, otherwise)})
        if decided:
            self.note(node_id, "; ".join(decided))
        return node_id

    # -- transitions ------------------------------------------------------------------------

    def _makes_node(self, element: XmlElement, ctx: Context) -> bool:
        if element.tag == "submit":
            return self._submitted(element) is None
        if element.tag in ("exit", "disconnect", "return"):
            return True
        if element.tag == "goto":
            return self._goto(element, ctx)[0] != "local"
        return False

    def _goto(self, element: XmlElement, ctx: Context) -> tuple[str, str]:
        """``("local", node)``, ``("document", uri)`` or ``("dynamic", expression)``."""
        item = element.get("nextitem")
        if item is None and element.get("expritem") is not None:
            item = self.expressions.evaluate(element.get("expritem"))
            if item is None:
                return "dynamic", str(element.get("expritem"))
        if item is not None:
            return "local", self.item_target(ctx, item.strip(), element)
        uri = element.get("next")
        if uri is None and element.get("expr") is not None:
            uri = self.expressions.evaluate(element.get("expr"))
            if uri is None:
                return "dynamic", str(element.get("expr"))
        if uri is None:
            raise MenuError(
                self.path,
                element.line,
                element.column,
                "<goto> has no next, expr, nextitem or expritem",
                'say where it goes, e.g. next="#main"',
            )
        found = self.uri_target(uri)
        if found is not None:
            return "local", found
        return "document", uri.strip()

    def _submitted(self, element: XmlElement) -> str | None:
        """Where a <submit> with a literal ``next`` naming a document of the estate leads."""
        uri = element.get("next")
        if uri is None or split_uri(uri, self.path).document is None:
            return None
        return self.document_target(uri)

    def _terminal(
        self, element: XmlElement, ctx: Context, node_id: str | None, prompt: Prompt
    ) -> Target:
        """Where a transition leads; ``node_id`` is claimed when it makes a node."""
        tag = element.tag
        spoken = prompt.fields()
        where = prompt.element or element
        if tag == "throw":
            event = element.get("event") or self.expressions.evaluate(element.get("eventexpr"))
            return self.resolve_event(ctx, (event or "").strip() or "error.semantic", element)
        if tag == "assign":
            return self._undeclared_assign(element, ctx)
        kind, value = self._goto(element, ctx) if tag == "goto" else ("", "")
        if kind == "local":
            return value
        submitted = self._submitted(element) if tag == "submit" else None
        if submitted is not None:
            return submitted
        assert node_id is not None
        if tag in ("exit", "disconnect"):
            what = "disconnects the call" if tag == "disconnect" else "exits the interpreter"
            node = {"type": "hangup", **spoken, "note": f"<{tag}/>: {what}"}
            return self.make(node_id, node, where, reserved=True)
        if tag == "return":
            node = {"type": "return", **spoken}
            names = (element.get("namelist") or "").split()
            if names:
                node["note"] = f"returns {', '.join(names)} to the calling dialog"
            return self.make(node_id, node, where, reserved=True)
        if tag == "submit":
            uri = element.get("next") or self.expressions.evaluate(element.get("expr"))
            shown = uri or "{" + str(element.get("expr")) + "}"
            names = " ".join((element.get("namelist") or "").split())
            sent = f" with {names}" if names else ""
            note = f"submits{sent} to {shown}; the server's answer is the next document"
            if uri is None:
                note += ", at an address worked out during the call"
            else:
                note += f": {locate(self.estate, self.path, uri).why}"
            reason = "run-time" if uri is None else "not-given"
            return self.handoff(shown, note, node_id, where, spoken, reserved=True, reason=reason)
        if kind == "dynamic":
            note = f"goes where the expression {value} says, worked out during the call"
            return self.handoff(
                f"{{{value}}}", note, node_id, where, spoken, reserved=True, reason="run-time"
            )
        return self.handoff(value, None, node_id, where, spoken, reserved=True)

    def _undeclared_assign(self, element: XmlElement, ctx: Context) -> str:
        """VoiceXML 2.0 section 5.3.2: assigning a variable no scope declares throws
        error.semantic, and what follows the ``<assign>`` never runs.  With no handler for
        it, the default handler exits the interpreter (section 5.2.5): a hangup here."""
        why = (
            f'<assign name="{element.get("name")}"> writes a variable that no <var> or '
            "script of the document declares: VoiceXML throws error.semantic"
        )
        if self.select(ctx.scope, "error.semantic", 1) is not None:
            target = self.resolve_event(ctx, "error.semantic", element)
            self.note(target, f"{why} (line {element.line})")
            return target
        # One undeclared name is one fault: every <assign> to it ends at the first one's exit.
        name = element.get("name") or ""
        exits = self.undeclared_exits
        if name in exits:
            return exits[name]
        node = {
            "type": "hangup",
            "reason": "error",
            "note": f"{why}, and no <error> or <catch> handles it: VoiceXML's default "
            "handler exits the interpreter",
        }
        exits[name] = self.make(f"{ctx.owner}:assign", node, element)
        return exits[name]

    def _end_with_prompt(
        self, prompt: Prompt, node_id: str, where: XmlElement, ctx: Context
    ) -> str:
        node: dict[str, Any] = {
            "type": "hangup",
            **prompt.fields(),
            "note": "the form ends with no transition: the VoiceXML interpreter exits",
        }
        if not ctx.in_handler and not self.returns and served(prompt):
            # The implicit exit after the caller was served (VoiceXML 2.1 section 2.1.6.2):
            # the document has done its work and says so.
            node["reason"] = "completed"
            node["note"] += (
                " after the caller was served (this is not an event handler, and the last "
                "prompt does not signal a failure)"
            )
        return self.make(node_id, node, prompt.element or where, reserved=True)


#: Words of a last prompt that says the caller was not served (or should try again), in
#: the languages of the documents ivraudit has met.
_FAILURE = re.compile(
    r"\b(?:sorry|try (?:again|another|later)|error|invalid|cannot|can't|unable|not (?:possible|"
    r"available|valid|recogni[sz]ed|found)|failed|problem"
    r"|spiacente|riprova|prova(?:re)? (?:a|di|ancora|più)|errore|non (?:è|e') (?:possibile|valido)"
    r"|non ho (?:capito|riconosciuto|sentito)|impossibile"
    r"|désolé|desole|erreur|réessayez|reessayez|impossible"
    r"|lo siento|intente|inténtelo|error|no es posible|no válid[oa])",
    re.IGNORECASE,
)


def served(prompt: Prompt) -> bool:
    """Whether the last words end a served call: known words that signal no failure, or
    a recording whose name says goodbye (a recording's words are otherwise unknown)."""
    text = " ".join(prompt.texts)
    recording = hangup_reason_from_recording(", ".join(prompt.audio) or None)
    if _FAILURE.search(text) or recording in ("error", "unavailable", "closed"):
        return False
    if hangup_reason_from_text(text) in ("error", "unavailable", "closed"):
        return False
    return bool(prompt.texts) or recording == "completed"


def split_if(element: XmlElement) -> list[tuple[str | None, list[Part], XmlElement]]:
    """``[(cond, parts, element)]`` of an ``<if>``: its cases, then ``(None, ...)`` for else."""
    cases: list[tuple[str | None, list[Part], XmlElement]] = []
    cond: str | None = " ".join((element.get("cond") or "").split()) or "true"
    current: list[Part] = []
    start = element
    for part in children_and_text(element):
        if isinstance(part, XmlElement) and part.tag in ("elseif", "else"):
            cases.append((cond, current, start))
            cond = None if part.tag == "else" else " ".join((part.get("cond") or "").split())
            current = []
            start = part
            continue
        current.append(part)
    cases.append((cond, current, start))
    return cases
