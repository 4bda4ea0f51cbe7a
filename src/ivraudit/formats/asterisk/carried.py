"""Values carried across priorities, jumps and extensions: for each priority, the values a
channel variable can have on EVERY route into it.

Asterisk keeps a channel's variables for the whole call (docs.asterisk.org, Channel
Variables): a ``Set(reg_sts=1)`` before ``WaitExten`` is still 1 in the extension the
caller's key leads to, and ``GotoIf($[${T}=1]?normal)`` then ``GotoIf($[${T}=2]?normal)``
arrive at ``normal`` with T 1 or 2 only.  A forward pass over the priorities of the
dialplan: each variable holds a small set of constants (``Set``/``MSet`` of a constant, a
``GotoIf`` arm whose condition pins it) or is unknown; anything that may write it
(:mod:`.writes`) makes it unknown.  Where routes meet, a variable stays known only when it
is known on every one of them (the sets are joined).  Places a call can enter from outside
what was read (the extensions calls start at, special extensions, subroutine entries,
``Local/`` channels, a jump known only at run time) start with nothing known.  A worklist
runs to a fixed point: a priority's facts only ever lose precision (a set grows or is
dropped), so each is revisited a bounded number of times.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ivraudit.formats.asterisk.apps import app_args, classify_inner, goto_parts, inner_app
from ivraudit.formats.asterisk.match import (
    expression_value,
    has_variables,
    is_dialable,
    split_top,
)
from ivraudit.formats.asterisk.origin import CALLER, ORIGIN, chosen
from ivraudit.formats.asterisk.parse import Context, Extension, Step
from ivraudit.formats.asterisk.targets import SPECIAL_EXTENSIONS, Cases, Loc, Target, Timed
from ivraudit.formats.asterisk.writes import assigned_name, step_assigns

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.walker import Known

#: Most values one variable is kept as (more: unknown).
MAX_VALUES = 8
#: Most priorities the pass runs over (a larger dialplan is left to the backward reading).
MAX_STEPS = 200_000
_LOCAL = re.compile(r"Local/([^@/,&()]+)@([^/,&()\s]+)", re.IGNORECASE)
_VARIABLE = re.compile(r"\$\{(\w+)\}")
_WAITS = ("waitexten",)

Facts = dict[str, frozenset[str]]
Key = tuple[str, int]


class Carried:
    """The facts before each priority, computed once per dialplan on first use."""

    def __init__(self, known: Known) -> None:
        self.known = known
        self.walker = known.walker
        self.targets = known.walker.targets
        #: The extensions calls start at in a context (set by the loader; None: pass off).
        self.roots: Callable[[Context], list[Extension]] | None = None
        self._facts: dict[Key, Facts] | None = None
        self._open: set[int] = set()
        self._running = False

    def at(self, loc: Loc, name: str) -> set[str] | None:
        """The values ``${name}`` has on every route into ``loc``; None: unknown."""
        found = self._at(loc)
        if found is None or name not in found:
            return None
        return set(found[name])

    def callers(self, loc: Loc, name: str) -> bool:
        """Whether ``${name}`` holds the caller's dialled or keyed digits (or a constant)
        on every route into ``loc`` (:mod:`.origin`)."""
        found = self._at(loc)
        return found is not None and (ORIGIN + name in found or name in found)

    def _at(self, loc: Loc) -> Facts | None:
        if self.roots is None or self._running:
            return None
        if self._facts is None:
            self._running = True
            previous = self.targets.use_frame({})
            try:
                self._facts = self._run()
            finally:
                self.targets.use_frame(previous)
                self._running = False
        return self._facts.get((loc.chan, id(loc.step)))

    # -- where calls come from outside -------------------------------------------------------

    def _opened(self) -> None:
        plan = self.targets.plan
        assert self.roots is not None
        for context in plan.contexts.values():
            for ext in self.roots(context):
                self._open_ext(ext)
            for ext in context.extensions.values():
                if ext.name.partition("/")[0] in SPECIAL_EXTENSIONS:
                    self._open_ext(ext)
                for step in ext.steps.values():
                    self._open_from(step)

    def _open_ext(self, ext: Extension) -> None:
        if 1 in ext.steps:
            self._open.add(id(ext.steps[1]))

    def _open_from(self, step: Step) -> None:
        """What ``step`` sends in from outside: a subroutine's entry, a Local/ channel,
        every place a jump known only at run time may land."""
        kind = step.kind
        here = Loc(step.context, step)
        for found in _LOCAL.finditer(step.data):
            self._open_names(found.group(2), found.group(1), "1")
        if kind.tag in ("call", "callif"):
            for spec in (kind.target, kind.then, kind.otherwise):
                if not spec:
                    continue
                if kind.call == "macro":
                    args = app_args(spec)
                    if args:
                        self._open_names(f"macro-{args[0].strip()}", "s", "1")
                    continue
                self._open_spec(here, spec)
        for spec in _jumps(step):
            parts = goto_parts(spec)
            if any(has_variables(part) for part in parts):
                self._open_spec(here, spec)

    def _open_spec(self, here: Loc, spec: str) -> None:
        parts = [part.strip() for part in goto_parts(self.targets.substituted(here, spec))]
        if len(parts) == 1:
            parts = [here.step.context, here.step.exten.name, parts[0]]
        elif len(parts) == 2:
            parts = [here.step.context, *parts]
        if len(parts) == 3:
            self._open_names(*parts)

    def _open_names(self, context: str, exten: str, priority: str) -> None:
        plan = self.targets.plan
        contexts: Iterable[Context]
        if has_variables(context):
            contexts = plan.contexts.values()
        else:
            found = plan.contexts.get(context)
            contexts = [ctx for ctx, _ in self.targets.search_order(found.name)] if found else []
        priority = priority.partition("(")[0].strip()
        for ctx in contexts:
            for ext in ctx.extensions.values():
                if not has_variables(exten) and not _may_be(exten, ext):
                    continue
                for step in ext.steps.values():
                    if (
                        has_variables(priority)
                        or priority in (str(step.number), step.label)
                        or (priority in ("", "1") and step.number == 1)
                    ):
                        self._open.add(id(step))

    # -- the pass ----------------------------------------------------------------------------

    def _run(self) -> dict[Key, Facts]:
        self._opened()
        plan = self.targets.plan
        facts: dict[Key, Facts] = {}
        locs: dict[Key, Loc] = {}
        pending: deque[Key] = deque()
        total = sum(
            len(ext.steps) for ctx in plan.contexts.values() for ext in ctx.extensions.values()
        )
        if total > MAX_STEPS:
            return facts
        for context in plan.contexts.values():
            for ctx, _ in self.targets.search_order(context.name):
                for ext in ctx.extensions.values():
                    for step in ext.steps.values():
                        if id(step) in self._open:
                            key = (context.name, id(step))
                            facts[key] = {}
                            locs[key] = Loc(context.name, step)
                            pending.append(key)
        while pending:
            key = pending.popleft()
            loc = locs[key]
            for target, arrived in self._edges(loc, facts[key]):
                other = (target.chan, id(target.step))
                if id(target.step) in self._open:
                    arrived = {}
                old = facts.get(other)
                new = arrived if old is None else _meet(old, arrived)
                if old is None or new != old:
                    facts[other] = new
                    locs[other] = target
                    pending.append(other)
        return facts

    def _edges(self, loc: Loc, before: Facts) -> list[tuple[Loc, Facts]]:
        """Where the call goes from ``loc`` and what it knows on arrival."""
        step = loc.step
        kind = step.kind
        tag = kind.tag
        after = self._transfer(loc, before)
        found: list[tuple[Loc, Facts]] = []
        if tag == "gotoif":
            cond = kind.cond or ""
            for arm, outcome in ((kind.then, True), (kind.otherwise, False)):
                facts = self._refined(loc, cond, outcome, after)
                if facts is None:
                    continue  # the arm cannot be taken with what arrives
                if arm:
                    found.extend((each, facts) for each in self._resolve(loc, arm))
                else:
                    found.extend((each, facts) for each in self._next(loc))
            return found
        if tag == "while":
            return self._while(loc, after)
        for spec in _jumps(step):
            found.extend((each, after) for each in self._resolve(loc, spec))
        if tag in ("hangup", "return", "goto"):
            return found
        nexts = self._next(loc)
        found.extend((each, after) for each in nexts)
        if tag in ("endwhile", "continuewhile", "exitwhile"):
            for each in (self.walker.while_end(loc), self.walker.while_start(loc)):
                if each is not None:
                    found.append((each, after))
                    found.extend((more, after) for more in self._next(each))
        if _waits(kind) or (not nexts and not self.targets.plan.falls_through(step.where.file)):
            # Running out of priorities waits for digits only with autofallthrough=no.
            found.extend((each, after) for each in self._keys(kind.context or loc.chan))
        return found

    def _while(self, loc: Loc, after: Facts) -> list[tuple[Loc, Facts]]:
        """A While: its body while the condition holds, past its EndWhile when it does not
        (docs.asterisk.org, Dialplan Applications *While*); an arm the facts rule out is
        no route (FreePBX sets NODEFOUND=0 just before ``While($["${NODEFOUND}" = "0"])``)."""
        cond = self.walker.kind(loc).cond or ""
        found: list[tuple[Loc, Facts]] = []
        body = self._refined(loc, cond, True, after)
        if body is not None:
            found.extend((each, body) for each in self._next(loc))
        end = self.walker.while_end(loc)
        past = self._refined(loc, cond, False, after)
        if past is not None:
            if end is None:
                found.extend((each, past) for each in self._next(loc))
            else:
                found.extend((each, past) for each in self._next(end))
        return found

    def _next(self, loc: Loc) -> list[Loc]:
        follow = self.walker.successor(loc)
        return [follow] if isinstance(follow, Loc) else []

    def _resolve(self, loc: Loc, spec: str) -> list[Loc]:
        found: list[Loc] = []
        pending: list[Target | None] = [self.targets.goto(loc, spec)]
        while pending:
            target = pending.pop()
            if isinstance(target, Loc):
                found.append(target)
            elif isinstance(target, Cases):
                pending.extend(each for _, each in target.cases)
                pending.append(target.otherwise)
            elif isinstance(target, Timed):
                pending.extend((target.open, target.closed))
        return found

    def _keys(self, context: str) -> list[Loc]:
        """The extensions a key pressed while waiting in ``context`` can lead to."""
        if context not in self.targets.plan.contexts:
            return []
        found = []
        for ctx, _ in self.targets.search_order(context):
            for ext in ctx.extensions.values():
                name = ext.name.partition("/")[0]
                if 1 in ext.steps and (
                    ext.pattern is not None or is_dialable(name) or name in ("i", "t")
                ):
                    found.append(Loc(context, ext.steps[1]))
        return found

    # -- what a priority does to the facts ---------------------------------------------------

    def _transfer(self, loc: Loc, before: Facts) -> Facts:
        step = loc.step
        app = step.app.strip().lower()
        kind = step.kind
        if app in ("set", "mset", "setvar"):
            return self._set(app, step.data, before)
        if app == "execif":
            arms = _set_arms(step.data)
            if arms is not None:
                # ExecIf(c?Set(..)[:Set(..)]): the facts of either arm hold after it.
                outcomes = [self._set(app, data, before) if app else before for app, data in arms]
                return _meet(outcomes[0], outcomes[1])
        if kind.tag in ("call", "callif"):
            names = self.known.callee_writes(loc, kind)
        else:
            names = step_assigns(step.app, step.data)
        if names is None:
            return {}
        if not names:
            return before
        after = {
            name: values for name, values in before.items() if name.lstrip(ORIGIN) not in names
        }
        if app in ("read", "readexten") and len(names) == 1:
            # The digits the caller keyed in (docs.asterisk.org, Read: "the variable
            # the digits are stored in").
            after[ORIGIN + next(iter(names))] = CALLER
        return after

    def _set(self, app: str, data: str, before: Facts) -> Facts:
        after = dict(before)
        for pair in [data] if app != "mset" else app_args(data):
            target, equals, value = pair.partition("=")
            if not equals:
                continue
            name = assigned_name(target)
            if name is None:
                return {}
            if not name:
                continue
            after.pop(name, None)
            after.pop(ORIGIN + name, None)
            if target.strip().upper().startswith("GLOBAL("):
                continue
            known = _value(value.strip(), before)
            if known is not None:
                after[name] = known
            elif chosen(value, lambda other: ORIGIN + other in before or other in before):
                after[ORIGIN + name] = CALLER
        return after

    def _refined(self, loc: Loc, cond: str, outcome: bool, facts: Facts) -> Facts | None:
        """``facts`` on the arm of a condition that comes out ``outcome`` (None: impossible)."""
        names = set(_VARIABLE.findall(cond))
        if len(names) != 1:
            return facts
        name = names.pop()
        known = self.known
        if name in facts:
            kept = frozenset(
                value
                for value in facts[name]
                if known.holds_for(cond, name, value) in (None, outcome)
            )
            if not kept:
                return None
            return {**facts, name: kept}
        if outcome:
            pinned = known.satisfying(cond, name)
            if pinned is not None and 0 < len(pinned) <= MAX_VALUES:
                return {**facts, name: frozenset(pinned)}
        return facts


def _meet(old: Facts, new: Facts) -> Facts:
    """What holds on both routes.  A variable that is a constant on one route and the
    caller's digits on the other still holds the caller's digits or a constant (what
    :mod:`.origin` asks): ``Set(DIGITS=)`` then ``ExecIf(..?Set(DIGITS=${DIGITS}${IVREXT}))``
    after ``Read(IVREXT)``."""
    met: Facts = {}
    for name, values in old.items():
        other = new.get(name)
        if other is None:
            continue
        joined = values | other
        if len(joined) <= MAX_VALUES:
            met[name] = joined
    for name in {**dict.fromkeys(old), **dict.fromkeys(new)}:  # in order: a set's changes
        if name.startswith(ORIGIN) or name in met:
            continue
        origin = ORIGIN + name
        caller = origin in old or origin in new  # the caller's digits on one route at least
        if caller and (name in old or origin in old) and (name in new or origin in new):
            met[origin] = CALLER
    return met


def _set_arms(data: str) -> list[tuple[str, str]] | None:
    """The two arms of ``ExecIf(cond?Set(..)[:Set(..)])`` as (application, data), "" for an
    empty arm; None when an arm runs anything but ``Set``/``MSet``."""
    _, question, arms = data.partition("?")
    if not question:
        return None
    found: list[tuple[str, str]] = []
    texts = split_top(arms, ":")
    if len(texts) > 2:
        return None
    for text in [*texts, ""][:2]:
        if not text.strip():
            found.append(("", ""))
            continue
        app, inner = inner_app(text)
        if app.strip().lower() not in ("set", "mset"):
            return None
        found.append((app.strip().lower(), inner))
    return found


def _value(text: str, facts: Facts) -> frozenset[str] | None:
    """The values ``text`` can stand for (``1``, ``$[${n}+1]`` with n known), or None."""
    if not has_variables(text):
        return frozenset([text])
    names = set(_VARIABLE.findall(text))
    if not names or any(name not in facts or len(facts[name]) != 1 for name in names):
        return None
    filled = text
    for name in names:
        filled = filled.replace("${" + name + "}", next(iter(facts[name])))
    if has_variables(filled) or not filled.startswith("$["):
        return None
    found = expression_value(filled)
    return None if found is None else frozenset([found])


def _jumps(step: Step) -> list[str]:
    """Goto/GotoIf/GotoIfTime targets and ExecIf(...Goto(...)) (not subroutine calls)."""
    kind = step.kind
    if kind.tag == "goto" and kind.target:
        return [kind.target]
    if kind.tag in ("gotoif", "gotoiftime"):
        return [spec for spec in (kind.then, kind.otherwise) if spec]
    if kind.tag in ("execif", "execiftime"):
        found = []
        for text in (kind.then, kind.otherwise):
            if text:
                inner = classify_inner(text)
                if inner.tag == "goto" and inner.target:
                    found.append(inner.target)
        return found
    return []


def _waits(kind: object) -> bool:
    """Whether the priority waits for keys that pick an extension (WaitExten, Background,
    or either run by ExecIf)."""
    tag = getattr(kind, "tag", "")
    if tag in _WAITS or (tag == "prompt" and getattr(kind, "interruptible", False)):
        return True
    if tag in ("execif", "execiftime"):
        for text in (getattr(kind, "then", None), getattr(kind, "otherwise", None)):
            if text:
                inner = classify_inner(text)
                if inner.tag in _WAITS or (inner.tag == "prompt" and inner.interruptible):
                    return True
        return any(
            inner_app(text)[0].strip().lower() == "background"
            for text in (getattr(kind, "then", None), getattr(kind, "otherwise", None))
            if text
        )
    return False


def _may_be(exten: str, ext: Extension) -> bool:
    name = ext.name.partition("/")[0]
    if ext.pattern is not None:
        return ext.pattern.matches(exten.lstrip("_")) or name == exten
    return name == exten
