"""Where a jump lands: Goto/Gosub/Macro targets, looked up through includes, patterns and
variables as Asterisk would; and the whole-dialplan scans that lookup needs.

Nothing here recurses on the input: include chains are walked with a stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from ivraudit.formats.asterisk.apps import (
    DOMAINS,
    classify_inner,
    goto_parts,
    leading_number,
    priority_and_args,
)
from ivraudit.formats.asterisk.lookup import Lookup, step_of
from ivraudit.formats.asterisk.match import Pattern, has_variables, normalize, substitute
from ivraudit.formats.asterisk.origin import chosen
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, Step

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.carried import Carried

#: Most cases a jump to a run-time extension may fan out to before it is left opaque.
MAX_DYNAMIC_CASES = 60
#: Extension names Asterisk runs itself (start, invalid, timeout, hangup, ...), not dialed ones.
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
    """A place ivraudit cannot see: computed at run time (``run-time``), in a context or
    file that was not given (``not-given``), or written so it cannot be read (``unsupported``);
    ``target`` is what the dialplan names there."""

    note: str
    reason: str = "run-time"
    target: str | None = None

    def node(self, prefix: str = "") -> dict[str, str | None]:
        """The unknown node this place becomes."""
        note = f"{prefix}: {self.note}" if prefix else self.note
        return {"type": "unknown", "reason": self.reason, "target": self.target, "note": note}


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


class Targets(Lookup):
    """Looks places up in one dialplan: contexts, their includes, extensions, labels."""

    def __init__(self, plan: Dialplan) -> None:
        super().__init__(plan)
        self.constants = constant_globals(plan)
        #: Constant arguments (ARGn) of the subroutine call being built (Jumps._framed).
        self.frame: dict[str, str] = {}
        self.frame_key: tuple[tuple[str, str], ...] = ()
        self._values = self.constants
        #: Values carried across the dialplan (set by the walker): whose choice a
        #: run-time extension is (:mod:`.origin`).
        self.carried: Carried | None = None
        unread = sorted({item.name for item in plan.unread if item.in_context})
        self.hiding = bool(unread)
        self.unread_text = ", ".join(f"'{name}'" for name in unread[:3]) + (
            ", ..." if len(unread) > 3 else ""
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

    def locate(
        self, chan: str, exten: str, priority: str, here: Loc | None = None, shortest: int = 0
    ) -> Target:
        """Where ``Goto(chan,exten,priority)`` lands, as Asterisk would find it.

        ``here``: the jump's place (``${EXTEN}`` there is a number its extension
        matches); ``shortest``: the jump is taken only when ``${EXTEN}`` has at least
        this many characters (``GotoIf($[${LEN(${EXTEN})} > 4]?...)``)."""
        named = f"{chan},{exten},{priority}"
        if has_variables(chan):
            return Unknown(f"jumps to a context known only at run time ({chan})", "run-time", named)
        if chan not in self.contexts:
            return self.no_context(chan, named)
        priority = priority_and_args(priority)
        chan = self.canonical(chan)
        want = self.priority(priority, here)
        if want is None:
            return Unknown(
                f"jumps to a priority known only at run time ({priority})", "run-time", named
            )
        if has_variables(exten):
            if not self.callers_choice(exten, here):
                return Unknown(
                    f"jumps to extension {exten} of '{chan}', known only at run time (not a "
                    "number the caller dialled or keyed)",
                    "run-time",
                    named,
                )
            source = None
            if exten.strip() == "${EXTEN}" and here is not None:
                source = here.step.exten.pattern
            return self.dynamic(chan, exten, want, source, shortest)
        hits = self.find(chan, exten, want)
        if hits:
            return self.hits_target(chan, hits)
        partial = self.partly_given(chan)
        if partial is not None:
            return Unknown(f"jumps to {named}: {partial}", "not-given", named)
        if self.exists(chan, exten):
            return self.absent(named, chan)
        switches = self._switches(chan)
        if switches:
            return Unknown(
                f"jumps to {named}, which is not in the dialplan; Asterisk "
                f"looks it up through switch => {switches[0]}, a remote dialplan",
                "not-given",
                named,
            )
        return self.invalid(chan, exten, priority)

    def callers_choice(self, exten: str, here: Loc | None) -> bool:
        """Whether the run-time extension ``exten`` of a jump at ``here`` is a number the
        caller dialled or keyed (or a documented result): then each extension it may find
        is a route; otherwise Asterisk runs one that data outside the dialplan picks."""
        carried = self.carried
        if here is None:
            return False
        return chosen(exten, lambda name: carried is not None and carried.callers(here, name))

    def priority(self, text: str, here: Loc | None) -> int | str | None:
        text = priority_and_args(text)
        if has_variables(text) or not text:
            return None
        number = leading_number(text)
        if number is not None:
            return number
        if text[0] in "+-" and text[1:].isdigit() and here is not None:
            return max(1, here.step.number + int(text))
        return text

    def relative(self, here: Loc, priority: str) -> Target:
        """``Goto(label)``: a priority or label of the extension being run; one known only
        at run time (``${MACRODIALGOTO_PRI}``, set by an AGI) is an ``unknown``."""
        priority = priority_and_args(priority)
        want = self.priority(priority, here)
        if want is None:
            named = f"{here.chan},{here.step.exten.name},{priority}"
            return Unknown(
                f"jumps to a priority known only at run time ({priority})", "run-time", named
            )
        current = here.step.exten
        hits = self.find(here.chan, current, want, first=current)
        if hits:
            return self.hits_target(here.chan, hits)
        return self.absent(f"{here.chan},{current.name},{priority}", here.chan)

    def goto(self, here: Loc, text: str, cond: str | None = None) -> Target:
        """The place a Goto/GotoIf branch names: ``[[context,]exten,]priority``
        (``cond``: the condition under which the jump is taken, when it is known)."""
        parts = goto_parts(self.substituted(here, text))
        shortest = least_length(cond) if cond else 0
        if len(parts) == 1:
            return self.relative(here, parts[0])
        if len(parts) == 2:
            return self.locate(here.chan, parts[0], parts[1], here, shortest)
        if len(parts) == 3:
            return self.locate(parts[0], parts[1], parts[2], here, shortest)
        return Unknown(f"cannot read the jump target '{text}'", "unsupported", text)

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
        return self.absent(f"{chan},{exten},{priority}", chan)

    def absent(self, name: str, chan: str) -> Target:
        if self.hidden(chan):
            return Unknown(
                f"jumps to {name}, which is not in the files read; it may be in "
                f"{self.unread_text}, which could not be read",
                "not-given",
                name,
            )
        return Missing(name)

    def no_context(self, name: str, target: str | None = None) -> Target:
        why = self.partial.get(name)
        if why is not None:
            return Unknown(f"jumps to context '{name}': {why}", "not-given", target or name)
        if self.hiding:
            return Unknown(
                f"jumps to context '{name}', which is not in the files read; it may be in "
                f"{self.unread_text}, which could not be read",
                "not-given",
                target or name,
            )
        return Unknown(
            f"jumps to context '{name}', which the files given do not define (Asterisk needs "
            "it from another configuration file, or the jump fails)",
            "not-given",
            target or name,
        )

    def dynamic(
        self,
        chan: str,
        exten: str,
        want: int | str,
        source: Pattern | None = None,
        shortest: int = 0,
    ) -> Target:
        """A jump to an extension computed at run time, in a known context.

        ``source``: the pattern of the extension ``Goto(ctx,${EXTEN},1)`` runs in, so
        ``${EXTEN}`` is a number it matches: only extensions such a number can reach
        are cases, and one whose pattern takes every such number leaves no 'else'."""
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
        # Every value the jump can name ends the extension (``Goto(s-${X},1)``): a pattern
        # that takes any non-empty text after the prefix (``_s-.``) is its catch-all.
        rest = (
            Pattern.parse("_" + "".join(f"[{c}]" for c in normalize(start)) + ".")
            if not end and re.fullmatch(r"[\w*#+]*", normalize(start))
            else None
        )
        cases = []
        seen: set[str] = set()
        for context, _ in self.search_order(chan):
            for extension in context.extensions.values():
                name = extension.name.partition("/")[0]
                if extension.key in seen or name in ("h",) or step_of(extension, want) is None:
                    continue
                if extension.pattern is None:
                    plain = normalize(name)
                    if not plain.startswith(normalize(start)) or not plain.endswith(normalize(end)):
                        continue
                    if source is not None and not (
                        source.matches(plain) and len(plain) >= shortest
                    ):
                        continue
                    when = f"{exten} is {name}"
                elif (start and not extension.pattern.intersects(probe)) or (
                    source is not None and not extension.pattern.intersects(source)
                ):
                    continue
                else:
                    when = f"{exten} matches {name}"
                seen.add(extension.key)
                cases.append((when, Loc(chan, step_of(extension, want))))  # type: ignore[arg-type]
            covered = _covered(cases, context, chan, source or rest, shortest, want)
            if covered is not None:
                return covered
        if source is None and not start and not end:
            cases = _numbers_only(cases)
        named = f"{chan},{exten},{want}"
        if not cases:
            if isinstance(want, str) and self.partly_given(chan) is None and not self.hidden(chan):
                # No extension there has this label at all: the jump fails whatever the value.
                return Missing(named)
            return Unknown(
                f"jumps to extension {exten} of '{chan}', known only at run time",
                "run-time",
                named,
            )
        if len(cases) > MAX_DYNAMIC_CASES:
            return Unknown(
                f"jumps to extension {exten} of '{chan}', known only at run time: one of "
                f"{len(cases)} extensions",
                "run-time",
                named,
            )
        partial = self.partly_given(chan)
        if partial is not None:
            otherwise: Target = Unknown(f"jumps to {named}: {partial}", "not-given", named)
        else:
            otherwise = self.invalid(chan, None)
        if len(cases) == 1 and (partial is None or _covers(cases[0][0])):
            return cases[0][1]
        return Cases(tuple(cases), otherwise)

    # -- variables -----------------------------------------------------------------------

    def use_frame(self, frame: dict[str, str]) -> dict[str, str]:
        """Build with these subroutine arguments known; returns the frame used before."""
        previous = self.frame
        if frame is not previous:
            self.frame = frame
            self.frame_key = tuple(sorted(frame.items()))
            self._values = {**self.constants, **frame} if frame else self.constants
        return previous

    def substituted(self, loc: Loc, text: str) -> str:
        """``text`` with what is known before the call filled in (constant globals, ${EXTEN},
        the arguments of the subroutine call being built when they are constants)."""
        exten = loc.step.exten
        literal = None if exten.pattern is not None else exten.name.partition("/")[0]
        return substitute(text, self._values, literal, loc.chan)


def _covered(
    cases: list[tuple[str, Target]],
    context: Context,
    chan: str,
    source: Pattern | None,
    shortest: int,
    want: int | str,
) -> Target | None:
    """A run-time jump from ``source`` whose every number finds a pattern of ``context``
    (or an extension Asterisk prefers to it, already a case): no 'else'; None otherwise."""
    found = _covering(context, source, shortest, want) if source is not None else None
    if found is None:
        return None
    rank = found.pattern.sort_key()  # type: ignore[union-attr]
    kept = [
        (when, loc)
        for when, loc in cases
        if isinstance(loc, Loc)
        and loc.step.exten is not found
        and (
            loc.step.context != context.name
            or loc.step.exten.pattern is None
            or loc.step.exten.pattern.sort_key() < rank
        )
    ]
    covering = Loc(chan, step_of(found, want))  # type: ignore[arg-type]
    return Cases(tuple(kept), covering) if kept else covering


def _covering(
    context: Context, source: Pattern, shortest: int, want: int | str
) -> Extension | None:
    """The pattern extension of ``context`` Asterisk picks for every number ``source``
    matches (the most specific one that takes them all), if there is one."""
    found = [
        ext
        for ext in context.extensions.values()
        if ext.pattern is not None
        and ext.cid is None
        and step_of(ext, want) is not None
        and ext.pattern.covers(source, shortest)
    ]
    return min(found, key=lambda ext: ext.pattern.sort_key()) if found else None  # type: ignore[union-attr]


_LEAST_LENGTH = re.compile(r"^\$\[\s*\$\{LEN\(\$\{EXTEN\}\)\}\s*(>=?)\s*(\d+)\s*\]$")


_NUMBER = re.compile(r"\+?[0-9]+")
#: What a number can start with: a digit, or '+' (E.164).
_NUMBER_PROBE = Pattern.parse("_[0-9+]!")


def _takes_a_number(extension: Extension) -> bool:
    """Whether a number (digits, with an optional leading '+') can find ``extension``.

    A jump to an extension held in a variable (``Goto(userout,${AEXTEN},1)``, the
    value from a database or a SIP header) goes to the number stored there: not to
    the extensions Asterisk runs itself (``s``, ``t``, ``i``, ``h``, ``fax``), not to
    feature codes the phones dial (``*8``, ``_*8X.``), not to alphabetic names."""
    name = extension.name.partition("/")[0]
    if extension.pattern is None:
        return _NUMBER.fullmatch(normalize(name)) is not None
    return extension.pattern.intersects(_NUMBER_PROBE)


def _numbers_only(cases: list[tuple[str, Target]]) -> list[tuple[str, Target]]:
    """The cases of a jump to an extension held in a variable that a number can find;
    all of them when none can (the value is a name then: ``${CHANNEL(language)}``)."""
    numbers = [
        case for case in cases if isinstance(case[1], Loc) and _takes_a_number(case[1].step.exten)
    ]
    return numbers or cases


def least_length(cond: str) -> int:
    """The shortest ``${EXTEN}`` a condition such as ``$[${LEN(${EXTEN})} > 4]`` lets through."""
    found = _LEAST_LENGTH.match(cond.strip())
    if found is None:
        return 0
    return int(found.group(2)) + (found.group(1) == ">")


def _covers(when: str) -> bool:
    """Whether a case of a run-time jump holds for every value (a catch-all pattern)."""
    return when.endswith((" matches _.", " matches _!", " matches _X.", " matches _X!"))


# -- whole-dialplan scans ----------------------------------------------------------------------


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
                inner = classify_inner(text)
                if inner.tag in ("goto", "call") and inner.target:
                    specs.append(inner.target)
    if kind.tag in ("call", "callif") and kind.call == "macro":
        return []
    return specs


def numeric_targets(plan: Dialplan) -> tuple[dict[str, set[int]], set[int]]:
    """Priorities some jump names by number.

    Returns, per context, the numbers jumps may land on there (the jump's own
    context and those it includes, or the context it names), and the numbers of
    jumps to a context known only at run time.
    """
    named: dict[str, set[int]] = {}
    anywhere: set[int] = set()
    for context in plan.contexts.values():
        for extension in context.extensions.values():
            for step in extension.steps.values():
                for spec in jump_specs(step):
                    parts = goto_parts(spec)
                    priority = priority_and_args(parts[-1]) if parts else ""
                    if priority[:1] in "+-" and priority[1:].isdigit():
                        number = step.number + int(priority)
                    elif leading_number(priority) is not None:
                        number = leading_number(priority)  # type: ignore[assignment]
                    else:
                        continue
                    where = parts[0] if len(parts) == 3 else context.name
                    if has_variables(where):
                        anywhere.add(number)
                        continue
                    if where in plan.contexts:
                        named.setdefault(where, set()).add(number)
    # A number named for a context lands in every context its includes reach: pass each
    # (context, number) down the includes once (linear, whatever the include chains).
    numbered: dict[str, set[int]] = {}
    pending = list(named.items())
    while pending:
        name, numbers = pending.pop()
        have = numbered.setdefault(name, set())
        new = numbers - have
        if not new:
            continue
        have |= new
        for include in plan.contexts[name].includes:
            if include.name in plan.contexts:
                pending.append((include.name, new))
    return numbered, anywhere
