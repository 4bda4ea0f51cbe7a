"""Asterisk priorities -> ivraudit nodes.

A call runs priority after priority.  Most priorities (Set, NoOp, Answer) change
nothing a caller notices; they are folded into the next step that does, and a
plain ``Goto`` becomes an edge.  Prompts are merged into what follows them (a
menu, a question, a transfer, a hang-up), so each node is something a caller
experiences.  Node ids read like the dialplan, ``context,extension,priority``
(the priority's label when it has one), and every node points at its line.

Nothing here recurses on the input: chains of steps are followed in loops, and
the only recursion is over the small fixed-depth target structures.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Union

from ivraudit.formats._build import unique_id
from ivraudit.formats.asterisk.apps import (
    DOMAINS,
    SAY_APPS,
    Kind,
    app_args,
    classify,
    closed_label,
    goto_parts,
    inner_app,
    priority_and_args,
    read_test,
)
from ivraudit.formats.asterisk.match import (
    Pattern,
    has_variables,
    is_dialable,
    normalize,
    substitute,
)
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, Step
from ivraudit.model.errors import Position

#: Most cases a jump to a run-time extension may fan out to before it is left opaque.
MAX_DYNAMIC_CASES = 60
SPECIAL_EXTENSIONS = frozenset(["a", "e", "h", "i", "o", "s", "t", "T", "fax", "talk"])


@dataclass(frozen=True)
class Loc:
    """Where a call is: a priority, run while the channel is in context ``chan``."""

    chan: str
    step: Step


@dataclass(frozen=True)
class Cases:
    """A run-time choice between places (the value of a variable, the caller ID)."""

    cases: tuple[tuple[str, Target], ...]
    otherwise: Target | None = None


@dataclass(frozen=True)
class Timed:
    """A choice made by the clock (``include => ctx,9:00-17:00,mon-fri,*,*``)."""

    schedule: str
    open: Target
    closed: Target | None


@dataclass(frozen=True)
class Unknown:
    """A place ivraudit cannot see: computed at run time, or in a file it could not read."""

    note: str


@dataclass(frozen=True)
class Missing:
    """A place that certainly does not exist (a typo): the graph shows it as missing."""

    name: str


@dataclass(frozen=True)
class Ends:
    """Asterisk hangs up here by itself (``reason``: the hangup's, when known)."""

    note: str
    reason: str | None = None


Target = Union[Loc, Cases, Timed, Unknown, Missing, Ends]  # noqa: UP007
_FALLOFF = "falloff"
#: Marks a node that only passes the call on (a branch whose ways all meet): removed later.
ALIAS = "_alias"
#: The fields of a node (as a dict) that name one target node.
TARGET_FIELDS = (
    "next",
    "no_input",
    "no_match",
    "fail",
    "error",
    "retries_exhausted",
    "else",
    "open",
    "closed",
    "holiday",
)


class Pool:
    """The nodes of one mode: ``main`` (calls and Gosub) or ``macro`` (Macro ends return)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.nodes: dict[str, dict[str, Any]] = {}
        self.where: dict[tuple[Any, ...], Position] = {}
        self.ids: dict[tuple[Any, ...], str] = {}
        self.taken: set[str] = set()
        self.memo: dict[tuple[str, int], str] = {}
        #: subflow node id -> (callee mode, entry place, subflow key)
        self.calls: dict[str, tuple[str, Loc, str]] = {}
        #: ids of removed pass-on nodes -> where they lead
        self.renamed: dict[str, str] = {}
        #: nodes added since the last clean-up
        self.fresh: list[str] = []

    def claim(self, key: tuple[Any, ...], wanted: str) -> tuple[str, bool]:
        """The id for ``key`` (made unique on first use) and whether it is new."""
        known = self.ids.get(key)
        if known is not None:
            return known, False
        node_id = unique_id(wanted, self.taken)
        self.ids[key] = node_id
        return node_id, True

    def add(self, node_id: str, node: dict[str, Any], where: Position) -> None:
        self.nodes[node_id] = {key: value for key, value in node.items() if value is not None}
        self.where[("nodes", node_id)] = where
        self.fresh.append(node_id)


class Flow:
    """Turns a parsed dialplan into node pools, on demand from the places calls enter."""

    def __init__(self, plan: Dialplan) -> None:
        self.plan = plan
        self.contexts = plan.contexts
        self.constants = constant_globals(plan)
        self.pools = {"main": Pool("main"), "macro": Pool("macro")}
        self.queue: deque[Callable[[], None]] = deque()
        self._kinds: dict[tuple[str, int], Kind] = {}
        self._walks: dict[str, list[tuple[Context, str | None]]] = {}
        self._literals: dict[str, dict[str, list[Extension]]] = {}
        self._patterns: dict[str, list[Extension]] = {}
        self._aliases: dict[str, str] = {}
        self.numbered, self.any_numbered = numeric_targets(plan, self.walk)
        unread = sorted({item.name for item in plan.unread})
        self.unread_text = ", ".join(f"'{name}'" for name in unread[:3]) + (
            ", ..." if len(unread) > 3 else ""
        )

    # -- running the queue ---------------------------------------------------------------

    def run(self) -> None:
        """Build every node that has been asked for, and those they lead to."""
        while self.queue:
            self.queue.popleft()()
        for pool in self.pools.values():
            _collapse(pool)

    def resolve(self, pool: Pool, node_id: str) -> str:
        """A node id, after nodes that only pass the call on have been removed."""
        return pool.renamed.get(node_id, node_id)

    # -- contexts and lookups ------------------------------------------------------------

    def canonical(self, name: str) -> str:
        """A context with nothing of its own but one include is the context it includes."""
        known = self._aliases.get(name)
        if known is not None:
            return known
        seen = [name]
        current = name
        while True:
            context = self.contexts.get(current)
            if (
                context is None
                or context.extensions
                or context.switches
                or len(context.includes) != 1
                or context.includes[0].timing
                or context.includes[0].name not in self.contexts
                or context.includes[0].name in seen
            ):
                break
            current = context.includes[0].name
            seen.append(current)
        for each in seen:
            self._aliases[each] = current
        return current

    def walk(self, name: str) -> list[tuple[Context, str | None]]:
        """The contexts Asterisk searches for an extension, in order, with their time limits."""
        known = self._walks.get(name)
        if known is not None:
            return known
        order: list[tuple[Context, str | None]] = []
        seen: set[str] = set()
        stack: list[tuple[str, str | None]] = [(name, None)]
        while stack:
            current, timing = stack.pop()
            context = self.contexts.get(current)
            if context is None or current in seen:
                continue
            seen.add(current)
            order.append((context, timing))
            for include in reversed(context.includes):
                joined = " and ".join(part for part in (timing, include.timing) if part) or None
                stack.append((include.name, joined))
        self._walks[name] = order
        return order

    def literals(self, context: Context) -> dict[str, list[Extension]]:
        known = self._literals.get(context.name)
        if known is None:
            known = {}
            for extension in context.extensions.values():
                if extension.pattern is None:
                    base = normalize(extension.name.partition("/")[0])
                    known.setdefault(base, []).append(extension)
            for group in known.values():
                group.sort(key=lambda ext: (ext.cid is None, ext.order))
            self._literals[context.name] = known
        return known

    def patterns(self, context: Context) -> list[Extension]:
        known = self._patterns.get(context.name)
        if known is None:
            known = [ext for ext in context.extensions.values() if ext.pattern is not None]
            known.sort(key=lambda ext: (ext.pattern.sort_key(), ext.order))  # type: ignore[union-attr]
            self._patterns[context.name] = known
        return known

    def matching(self, context: Context, test: Extension | str) -> Iterator[Extension]:
        """Extensions of one context a dialed string (or an extension's strings) can reach."""
        if isinstance(test, str):
            yield from self.literals(context).get(normalize(test), ())
            for extension in self.patterns(context):
                if extension.pattern.matches(test):  # type: ignore[union-attr]
                    yield extension
            return
        if test.pattern is None:
            yield from self.matching(context, test.name.partition("/")[0])
            return
        for extension in self.patterns(context):
            if extension is test or test.pattern.intersects(extension.pattern):  # type: ignore[arg-type]
                yield extension

    def find(
        self, chan: str, test: Extension | str, want: int | str, first: Extension | None = None
    ) -> list[tuple[str | None, str | None, Step]]:
        """Steps with priority (or label) ``want`` a lookup reaches, in Asterisk's order.

        Each hit is ``(timing, condition, step)``; the list ends at the first
        hit that holds whatever the clock or the caller ID say.
        """
        hits: list[tuple[str | None, str | None, Step]] = []
        if first is not None:
            step = _step_of(first, want)
            if step is not None:
                return [(None, None, step)]
        for context, timing in self.walk(chan):
            for extension in self.matching(context, test):
                step = _step_of(extension, want)
                if step is None:
                    continue
                condition = f"the caller ID is {extension.cid}" if extension.cid else None
                hits.append((timing, condition, step))
                if timing is None and condition is None:
                    return hits
        return hits

    def exists(self, chan: str, test: str) -> bool:
        return any(
            next(self.matching(context, test), None) is not None for context, _ in self.walk(chan)
        )

    def hits_target(self, chan: str, hits: list[tuple[str | None, str | None, Step]]) -> Target:
        target: Target | None = None
        last = hits[-1]
        if last[0] is None and last[1] is None:
            target = Loc(chan, last[2])
            hits = hits[:-1]
        else:
            target = self.invalid(chan, None)
        for timing, condition, step in reversed(hits):
            here: Target = Loc(chan, step)
            if condition is not None:
                here = Cases(((condition, here),), target)
                if timing is None:
                    target = here
                    continue
                target = Timed(timing, here, target)
            else:
                target = Timed(timing or "", here, target)
        return target

    def locate(self, chan: str, exten: str, priority: str, here: Loc | None = None) -> Target:
        """Where ``Goto(chan,exten,priority)`` lands, as Asterisk would find it."""
        if has_variables(chan):
            return Unknown(f"jumps to a context known only at run time ({chan})")
        if chan not in self.contexts:
            return self.no_context(chan)
        priority = priority_and_args(priority)
        chan = self.canonical(chan)
        want = self.priority(priority, here)
        if want is None:
            return Unknown(f"jumps to a priority known only at run time ({priority})")
        if has_variables(exten):
            return self.dynamic(chan, exten, want)
        hits = self.find(chan, exten, want)
        if hits:
            return self.hits_target(chan, hits)
        if self.exists(chan, exten):
            return self.absent(f"{chan},{exten},{priority}")
        switches = [text for context, _ in self.walk(chan) for text, _ in context.switches]
        if switches:
            return Unknown(
                f"jumps to {chan},{exten},{priority}, which is not in the dialplan; Asterisk "
                f"looks it up through switch => {switches[0]}, a remote dialplan"
            )
        return self.invalid(chan, exten, priority)

    def priority(self, text: str, here: Loc | None) -> int | str | None:
        text = priority_and_args(text)
        if has_variables(text) or not text:
            return None
        if text.isdigit():
            return int(text)
        if text[0] in "+-" and text[1:].isdigit() and here is not None:
            return max(1, here.step.number + int(text))
        return text

    def relative(self, here: Loc, priority: str) -> Target:
        """``Goto(label)``: a priority or label of the extension being run.

        ``Goto(${ARG1})`` -- a label chosen by the caller of a subroutine -- can only
        land on one of the extension's labels: a branch over them.
        """
        priority = priority_and_args(priority)
        want = self.priority(priority, here)
        if want is None:
            current = here.step.exten
            labels = sorted(current.labels.items(), key=lambda item: item[1])
            cases = [
                (f"{priority} is {label}", Loc(here.chan, current.steps[number]))
                for label, number in labels
                if number in current.steps
            ]
            if cases:
                # Any other value makes the Goto fail, and Asterisk hangs up: an error
                # hangup, not a jump to the 'i' extension (that is for caller input).
                fails = Ends(f"{priority} names none of these labels: the Goto fails", "error")
                return Cases(tuple(cases), fails)
            return Unknown(f"jumps to a priority known only at run time ({priority})")
        current = here.step.exten
        hits = self.find(here.chan, current, want, first=current)
        if hits:
            return self.hits_target(here.chan, hits)
        return self.absent(f"{here.chan},{current.name},{priority}")

    def goto(self, here: Loc, text: str) -> Target:
        """The place a Goto/GotoIf branch names: ``[[context,]exten,]priority``."""
        parts = goto_parts(self.substituted(here, text))
        if len(parts) == 1:
            return self.relative(here, parts[0])
        if len(parts) == 2:
            return self.locate(here.chan, parts[0], parts[1], here)
        if len(parts) == 3:
            return self.locate(parts[0], parts[1], parts[2], here)
        return Unknown(f"cannot read the jump target '{text}'")

    def handler(self, chan: str, name: str) -> Target | None:
        """The ``i``/``t``/``e``/``o``/``a`` extension of a context, if it has one."""
        hits = self.find(chan, name, 1)
        return self.hits_target(chan, hits) if hits else None

    def invalid(self, chan: str, exten: str | None, priority: str = "1") -> Target:
        """Where a call for an extension the context lacks goes: 'i', 'e', or nowhere."""
        found = self.handler(chan, "i") or self.handler(chan, "e")
        if found is not None:
            return found
        if exten is None:
            return Ends(f"no extension of '{chan}' matches: Asterisk hangs up")
        return self.absent(f"{chan},{exten},{priority}")

    def absent(self, name: str) -> Target:
        if self.plan.unread:
            return Unknown(
                f"jumps to {name}, which is not in the files read; it may be in "
                f"{self.unread_text}, which could not be read"
            )
        return Missing(name)

    def no_context(self, name: str) -> Target:
        if self.plan.unread:
            return Unknown(
                f"jumps to context '{name}', which is not in the files read; it may be in "
                f"{self.unread_text}, which could not be read"
            )
        return Unknown(
            f"jumps to context '{name}', which this dialplan does not define (Asterisk needs "
            "it from another configuration file, or the jump fails)"
        )

    def dynamic(self, chan: str, exten: str, want: int | str) -> Target:
        """A jump to an extension computed at run time, in a known context."""
        domain = re.fullmatch(r"([^${}]*)\$\{(\w+)\}([^${}]*)", exten)
        if domain and domain.group(2) in DOMAINS:
            prefix, variable, suffix = domain.groups()
            cases: list[tuple[str, Target]] = []
            for value in DOMAINS[variable]:
                literal = prefix + value + suffix
                hits = self.find(chan, literal, want)
                target = self.hits_target(chan, hits) if hits else self.invalid(chan, literal)
                cases.append((f"${{{variable}}} is {value}", target))
            # Any other value (ANSWER, CANCEL, ...) goes where a pattern catches it, or to 'i'.
            other = prefix + "OTHER" + suffix
            hits = self.find(chan, other, want)
            rest = self.hits_target(chan, hits) if hits else self.invalid(chan, other)
            return Cases(tuple(cases), rest)
        start = re.split(r"\$[{\[]", exten, maxsplit=1)[0]
        end = re.split(r"[}\]]", exten)[-1]
        probe = Pattern.parse("_" + "".join(f"[{c}]" for c in normalize(start)) + "!")
        cases = []
        seen: set[str] = set()
        for context, _ in self.walk(chan):
            for extension in context.extensions.values():
                name = extension.name.partition("/")[0]
                if extension.key in seen or name in ("h",) or _step_of(extension, want) is None:
                    continue
                if extension.pattern is None:
                    plain = normalize(name)
                    if not plain.startswith(normalize(start)) or not plain.endswith(normalize(end)):
                        continue
                    when = f"{exten} is {name}"
                elif start and not extension.pattern.intersects(probe):
                    continue
                else:
                    when = f"{exten} matches {name}"
                seen.add(extension.key)
                cases.append((when, Loc(chan, _step_of(extension, want))))  # type: ignore[arg-type]
        if not cases:
            return Unknown(f"jumps to extension {exten} of '{chan}', known only at run time")
        if len(cases) > MAX_DYNAMIC_CASES:
            return Unknown(
                f"jumps to extension {exten} of '{chan}', known only at run time: one of "
                f"{len(cases)} extensions"
            )
        if len(cases) == 1:
            return cases[0][1]
        return Cases(tuple(cases), self.invalid(chan, None))

    # -- what a step does ----------------------------------------------------------------

    def substituted(self, loc: Loc, text: str) -> str:
        exten = loc.step.exten
        literal = None if exten.pattern is not None else exten.name.partition("/")[0]
        return substitute(text, self.constants, literal, loc.chan)

    def kind(self, loc: Loc) -> Kind:
        key = (loc.chan, id(loc.step))
        known = self._kinds.get(key)
        if known is None:
            data = self.substituted(loc, loc.step.data)
            known = loc.step.kind if data == loc.step.data else classify(loc.step.app, data)
            if known.tag in ("execif", "execiftime"):
                known = self._simple_execif(loc, known)
            if known.tag == "prompt" and not known.say and not known.play:
                known = Kind("pass", known.app)
            self._kinds[key] = known
        return known

    def _simple_execif(self, loc: Loc, kind: Kind) -> Kind:
        then = self.inner(loc, kind.then)
        otherwise = self.inner(loc, kind.otherwise)
        if then.tag == "pass" and otherwise.tag == "pass":
            return Kind("pass", kind.app)
        if kind.tag == "execif" and then.tag == "prompt" and kind.otherwise is None:
            then.note = f"played only when {kind.cond}"
            then.app = kind.app
            return then
        return kind

    def inner(self, loc: Loc, text: str | None) -> Kind:
        if not text:
            return Kind("pass")
        app, data = inner_app(text)
        return classify(app, data)

    def successor(self, loc: Loc) -> Loc | str:
        """The next priority Asterisk runs, or ``_FALLOFF`` when there is none."""
        extension = loc.step.exten
        number = loc.step.number + 1
        step = extension.steps.get(number)
        if step is not None:
            return Loc(loc.chan, step)
        # Asterisk looks the next priority up by the dialed number, so another
        # matching extension may carry on (exten => _X.,1,... then _X!,2,...).
        for context, _ in self.walk(loc.chan):
            for other in self.matching(context, extension):
                found = other.steps.get(number)
                if found is not None and other is not extension:
                    return Loc(loc.chan, found)
        return _FALLOFF

    def is_target(self, step: Step) -> bool:
        """Whether a call can arrive at this priority other than from the one before it."""
        return (
            step.label is not None
            or step.number == 1
            or step.number in self.any_numbered
            or step.number in self.numbered.get(step.context, ())
        )

    def passes(self, loc: Loc) -> Loc | str:
        """The first priority from ``loc`` on that is not bookkeeping."""
        current: Loc | str = loc
        for _ in range(len(loc.step.exten.steps) + 2):
            if not isinstance(current, Loc) or self.kind(current).tag != "pass":
                return current
            current = self.successor(current)
        return current

    def while_end(self, loc: Loc) -> Loc | None:
        """The EndWhile matching a While, searching forward as Asterisk does."""
        return self._matching(loc, +1, "endwhile", "while")

    def while_start(self, loc: Loc) -> Loc | None:
        """The While that encloses ``loc`` (an EndWhile, ContinueWhile or ExitWhile)."""
        return self._matching(loc, -1, "while", "endwhile")

    def _matching(self, loc: Loc, direction: int, wanted: str, nested: str) -> Loc | None:
        """The first ``wanted`` application from ``loc`` in ``direction`` that is not
        paired with a ``nested`` one on the way (nested loops are skipped over)."""
        depth = 0
        extension = loc.step.exten
        number = loc.step.number + direction
        while number in extension.steps:
            app = extension.steps[number].app.strip().lower()
            if app == nested:
                depth += 1
            elif app == wanted:
                if depth == 0:
                    return Loc(loc.chan, extension.steps[number])
                depth -= 1
            number += direction
        return None

    def fold(self, loc: Loc) -> Loc | str | None:
        """Where a step the caller does not notice leads (None: the step is a node)."""
        kind = self.kind(loc)
        tag = kind.tag
        if tag == "pass":
            return self.successor(loc)
        if tag == "goto" and kind.target:
            target = self.goto(loc, kind.target)
            return target if isinstance(target, Loc) else None
        if tag == "gotoif":
            then = self.goto(loc, kind.then) if kind.then else self.successor(loc)
            otherwise = self.goto(loc, kind.otherwise) if kind.otherwise else self.successor(loc)
            if isinstance(then, Loc) and isinstance(otherwise, Loc):
                first, second = self.passes(then), self.passes(otherwise)
                if (
                    isinstance(first, Loc)
                    and isinstance(second, Loc)
                    and first.step is second.step
                    and first.chan == second.chan
                ):
                    return then
            return None
        if tag == "while":
            end = self.while_end(loc)
            if end is None:
                return self.successor(loc)
            follow = self.successor(loc)
            body = self.passes(follow) if isinstance(follow, Loc) else follow
            if isinstance(body, Loc) and body.step is end.step:
                return self.successor(end)
            return None
        if tag in ("endwhile", "continuewhile"):
            start = self.while_start(loc)
            return start if start is not None else self.successor(loc)
        if tag == "exitwhile":
            start = self.while_start(loc)
            end = self.while_end(start) if start is not None else None
            return self.successor(end) if end is not None else self.successor(loc)
        return None

    # -- entering places -----------------------------------------------------------------

    def step_id(self, loc: Loc) -> str:
        """``context,extension,priority``: the priority's label, or that of the bookkeeping
        priorities just before it (``n(menu),Set(...)`` then ``n,Read(...)`` reads "menu")."""
        step = loc.step
        name = step.label
        number = step.number - 1
        steps = step.exten.steps
        while name is None and number in steps:
            before = Loc(loc.chan, steps[number])
            if self.kind(before).tag != "pass":
                break
            name = before.step.label
            number -= 1
        return f"{loc.chan},{step.exten.name},{name or step.number}"

    def enter(self, pool: Pool, loc: Loc) -> str:
        """The id of the node a call is at when it arrives at ``loc``."""
        path: list[tuple[str, int]] = []
        seen: set[tuple[str, int]] = set()
        current = loc
        while True:
            key = (current.chan, id(current.step))
            known = pool.memo.get(key)
            if known is not None:
                result = known
                break
            if key in seen:
                result = self._loop(pool, current)
                break
            seen.add(key)
            path.append(key)
            follow = self.fold(current)
            if follow is None:
                result = self._allocate(pool, current)
                break
            if not isinstance(follow, Loc):
                result = self.falloff(pool, current)
                break
            current = follow
        for key in path:
            pool.memo[key] = result
        return pool.renamed.get(result, result)

    def after(self, pool: Pool, loc: Loc) -> str:
        """The node reached when ``loc`` is done and the call goes to the next priority."""
        follow = self.successor(loc)
        if isinstance(follow, Loc):
            return self.enter(pool, follow)
        return self.falloff(pool, loc)

    def _allocate(self, pool: Pool, loc: Loc) -> str:
        wanted = self.step_id(loc)
        if wanted in pool.taken and loc.chan != loc.step.context:
            # Two included contexts give this context the same extension (a timed include
            # and its fallback): name the second after the context it is written in.
            wanted = self.step_id(Loc(loc.step.context, loc.step))
        node_id, new = pool.claim(("step", loc.chan, id(loc.step)), wanted)
        if new:
            self.queue.append(lambda: self._build(pool, loc, node_id))
        return node_id

    def _loop(self, pool: Pool, loc: Loc) -> str:
        node_id, new = pool.claim(("step", loc.chan, id(loc.step)), self.step_id(loc))
        if new:
            note = (
                f"{loc.step.app}({loc.step.data}): these priorities jump in a circle without "
                "waiting for the caller, so the call never leaves them"
            )
            pool.add(node_id, {"type": "action", "note": note, "next": node_id}, loc.step.where)
        return node_id

    def falloff(self, pool: Pool, loc: Loc) -> str:
        """The node for running off the end of an extension."""
        extension = loc.step.exten
        wanted = f"{loc.chan},{extension.name},<end>"
        node_id, new = pool.claim(("end", loc.chan, id(extension)), wanted)
        if not new:
            return node_id
        number = loc.step.number + 1
        if pool.mode == "macro":
            node: dict[str, Any] = {
                "type": "return",
                "note": "the macro runs out of priorities here and returns to its caller",
            }
        elif self.plan.autofallthrough:
            node = {
                "type": "hangup",
                "note": f"extension {extension.name} has no priority {number}: Asterisk "
                "hangs up here (autofallthrough)",
            }
        else:
            node = self._menu(pool, node_id, loc, loc.chan, [], [], None, None)
            node["note"] = (
                f"extension {extension.name} has no priority {number}; with autofallthrough=no "
                "Asterisk waits for the caller to dial an extension of this context"
            )
            node["no_input"] = self._handler_link(
                pool, loc.chan, ("t", "e"), node_id, "timeout", loc.step.where
            )
        pool.add(node_id, node, loc.step.where)
        return node_id

    # -- links -----------------------------------------------------------------------------

    def link(
        self, pool: Pool, target: Target | None, anchor: str, role: str, where: Position
    ) -> str | None:
        """The node id a target leads to, making a helper node when it is not one place."""
        if target is None:
            return None
        if isinstance(target, Loc):
            return self.enter(pool, target)
        if isinstance(target, Missing):
            return target.name
        helper, new = pool.claim(("helper", anchor, role), f"{anchor}:{role}")
        if not new:
            return helper
        if isinstance(target, Unknown):
            node: dict[str, Any] = {"type": "action", "note": target.note}
        elif isinstance(target, Ends):
            node = {"type": "hangup", "note": target.note, "reason": target.reason}
        elif isinstance(target, Timed):
            node = {
                "type": "hours",
                "schedule": target.schedule or None,
                "open": self.link(pool, target.open, helper, "open", where),
                "closed": self.link(pool, target.closed, helper, "closed", where),
                "note": "the extension is in a context included only at these times",
            }
        else:
            linked = [
                (when, self.link(pool, each, helper, f"case {number}", where))
                for number, (when, each) in enumerate(target.cases, start=1)
            ]
            otherwise = self.link(pool, target.otherwise, helper, "else", where)
            node = _branch(linked, otherwise)
            if node.get("single"):
                pool.ids[("helper", anchor, role)] = node["single"]
                pool.taken.discard(helper)
                return node["single"]
        pool.add(helper, node, where)
        return helper

    def _handler_link(
        self,
        pool: Pool,
        chan: str,
        names: tuple[str, ...],
        anchor: str,
        role: str,
        where: Position,
    ) -> str | None:
        for name in names:
            found = self.handler(chan, name)
            if found is not None:
                return self.link(pool, found, anchor, role, where)
        return None

    # -- building nodes --------------------------------------------------------------------

    def _build(self, pool: Pool, loc: Loc, node_id: str) -> None:
        kind = self.kind(loc)
        tag = kind.tag
        where = loc.step.where
        if tag in ("prompt", "waitexten", "read", "hangup", "transfer", "voicemail"):
            node = self._run(pool, loc, node_id)
        elif tag == "gotoif":
            node = self._branch_chain(pool, loc, node_id)
        elif tag == "gotoiftime":
            node = self._hours(pool, loc, node_id, kind)
        elif tag == "goto":
            node = self._goto_node(pool, loc, node_id, kind)
        elif tag == "call":
            node = self._call(pool, loc, node_id, kind, kind.target or "", self.after(pool, loc))
        elif tag == "callif":
            node = self._call_if(pool, loc, node_id, kind)
        elif tag in ("execif", "execiftime"):
            node = self._exec_if(pool, loc, node_id, kind)
        elif tag == "while":
            end = self.while_end(loc)
            otherwise = self.after(pool, end) if end is not None else self.after(pool, loc)
            node = _branch_node(
                [(kind.cond or "", self.after(pool, loc))], otherwise, f"While({kind.cond})"
            )
        elif tag == "return":
            node = {"type": "return", "note": f"{kind.app}()" if kind.app != "Return" else None}
        else:
            node = {"type": "action", "note": kind.note, "next": self.after(pool, loc)}
        if not node.get("note") and loc.chan != loc.step.context:
            node["note"] = f"written in context {loc.step.context}"
        pool.add(node_id, node, where)

    def _run(self, pool: Pool, loc: Loc, node_id: str) -> dict[str, Any]:
        """Prompts merged with what follows them: a message, a menu, a question, an end."""
        says: list[str] = []
        plays: list[str] = []
        notes: list[str] = []
        conditional = 0
        interruptible = False
        options_context: str | None = None
        timeout: float | None = None
        current = loc
        first = True
        while True:
            kind = self.kind(current)
            tag = kind.tag
            if tag == "pass":
                timeout = kind.timeout or timeout
            elif tag == "prompt":
                if kind.say:
                    says.append(kind.say)
                if kind.play:
                    plays.append(kind.play)
                if kind.app.strip().lower() in SAY_APPS and kind.note:
                    notes.append(kind.note)
                if kind.note and kind.note.startswith("played only"):
                    conditional += 1
                    if conditional <= 3:
                        notes.append(f"{kind.play or kind.say} is {kind.note}")
                if kind.interruptible:
                    interruptible = True
                    options_context = kind.context or options_context
            elif tag == "waitexten":
                menu = self._menu(pool, node_id, current, current.chan, says, plays, None, None)
                menu["timeout"] = kind.timeout or timeout or self._earlier_timeout(current)
                follow = self.successor(current)
                if isinstance(follow, Loc):
                    menu["no_input"] = self.enter(pool, follow)
                else:
                    menu["no_input"] = self._handler_link(
                        pool, current.chan, ("t", "e"), node_id, "timeout", current.step.where
                    )
                return _with_notes(menu, notes)
            elif tag in ("read", "hangup", "transfer", "voicemail") and (
                first or not interruptible
            ):
                node = self._finish(pool, current, node_id, kind, says, plays)
                return _with_notes(node, notes)
            else:
                return self._prompts(
                    pool, node_id, current, says, plays, interruptible, options_context, notes, True
                )
            if conditional > 3 and len(notes) == 3:
                notes.append("more prompts play only under conditions (ExecIf)")
            first = False
            follow = self.successor(current)
            if not isinstance(follow, Loc) or self.is_target(follow.step):
                nxt = self.after(pool, current)
                return self._prompts(
                    pool, node_id, current, says, plays, interruptible, options_context, notes, nxt
                )
            current = follow

    def _earlier_timeout(self, loc: Loc) -> float | None:
        """A Set(TIMEOUT(response)=N) earlier in the same extension, as the demo does."""
        steps = loc.step.exten.steps
        for number in range(loc.step.number - 1, 0, -1):
            step = steps.get(number)
            if step is None:
                return None
            kind = self.kind(Loc(loc.chan, step))
            if kind.timeout and kind.tag == "pass":
                return kind.timeout
        return None

    def _prompts(
        self,
        pool: Pool,
        node_id: str,
        loc: Loc,
        says: list[str],
        plays: list[str],
        interruptible: bool,
        options_context: str | None,
        notes: list[str],
        nxt: str | bool,
    ) -> dict[str, Any]:
        following = self.enter(pool, loc) if nxt is True else nxt
        if interruptible:
            chan = options_context or loc.chan
            menu = self._menu(pool, node_id, loc, chan, says, plays, None, None)
            menu["no_input"] = following
            notes = ["keys pressed during the prompt (Background) choose an extension", *notes]
            return _with_notes(menu, notes)
        node = {
            "type": "say",
            "say": _join(says, " "),
            "play": _join(plays, "&"),
            "next": following,
        }
        return _with_notes(node, notes)

    def _menu(
        self,
        pool: Pool,
        node_id: str,
        loc: Loc,
        chan: str,
        says: list[str],
        plays: list[str],
        no_input: str | None,
        timeout: float | None,
    ) -> dict[str, Any]:
        options: dict[str, str] = {}
        seen_regex: set[str] = set()
        switched = False
        chan = self.canonical(chan) if chan in self.contexts else chan
        for context, timing in self.walk(chan):
            for extension in [*context.extensions.values()]:
                name = extension.name.partition("/")[0]
                if extension.pattern is None:
                    if not is_dialable(name):
                        continue
                    key = normalize(name)
                    if key in options or f"/^{re.escape(key)}$/" in options:
                        continue
                    hits = self.find(chan, key, 1)
                    if not hits:
                        continue
                    target: Target = self.hits_target(chan, hits)
                    if len(key) > 20:
                        key = f"/^{re.escape(key)}$/"
                else:
                    regex = extension.pattern.dtmf_regex()
                    if (
                        regex is None
                        or regex in seen_regex
                        or regex in options
                        or len(regex) > 202
                        or 1 not in extension.steps
                    ):
                        continue
                    seen_regex.add(regex)
                    key = regex
                    target = Loc(chan, extension.steps[1])
                    if timing:
                        target = Timed(timing, target, self.invalid(chan, None))
                role = f"option {key}"
                options[key] = self.link(pool, target, node_id, role, extension.where)  # type: ignore[assignment]
                pool.where[("nodes", node_id, "options", key)] = extension.where
            if context.switches and not switched:
                switched = True
                text = context.switches[0][0]
                helper, new = pool.claim(("helper", node_id, "switch"), f"{node_id}:switch")
                if new:
                    note = (
                        f"keys that match no extension here are looked up through switch => "
                        f"{text}, a remote dialplan ivraudit cannot read"
                    )
                    pool.add(helper, {"type": "action", "note": note}, context.switches[0][1])
                options.setdefault("/^[0-9*#]+$/", helper)
        node: dict[str, Any] = {
            "type": "menu",
            "say": _join(says, " "),
            "play": _join(plays, "&"),
            "options": options,
            "no_input": no_input,
            "no_match": self._handler_link(
                pool, chan, ("i", "e"), node_id, "invalid", loc.step.where
            ),
            "timeout": timeout,
        }
        unread = self._unread_note(chan)
        if unread:
            node["note"] = unread
        return node

    def _unread_note(self, chan: str) -> str | None:
        names: list[str] = []
        for context, _ in self.walk(chan):
            names.extend(name for name in context.unread if name not in names)
        if not names:
            return None
        return (
            "options may be missing: #include "
            + ", ".join(f"'{n}'" for n in names[:3])
            + (" could not be read")
        )

    def _finish(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any]:
        tag = kind.tag
        say, play = _join(says, " "), _join(plays, "&")
        if tag == "hangup":
            return {"type": "hangup", "say": say, "play": play, "note": kind.note}
        if tag == "transfer":
            return {
                "type": "transfer",
                "say": say,
                "play": play,
                "target": kind.target,
                "human": kind.human,
                "fail": self.after(pool, loc),
                "note": kind.note,
            }
        if tag == "voicemail":
            return {
                "type": "voicemail",
                "say": say,
                "play": play,
                "box": kind.box,
                "next": self._voicemail_exit(pool, loc, node_id),
                "note": kind.note,
            }
        return self._read(pool, loc, node_id, kind, says, plays)

    def _voicemail_exit(self, pool: Pool, loc: Loc, node_id: str) -> str:
        following = self.after(pool, loc)
        if loc.step.app.strip().lower() != "voicemail":
            return following
        cases = []
        for name, key in (("o", "0"), ("a", "*")):
            found = self.handler(loc.chan, name)
            if found is not None:
                linked = self.link(pool, found, node_id, f"exit {name}", loc.step.where)
                cases.append((f"the caller pressed {key} during the greeting", linked))
        if not cases:
            return following
        helper, new = pool.claim(("helper", node_id, "after"), f"{node_id}:after")
        if new:
            note = "VoiceMail sends 0 to extension 'o' and * to extension 'a'"
            pool.add(helper, _branch_node(cases, following, note), loc.step.where)
        return helper

    def _read(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any]:
        if kind.play:
            plays = [*plays, kind.play]
        menu = self._read_menu(pool, loc, node_id, kind, says, plays)
        if menu is not None:
            return menu
        following = self.after(pool, loc)
        return {
            "type": "ask",
            "say": _join(says, " "),
            "play": _join(plays, "&"),
            "collects": kind.var or None,
            "next": following,
            "fail": following,
            "timeout": kind.timeout,
            "note": "Read() goes on with an empty value when the caller enters nothing",
        }

    def _read_menu(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any] | None:
        """Read(VAR,prompt,1) then GotoIf on ${VAR} = 1, 2, ...: a menu, not a question."""
        if not kind.var or kind.app.strip().lower() != "read":
            return None
        tests: list[tuple[str, str, str, Loc]] = []
        explicit: tuple[str, Loc] | None = None
        current = self.successor(loc)
        while isinstance(current, Loc) and not self.is_target(current.step):
            step_kind = self.kind(current)
            if step_kind.tag == "pass":
                current = self.successor(current)
                continue
            if step_kind.tag != "gotoif" or not step_kind.then:
                break
            test = read_test(step_kind.cond or "", kind.var)
            if test is None:
                break
            tests.append((test[0], test[1], step_kind.then, current))
            if step_kind.otherwise:
                explicit = (step_kind.otherwise, current)
                current = self.successor(current)
                break
            current = self.successor(current)
        keys = [key for what, key, _, _ in tests if what == "key"]
        if not keys or not (kind.maxdigits == 1 or len(set(keys)) >= 2):
            return None
        if (
            kind.maxdigits != 1
            and explicit is None
            and isinstance(current, Loc)
            and "${" + kind.var + "}" in current.step.data
        ):
            return None  # more checks on the value after the keys (a range): free input
        options: dict[str, str | None] = {}
        no_input: str | None = None
        for what, key, spec, where in tests:
            linked_role = f"option {key}" if what == "key" else "no input"
            if what == "key" and key in options:
                continue
            if what == "empty" and no_input is not None:
                continue
            target = self.link(pool, self.goto(where, spec), node_id, linked_role, where.step.where)
            if what == "key":
                options[key] = target
                pool.where[("nodes", node_id, "options", key)] = where.step.where
            else:
                no_input = target
        if explicit is not None:
            spec, where = explicit
            no_match = self.link(pool, self.goto(where, spec), node_id, "invalid", where.step.where)
        elif isinstance(current, Loc):
            no_match = self.enter(pool, current)
        else:
            last = tests[-1][3]
            no_match = self.falloff(pool, last)
        return {
            "type": "menu",
            "say": _join(says, " "),
            "play": _join(plays, "&"),
            "options": options,
            "no_input": no_input or no_match,
            "no_match": no_match,
            "timeout": kind.timeout,
            "note": f"Read({kind.var}) then GotoIf on the key entered",
        }

    def _branch_chain(self, pool: Pool, loc: Loc, node_id: str) -> dict[str, Any]:
        """GotoIf, or several in a row that each only jump when true: one branch."""
        cases: list[tuple[str, str | None]] = []
        otherwise: str | None = None
        current = loc
        number = 0
        while True:
            kind = self.kind(current)
            number += 1
            where = current.step.where
            pool.where[("nodes", node_id, "cases", number - 1)] = where
            if not kind.then:
                cases.append((kind.cond or "", self.after(pool, current)))
                if kind.otherwise:
                    target = self.goto(current, kind.otherwise)
                    otherwise = self.link(pool, target, node_id, "else", where)
                else:
                    otherwise = self.after(pool, current)
                break
            target = self.goto(current, kind.then)
            cases.append(
                (kind.cond or "", self.link(pool, target, node_id, f"case {number}", where))
            )
            if kind.otherwise:
                target = self.goto(current, kind.otherwise)
                otherwise = self.link(pool, target, node_id, "else", where)
                break
            follow = self.passes_untargeted(current)
            if (
                isinstance(follow, Loc)
                and self.kind(follow).tag == "gotoif"
                and self.fold(follow) is None
            ):
                current = follow
                continue
            otherwise = self.after(pool, current)
            break
        return _branch_node(cases, otherwise, None)

    def passes_untargeted(self, loc: Loc) -> Loc | str:
        """The next priority after ``loc`` past bookkeeping, stopping at any jump target."""
        current = self.successor(loc)
        for _ in range(len(loc.step.exten.steps) + 2):
            if not isinstance(current, Loc) or self.is_target(current.step):
                return _FALLOFF
            if self.kind(current).tag != "pass":
                return current
            current = self.successor(current)
        return _FALLOFF

    def _hours(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        where = loc.step.where
        then = (
            self.link(pool, self.goto(loc, kind.then), node_id, "open", where)
            if kind.then
            else self.after(pool, loc)
        )
        otherwise = (
            self.link(pool, self.goto(loc, kind.otherwise), node_id, "closed", where)
            if kind.otherwise
            else self.after(pool, loc)
        )
        swapped = (
            bool(kind.then) and closed_label(kind.then) and not closed_label(kind.otherwise or "")
        )
        node = {
            "type": "hours",
            "schedule": kind.cond,
            "open": otherwise if swapped else then,
            "closed": then if swapped else otherwise,
        }
        if swapped:
            node["note"] = f"the times {kind.cond} lead to '{kind.then}', read as closed hours"
        return node

    def _goto_node(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        target = self.goto(loc, kind.target or "")
        where = loc.step.where
        described = f"{kind.app}({loc.step.data})"
        if isinstance(target, Missing):
            return {"type": "action", "note": described, "next": target.name}
        if isinstance(target, Unknown):
            return {"type": "action", "note": f"{described}: {target.note}"}
        if isinstance(target, Ends):
            return {"type": "hangup", "note": target.note, "reason": target.reason}
        if isinstance(target, Timed):
            return {
                "type": "hours",
                "schedule": target.schedule or None,
                "open": self.link(pool, target.open, node_id, "open", where),
                "closed": self.link(pool, target.closed, node_id, "closed", where),
                "note": f"{described}: the extension is in a context included only at these times",
            }
        if isinstance(target, Loc):  # only when fold() saw a loop; keep the jump visible
            return {"type": "action", "note": described, "next": self.enter(pool, target)}
        linked = [
            (when, self.link(pool, each, node_id, f"case {number}", where))
            for number, (when, each) in enumerate(target.cases, start=1)
        ]
        otherwise = self.link(pool, target.otherwise, node_id, "else", where)
        return _branch_node(linked, otherwise, described)

    def _call(
        self, pool: Pool, loc: Loc, node_id: str, kind: Kind, spec: str, following: str
    ) -> dict[str, Any]:
        """Gosub/Macro: a subflow (expanded per call, so Return comes back here)."""
        described = f"{kind.app}({_short(spec)})"
        if kind.call == "macro":
            args = app_args(self.substituted(loc, spec))
            name = args[0] if args else ""
            if not name or has_variables(name):
                target: Target = Unknown("the macro's name is known only at run time")
            else:
                target = self.locate(f"macro-{name}", "s", "1", loc)
        else:
            target = self.goto(loc, spec)
        if isinstance(target, Loc):
            callee = "macro" if kind.call == "macro" else "main"
            key = f"{kind.call} {self.step_id(target)}"
            pool.calls[node_id] = (callee, target, key)
            return {"type": "subflow", "menu": key, "next": following, "note": described}
        if isinstance(target, Missing):
            return {
                "type": "action",
                "note": f"{described}: the subroutine does not exist, so Asterisk hangs up",
                "error": target.name,
            }
        reason = target.note if isinstance(target, (Unknown, Ends)) else "chosen at run time"
        return {
            "type": "action",
            "note": f"{described}: subroutine not followed ({reason})",
            "next": following,
        }

    def _call_if(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        following = self.after(pool, loc)
        where = loc.step.where
        cases = []
        branches = ((kind.then, "then"), (kind.otherwise, "else"))
        ids: dict[str, str] = {}
        for spec, role in branches:
            if not spec:
                ids[role] = following
                continue
            helper, new = pool.claim(("helper", node_id, role), f"{node_id}:{role}")
            if new:
                call = Kind("call", kind.app, call=kind.call)
                pool.add(helper, self._call(pool, loc, helper, call, spec, following), where)
            ids[role] = helper
        cases.append((kind.cond or "", ids["then"]))
        return _branch_node(cases, ids["else"], None)

    def _exec_if(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        following = self.after(pool, loc)
        then = self._virtual(pool, loc, node_id, "then", kind.then, following)
        otherwise = self._virtual(pool, loc, node_id, "else", kind.otherwise, following)
        if kind.tag == "execiftime":
            return {"type": "hours", "schedule": kind.cond, "open": then, "closed": otherwise}
        return _branch_node([(kind.cond or "", then)], otherwise, None)

    def _virtual(
        self, pool: Pool, loc: Loc, node_id: str, role: str, text: str | None, following: str
    ) -> str:
        """The node for an application run inside ExecIf."""
        if not text:
            return following
        app, data = inner_app(text)
        kind = classify(app, self.substituted(loc, data))
        if kind.tag == "pass":
            return following
        where = loc.step.where
        if kind.tag == "goto":
            target = self.goto(loc, kind.target or "")
            return self.link(pool, target, node_id, role, where) or following
        helper, new = pool.claim(("helper", node_id, role), f"{node_id}:{role}")
        if not new:
            return helper
        if kind.tag == "prompt":
            node = self._prompts(
                pool,
                helper,
                loc,
                [kind.say] if kind.say else [],
                [kind.play] if kind.play else [],
                kind.interruptible,
                kind.context,
                [],
                following,
            )
        elif kind.tag in ("hangup", "transfer", "voicemail", "read"):
            node = self._finish_virtual(pool, loc, helper, kind, following)
        elif kind.tag == "call":
            node = self._call(pool, loc, helper, kind, kind.target or "", following)
        elif kind.tag == "return":
            node = {"type": "return"}
        else:
            node = {"type": "action", "note": kind.note or f"runs {app}", "next": following}
        pool.add(helper, node, where)
        return helper

    def _finish_virtual(
        self, pool: Pool, loc: Loc, node_id: str, kind: Kind, following: str
    ) -> dict[str, Any]:
        if kind.tag == "hangup":
            return {"type": "hangup", "note": kind.note}
        if kind.tag == "transfer":
            return {
                "type": "transfer",
                "target": kind.target,
                "human": kind.human,
                "fail": following,
                "note": kind.note,
            }
        if kind.tag == "voicemail":
            return {"type": "voicemail", "box": kind.box, "next": following, "note": kind.note}
        return {
            "type": "ask",
            "play": kind.play,
            "collects": kind.var or None,
            "next": following,
            "fail": following,
        }


def _collapse(pool: Pool) -> None:
    """Drop nodes that only pass the call on, pointing their callers at where they lead.

    Only the nodes built since the last call are looked at: a pass-on node is
    referred to only by nodes built in the same run (older ones get its target
    through :meth:`Flow.enter`), so the work stays linear.
    """
    fresh = [node_id for node_id in pool.fresh if node_id in pool.nodes]
    pool.fresh = []
    aliases = {
        node_id: pool.nodes[node_id][ALIAS] for node_id in fresh if ALIAS in pool.nodes[node_id]
    }
    final: dict[str, str] = {}
    for start in aliases:
        path = []
        current = start
        while current in aliases and current not in final and current not in path:
            path.append(current)
            current = aliases[current]
        end = final.get(current, pool.renamed.get(current, current))
        if current in path:  # ways that all meet in a circle: keep it as a visible loop
            pool.nodes[current].pop(ALIAS, None)
            pool.nodes[current]["note"] = "these steps go round in a circle"
            end = current
        for each in path:
            final[each] = end
    for node_id, end in final.items():
        if node_id != end:
            pool.nodes.pop(node_id, None)
            pool.renamed[node_id] = end
    for node_id in fresh:
        node = pool.nodes.get(node_id)
        if node is None:
            continue
        node.pop(ALIAS, None)
        if not final:
            continue
        for field in TARGET_FIELDS:
            value = node.get(field)
            if isinstance(value, str) and value in final:
                node[field] = final[value]
        options = node.get("options")
        if options:
            for key, value in options.items():
                if value in final:
                    options[key] = final[value]
        for case in node.get("cases", ()):
            if case.get("next") in final:
                case["next"] = final[case["next"]]


def _step_of(extension: Extension, want: int | str) -> Step | None:
    if isinstance(want, int):
        return extension.steps.get(want)
    number = extension.labels.get(want)
    return extension.steps.get(number) if number is not None else None


def _branch(cases: list[tuple[str, str | None]], otherwise: str | None) -> dict[str, Any]:
    """A branch node, with cases that lead to the same place merged."""
    merged: dict[str | None, list[str]] = {}
    for when, target in cases:
        merged.setdefault(target, []).append(when)
    targets = set(merged) | {otherwise}
    if len(targets) == 1 and otherwise is not None:
        return {"type": "branch", "single": otherwise}
    if len(merged) == 1 and otherwise is None:
        only = next(iter(merged))
        if only is not None:
            return {"type": "branch", "single": only}
    return {
        "type": "branch",
        "cases": [
            {"when": " or ".join(whens) or "true", "next": target}
            for target, whens in merged.items()
            if target is not None
        ],
        "else": otherwise,
    }


def _branch_node(
    cases: list[tuple[str, str | None]], otherwise: str | None, note: str | None
) -> dict[str, Any]:
    """A branch node; when every way leads to one place, a step straight there."""
    node = _branch(cases, otherwise)
    single = node.pop("single", None)
    if single is not None:
        return {"type": "action", "note": note, "next": single, ALIAS: single}
    if note:
        node["note"] = note
    return node


def _with_notes(node: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    if notes:
        existing = node.get("note")
        node["note"] = "; ".join([*([existing] if existing else []), *notes])
    return node


def _join(parts: list[str], separator: str) -> str | None:
    cleaned = [part for part in parts if part]
    return separator.join(cleaned) if cleaned else None


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- whole-dialplan scans ----------------------------------------------------------------------

_ASSIGN = re.compile(r"^\s*_{0,2}(?:GLOBAL\()?([A-Za-z0-9_]+)\)?\s*=")


def constant_globals(plan: Dialplan) -> dict[str, str]:
    """Globals no priority assigns: their value is known before any call."""
    assigned: set[str] = set()
    for context in plan.contexts.values():
        for extension in context.extensions.values():
            for step in extension.steps.values():
                app = step.app.strip().lower()
                if app in ("set", "mset", "execif"):
                    for found in re.finditer(
                        r"(?:^|[,?:(])\s*_{0,2}(?:GLOBAL\()?(\w+)\)?\s*=", step.data
                    ):
                        assigned.add(found.group(1))
                elif app in ("read", "readexten", "agi", "eagi"):
                    assigned.add(step.data.split(",", 1)[0].strip())
    return {name: value for name, value in plan.globals.items() if name not in assigned}


def jump_specs(step: Step) -> list[str]:
    """The target texts a priority may jump to (Goto, GotoIf branches, Gosub, ExecIf(Goto))."""
    kind = step.kind
    specs: list[str] = []
    if kind.tag in ("goto", "call") and kind.target:
        specs.append(kind.target)
    elif kind.tag in ("gotoif", "gotoiftime", "callif"):
        specs.extend(spec for spec in (kind.then, kind.otherwise) if spec)
    elif kind.tag in ("execif", "execiftime"):
        for text in (kind.then, kind.otherwise):
            if text:
                app, data = inner_app(text)
                inner = classify(app, data)
                if inner.tag in ("goto", "call") and inner.target:
                    specs.append(inner.target)
    if kind.tag in ("call", "callif") and kind.call == "macro":
        return []
    return specs


def numeric_targets(
    plan: Dialplan, walk: Callable[[str], list[tuple[Context, str | None]]]
) -> tuple[dict[str, set[int]], set[int]]:
    """Priorities some jump names by number.

    Returns, per context, the numbers jumps may land on there (the jump's own
    context and those it includes, or the context it names), and the numbers of
    jumps to a context known only at run time.
    """
    numbered: dict[str, set[int]] = {}
    anywhere: set[int] = set()
    for context in plan.contexts.values():
        for extension in context.extensions.values():
            for step in extension.steps.values():
                for spec in jump_specs(step):
                    parts = goto_parts(spec)
                    priority = priority_and_args(parts[-1]) if parts else ""
                    if priority[:1] in "+-" and priority[1:].isdigit():
                        number = step.number + int(priority)
                    elif priority.isdigit():
                        number = int(priority)
                    else:
                        continue
                    where = parts[0] if len(parts) == 3 else context.name
                    if has_variables(where):
                        anywhere.add(number)
                        continue
                    for reached, _ in walk(where):
                        numbered.setdefault(reached.name, set()).add(number)
    return numbered, anywhere
