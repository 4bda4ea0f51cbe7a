"""Walks an extension's priorities as Asterisk runs them: what each priority does (with
the variables known before the call filled in), which comes next, labels, While loops,
and which priorities the caller never notices, so they fold into the next one that counts.
"""

from __future__ import annotations

from ivraudit.formats.asterisk.apps import Kind, classify, classify_inner
from ivraudit.formats.asterisk.parse import Step
from ivraudit.formats.asterisk.targets import Loc, Targets, numeric_targets

_FALLOFF = "falloff"


class Walker:
    """Steps through the priorities of one dialplan, remembering what each one does."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self._kinds: dict[tuple[str, int], Kind] = {}
        self.numbered, self.any_numbered = numeric_targets(targets.plan, targets.search_order)

    def kind(self, loc: Loc) -> Kind:
        """What the priority at ``loc`` does, with the values known before the call filled in."""
        key = (loc.chan, id(loc.step))
        known = self._kinds.get(key)
        if known is None:
            data = self.targets.substituted(loc, loc.step.data)
            known = loc.step.kind if data == loc.step.data else classify(loc.step.app, data)
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
        for context, _ in self.targets.search_order(loc.chan):
            for other in self.targets.matching(context, extension):
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
