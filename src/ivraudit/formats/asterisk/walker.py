"""Walks an extension's priorities as Asterisk runs them: what each priority does (with
the variables known before the call filled in), which comes next, labels, While loops,
and which priorities the caller never notices, so they fold into the next one that counts.
"""

from __future__ import annotations

import re
from itertools import product

from ivraudit.formats.asterisk.apps import (
    Kind,
    classify,
    classify_inner,
    goto_parts,
    inner_app,
    priority_and_args,
)
from ivraudit.formats.asterisk.carried import Carried
from ivraudit.formats.asterisk.match import (
    app_args,
    condition_holds,
    expression_value,
    has_variables,
)
from ivraudit.formats.asterisk.parse import Step
from ivraudit.formats.asterisk.targets import Loc, Targets, jump_specs, numeric_targets
from ivraudit.formats.asterisk.writes import QUIET_APPS, Writes, assigned_name, step_assigns

_FALLOFF = "falloff"


class Walker:
    """Steps through the priorities of one dialplan, remembering what each one does."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self._kinds: dict[tuple[str, int, tuple[tuple[str, str], ...]], Kind] = {}
        self.numbered, self.any_numbered = numeric_targets(targets.plan)
        self.known = Known(self)

    def kind(self, loc: Loc) -> Kind:
        """What the priority at ``loc`` does, with the values known before the call filled in."""
        key = (loc.chan, id(loc.step), self.targets.frame_key)
        known = self._kinds.get(key)
        if known is None:
            data = self.targets.substituted(loc, loc.step.data)
            known = loc.step.kind if data == loc.step.data else classify(loc.step.app, data)
            if known.tag == "execif" and known.cond:
                holds = self.known.carried_holds(loc, known.cond)
                if holds is not None:
                    # Fixed by values carried here on every route: the application it runs.
                    known = _inner_kind(known.then if holds else known.otherwise)
            if known.tag in ("execif", "execiftime"):
                known = self._simple_execif(known)
            if known.tag == "prompt" and not known.say and not known.play:
                known = Kind("pass", known.app)
            self._kinds[key] = known
        return known

    def _simple_execif(self, kind: Kind) -> Kind:
        """ExecIf of bookkeeping is bookkeeping; ExecIf(cond?Playback(...)) is a prompt."""
        then = _inner_kind(kind.then)
        otherwise = _inner_kind(kind.otherwise)
        if then.tag == "pass" and otherwise.tag == "pass":
            return Kind("pass", kind.app)
        if kind.tag == "execif" and then.tag == "prompt" and kind.otherwise is None:
            then.note = f"played only when {kind.cond}"
            then.app = kind.app
            return then
        return kind

    def successor(self, loc: Loc) -> Loc | str:
        """The next priority Asterisk runs, or ``_FALLOFF`` when there is none."""
        extension = loc.step.exten
        number = loc.step.number + 1
        step = extension.steps.get(number)
        if step is not None:
            return Loc(loc.chan, step)
        # Asterisk looks the next priority up by the dialed number, so another
        # matching extension may carry on (exten => _X.,1,... then _X!,2,...).
        for _, other in self.targets.ordered(loc.chan, extension):
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
            target = self.targets.goto(loc, kind.target)
            return target if isinstance(target, Loc) else None
        if tag == "gotoif":
            holds = self.known.holds(loc)
            if holds is not None:
                # The condition is fixed by what was read: only the arm that holds is a route.
                arm = kind.then if holds else kind.otherwise
                follow = self.targets.goto(loc, arm) if arm else self.successor(loc)
                return follow if isinstance(follow, Loc) else None
            then = self.targets.goto(loc, kind.then) if kind.then else self.successor(loc)
            otherwise = (
                self.targets.goto(loc, kind.otherwise) if kind.otherwise else self.successor(loc)
            )
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
        if tag == "execif":
            return self._fold_execif(loc, kind)
        if tag == "while":
            end = self.while_end(loc)
            if end is None:
                return self.successor(loc)
            holds = self.known.carried_holds(loc, kind.cond or "")
            if holds is not None:
                # Fixed on every route here, the loop's own way back included (NODEFOUND=0
                # before FreePBX's While, never set again): the loop is always entered, or
                # never (docs "While": a false condition goes on past its EndWhile).
                return self.successor(loc) if holds else self.successor(end)
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

    def _fold_execif(self, loc: Loc, kind: Kind) -> Loc | str | None:
        """ExecIf whose condition is fixed by what was read: only the application that
        runs counts; bookkeeping folds into the next priority, a Goto into its target."""
        holds = self.known.holds(loc)
        if holds is None:
            return None
        arm = kind.then if holds else kind.otherwise
        inner = _inner_kind(arm)
        if inner.tag == "pass":
            return self.successor(loc)
        if inner.tag == "goto" and inner.target:
            target = self.targets.goto(loc, inner.target)
            return target if isinstance(target, Loc) else None
        return None

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

    def earlier_timeout(self, loc: Loc) -> float | None:
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


def _inner_kind(text: str | None) -> Kind:
    return classify_inner(text) if text else Kind("pass")


# -- values known before a condition -----------------------------------------------------------

#: Applications that run a subroutine on the caller's channel.
_CALLS = frozenset(["gosub", "gosubif", "macro", "macroif"])
#: Ways the value of a variable is left unknown.
_UNKNOWN = object()
#: Most combinations of values a condition is evaluated for.
_MAX_COMBINATIONS = 256
#: Most values a range test (``${N} >= 1470 & ${N} <= 1479``) may stand for.
_MAX_RANGE = 1000
#: How many jumps back a value is followed through labels.
_MAX_DEPTH = 4
_EXISTS = re.compile(r"\$\{DIALPLAN_EXISTS\(([^${}()]*)\)\}")
_VARIABLE = re.compile(r"\$\{(\w+)\}")
_LITERAL = re.compile(r'"([^"]*)"|(?<![\w.])(-?\d+)(?![\w.])')


class Known:
    """What the dialplan fixes before a condition runs.

    A variable set to a constant (``Set(X=1)``, ``Set(LOCAL(EM)=${ARG3})`` with the
    argument known at the call site) on the priorities just before a ``GotoIf``, with
    nothing on the way that could change it, or a label reached only by ``GotoIf``s
    whose conditions pin the variable (``GotoIf($[${NUM} >= 1470 & ${NUM} <= 1479]?L)``):
    the values it can have.  A condition true (or false) for all of them has one arm only.
    Walks back along the straight line of priorities; through labels only a few jumps
    deep, so the work per condition stays bounded.
    """

    def __init__(self, walker: Walker) -> None:
        self.walker = walker
        self._refs: dict[str, list[tuple[Step, str, str]]] | None = None
        self._wild: set[int] = set()
        self.writes = Writes(walker.targets.plan)
        self.carried = Carried(self)
        walker.targets.carried = self.carried
        self._constants: dict[str, set[str] | None] | None = None

    def holds(self, loc: Loc, cond: str | None = None) -> bool | None:
        """Whether the condition of the priority at ``loc`` (or ``cond``) is fixed."""
        text = cond if cond is not None else self.walker.kind(loc).cond
        if not text or text.startswith("random "):
            return None
        text = _EXISTS.sub(lambda found: self._exists(found.group(1)), text)
        names = sorted(set(_VARIABLE.findall(text)))
        if not names:
            return condition_holds(text)
        choices = []
        for name in names:
            found = self.values(loc, name)
            carried = self.carried.at(loc, name)
            if found is None:
                found = carried
            elif carried is not None:
                found &= carried  # both hold on every route: so does what they share
            if not found:
                return None
            choices.append(sorted(found))
        return _evaluate(text, names, choices)

    def limit(self, loc: Loc, name: str) -> set[str] | None:
        """The values a retry limit ``${name}`` has at ``loc``: those carried here, or else
        the one constant every assignment of the dialplan gives it (only what the counter
        is called counts on it, never which route is taken)."""
        carried = self.carried.at(loc, name)
        if carried is not None:
            return carried
        if self._constants is None:
            self._constants = _assigned_constants(self.walker)
        found = self._constants.get(name)
        return set(found) if found else None

    def carried_holds(self, loc: Loc, cond: str) -> bool | None:
        """Whether ``cond`` is fixed by the values carried to ``loc`` alone."""
        names = sorted(set(_VARIABLE.findall(cond)))
        if not names or cond.startswith("random "):
            return None
        choices = []
        for name in names:
            found = self.carried.at(loc, name)
            if not found:
                return None
            choices.append(sorted(found))
        return _evaluate(cond, names, choices)

    def _exists(self, written: str) -> str:
        """``${DIALPLAN_EXISTS(ctx,exten[,prio])}`` for a place of a dialplan read whole:
        1 or 0 (func_dialplan looks the extension up without 'i'); kept as written when
        the context may be defined elsewhere."""
        targets = self.walker.targets
        parts = [part.strip() for part in written.split(",")]
        kept = "${DIALPLAN_EXISTS(" + written + ")}"
        if not 1 <= len(parts) <= 3 or any(has_variables(part) for part in parts):
            return kept
        context = parts[0]
        if context not in targets.contexts:
            return kept
        if targets.partly_given(context) is not None or targets.hidden(context):
            return kept
        if len(parts) == 1:
            return "1"
        priority = targets.priority(parts[2], None) if len(parts) == 3 else 1
        if priority is None:
            return kept
        return "1" if targets.find(context, parts[1], priority) else "0"

    def values(self, loc: Loc, name: str, depth: int = 0) -> set[str] | None:
        """The values ``${name}`` can have when the call arrives at ``loc``; None: unknown."""
        tests: list[tuple[str, bool]] = []
        current = loc
        steps = loc.step.exten.steps
        for _ in range(len(steps) + 1):
            step = current.step
            found: set[str] | None = None
            if self.walker.is_target(step):
                if depth >= _MAX_DEPTH:
                    return None
                found = self._jumped(current, name, depth + 1)
                if found is None:
                    return None
            before = steps.get(step.number - 1)
            if before is None:
                return None if found is None else self._passing(found, tests, name, current)
            previous = Loc(current.chan, before)
            passes = self._falls_through(previous)
            if found is not None:
                if passes is None:
                    return self._passing(found, tests, name, current)
                rest = self._after(previous, name, passes, depth + 1)
                if rest is None:
                    return None
                return self._passing(found | rest, tests, name, current)
            if passes is None:
                return None
            effect = self._effect(previous, name)
            if effect is _UNKNOWN:
                return None
            if isinstance(effect, str):
                return self._passing({effect}, tests, name, current)
            if passes is not True:
                tests.append(passes)
            current = previous
        return None

    def _after(
        self, loc: Loc, name: str, passes: bool | tuple[str, bool], depth: int
    ) -> set[str] | None:
        """The values right after ``loc`` runs and falls through to the next priority."""
        effect = self._effect(loc, name)
        if effect is _UNKNOWN:
            return None
        if isinstance(effect, str):
            return {effect}
        found = self.values(loc, name, depth)
        if found is None or passes is True:
            return found
        return self._passing(found, [passes], name, loc)  # type: ignore[list-item]

    def _passing(
        self, found: set[str], tests: list[tuple[str, bool]], name: str, loc: Loc
    ) -> set[str]:
        """The values that may pass every ``(condition, outcome)`` on the way (a value
        for which a test cannot be evaluated is kept: a superset is still sound)."""
        for cond, outcome in tests:
            found = {
                value for value in found if self._holds_for(cond, name, value) in (None, outcome)
            }
        return found

    def _holds_for(self, cond: str, name: str, value: str) -> bool | None:
        if _other_variables(cond, name):
            return None
        return condition_holds(cond.replace("${" + name + "}", value))

    def _falls_through(self, loc: Loc) -> bool | tuple[str, bool] | None:
        """Whether a call goes on from ``loc`` to the next priority: True, a condition
        and the outcome it must have (a GotoIf's arm that falls through), or None."""
        kind = self.walker.kind(loc)
        if kind.tag == "gotoif":
            if kind.then and kind.otherwise:
                return None
            return (kind.cond or "", not kind.then)
        if kind.tag in ("goto", "hangup", "return"):
            return None
        return True

    def _effect(self, loc: Loc, name: str) -> object:
        """What ``loc`` does to ``${name}``: a constant value, ``_UNKNOWN``, or None."""
        data = self.walker.targets.substituted(loc, loc.step.data)
        if loc.step.app.strip().lower() in ("execif", "execiftime"):
            kind = self.walker.kind(loc)
            for text in (kind.then, kind.otherwise):
                if text and _effect_of(*inner_app(text), name) is not None:
                    return _UNKNOWN
            return None
        if loc.step.app.strip().lower() in _CALLS:
            return self._call_effect(loc, name)
        return _effect_of(loc.step.app, data, name)

    def _call_effect(self, loc: Loc, name: str) -> object:
        """A Gosub/Macro leaves ``${name}`` as it was when nothing it can run assigns it."""
        writes = self.callee_writes(loc)
        return _UNKNOWN if writes is None or name in writes else None

    def callee_writes(self, loc: Loc, kind: Kind | None = None) -> set[str] | None:
        """The variables the Gosub/Macro at ``loc`` (doing ``kind``) may assign; None: any."""
        kind = kind or self.walker.kind(loc)
        callees: list[str] = []
        if kind.call == "macro":
            for spec in (kind.target, kind.then, kind.otherwise):
                args = app_args(spec or "")
                if args:
                    callees.append(f"macro-{args[0].strip()}")
        else:
            for spec in (kind.target, kind.then, kind.otherwise):
                parts = goto_parts(spec) if spec else []
                if parts:
                    callees.append(parts[0] if len(parts) == 3 else loc.chan)
        if not callees or any(has_variables(callee) for callee in callees):
            return None
        found: set[str] = set()
        for callee in callees:
            writes = self.writes.of(callee)
            if writes is None:
                return None
            found |= writes
        return found

    def holds_for(self, cond: str, name: str, value: str) -> bool | None:
        """Whether ``cond`` holds with ``${name}`` = ``value`` (None: cannot tell)."""
        return self._holds_for(cond, name, value)

    def satisfying(self, cond: str, name: str) -> set[str] | None:
        """The few values of ``${name}`` that make ``cond`` true (None: not few, or unknown)."""
        return self._satisfying(cond, name)

    # -- arrivals at a label -------------------------------------------------------------------

    def _jumped(self, loc: Loc, name: str, depth: int) -> set[str] | None:
        """The values ``${name}`` has when calls jump to the labelled priority at ``loc``:
        None unless every jump there is known and pins them."""
        step = loc.step
        walker = self.walker
        if (
            step.label is None
            or step.number == 1
            or step.number in walker.any_numbered
            or step.number in walker.numbered.get(step.context, ())
        ):
            return None
        refs = self.refs()
        if id(step.exten) in self._wild:
            return None
        found: set[str] = set()
        for source, spec, role in refs.get(step.label, ()):
            parts = goto_parts(spec)
            if len(parts) > 1:
                return None  # from elsewhere: not followed
            if source.exten is not step.exten:
                continue
            origin = Loc(loc.chan, source)
            kind = walker.kind(origin)
            if role == "goto":
                arrived = self.values(origin, name, depth)
            else:
                cond = kind.cond or ""
                arrived = self.values(origin, name, depth)
                if arrived is None and role == "then":
                    arrived = self._satisfying(cond, name)
                if arrived is not None:
                    arrived = self._passing(arrived, [(cond, role == "then")], name, origin)
            if arrived is None:
                return None
            found |= arrived
        return found

    def refs(self) -> dict[str, list[tuple[Step, str, str]]]:
        """Every jump of the dialplan by the priority (label) it names: ``(step, spec,
        role)`` with role ``then``/``else`` (a GotoIf's arms) or ``goto``."""
        if self._refs is not None:
            return self._refs
        refs: dict[str, list[tuple[Step, str, str]]] = {}
        for context in self.walker.targets.plan.contexts.values():
            for extension in context.extensions.values():
                for step in extension.steps.values():
                    kind = step.kind
                    for spec in jump_specs(step):
                        parts = goto_parts(spec)
                        priority = priority_and_args(parts[-1]) if parts else ""
                        if has_variables(priority):
                            if len(parts) == 1 and not _VARIABLE.fullmatch(spec.strip()):
                                self._wild.add(id(extension))
                            else:
                                self._wild.update(
                                    id(ext)
                                    for each in self.walker.targets.plan.contexts.values()
                                    for ext in each.extensions.values()
                                )
                            continue
                        role = "goto"
                        if kind.then == kind.otherwise:
                            pass  # both arms lead here: the jump is unconditional
                        elif kind.tag in ("gotoif", "execif") and kind.then and spec == kind.then:
                            role = "then"
                        elif kind.tag in ("gotoif", "execif") and spec == kind.otherwise:
                            role = "else"
                        refs.setdefault(priority, []).append((step, spec, role))
        self._refs = refs
        return refs

    def _satisfying(self, cond: str, name: str) -> set[str] | None:
        """The values of ``${name}`` that make ``cond`` true, when they are few: equality
        with literals, or a range of whole numbers between two bounds.  A number compared
        with numbers is read as a whole number (a number dialled)."""
        if _other_variables(cond, name):
            return None
        numbers: set[int] = set()
        strings: set[str] = set()
        for quoted, number in _LITERAL.findall(cond.replace("${" + name + "}", "")):
            if number:
                numbers.add(int(number))
            else:
                strings.add(quoted)
        for probe in ("-1000000000", "1000000000", "zzzz"):
            holds = self._holds_for(cond, name, probe)
            if holds is None or holds:
                return None
        found: set[str] = set()
        for value in strings:
            if self._holds_for(cond, name, value):
                found.add(value)
        ordered = sorted(numbers)
        for index, number in enumerate(ordered):
            for value in (number - 1, number, number + 1):
                if self._holds_for(cond, name, str(value)):
                    found.add(str(value))
            following = ordered[index + 1] if index + 1 < len(ordered) else None
            if (
                following is not None
                and following - number > 2
                and self._holds_for(cond, name, str(number + 1))
            ):
                if following - number > _MAX_RANGE:
                    return None
                found.update(str(value) for value in range(number + 1, following))
        return found if len(found) <= _MAX_RANGE else None


def _effect_of(app: str, data: str, name: str) -> object:
    """What an application does to ``${name}``: a constant value, ``_UNKNOWN``, or None."""
    lowered = app.strip().lower()
    if lowered in ("set", "mset", "setvar"):
        for pair in [data] if lowered != "mset" else app_args(data):
            target, equals, value = pair.partition("=")
            if not equals:
                continue
            assigned = assigned_name(target)
            if assigned is None:
                return _UNKNOWN  # Set(${X}=...): any variable
            if assigned != name:
                continue
            if target.strip().upper().startswith("GLOBAL("):
                return _UNKNOWN  # a channel variable of the name would still win
            value = value.strip()
            return _constant(value) if has_variables(value) else value
        return None
    if lowered in ("read", "readexten", "importvar"):
        first = app_args(data)[0] if data.strip() else ""
        return _UNKNOWN if first.strip() == name else None
    if lowered in QUIET_APPS:
        return None
    return _UNKNOWN


def _constant(value: str) -> object:
    """A value that is an expression of constants (``$[1+1]``), or ``_UNKNOWN``."""
    if "${" in value:
        return _UNKNOWN
    found = expression_value(value)
    return _UNKNOWN if found is None else found


def _assigned_constants(walker: Walker) -> dict[str, set[str] | None]:
    """Every variable the dialplan assigns, with the constants it is set to (None: some
    assignment is not a constant: a Read, a Set of a variable, an ExecIf)."""
    found: dict[str, set[str] | None] = {}
    for context in walker.targets.plan.contexts.values():
        for extension in context.extensions.values():
            for step in extension.steps.values():
                app = step.app.strip().lower()
                if app in ("set", "mset", "setvar"):
                    for pair in [step.data] if app != "mset" else app_args(step.data):
                        target, equals, value = pair.partition("=")
                        name = assigned_name(target) if equals else ""
                        if not name:
                            continue
                        value = value.strip()
                        known = found.setdefault(name, set())
                        if has_variables(value) or known is None:
                            found[name] = None
                        else:
                            known.add(value)
                    continue
                for name in step_assigns(step.app, step.data) or ():
                    found[name] = None
    return found


def _evaluate(text: str, names: list[str], choices: list[list[str]]) -> bool | None:
    """The one outcome of ``text`` for every combination of the values, or None."""
    total = 1
    for each in choices:
        total *= len(each)
    if total == 0 or total > _MAX_COMBINATIONS:
        return None
    results = set()
    for combination in product(*choices):
        filled = text
        for name, value in zip(names, combination, strict=True):
            filled = filled.replace("${" + name + "}", value)
        results.add(condition_holds(filled))
        if None in results or len(results) > 1:
            return None
    return results.pop()


def _other_variables(cond: str, name: str) -> bool:
    return any(each != name for each in _VARIABLE.findall(cond))
