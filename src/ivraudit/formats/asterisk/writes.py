"""Which channel variables a subroutine may assign (docs.asterisk.org, Dialplan
Applications Gosub and Macro: the subroutine runs on the caller's channel, so what it
``Set``s the caller sees after ``Return``; ``LOCAL()`` variables and ``${ARGn}`` do not
outlive it, but they are counted as assigned here, which is only ever more cautious).

A ``Gosub(sub,s,1)`` a value is followed through leaves the value as it was when nothing
the subroutine can run (its context, what that includes, where it jumps and what it calls
in turn) assigns the variable.  An application that may assign variables nobody can name
(``AGI``, ``Set(${X}=...)``, one not modelled here) or a jump to a place known only at
run time makes the answer "anything" (None).  One pass per subroutine, over the contexts
it can reach: linear in the dialplan.
"""

from __future__ import annotations

import re

from ivraudit.formats.asterisk.apps import goto_parts, inner_app
from ivraudit.formats.asterisk.match import app_args, has_variables, split_top
from ivraudit.formats.asterisk.parse import Dialplan, Step
from ivraudit.formats.asterisk.targets import jump_specs

#: Applications that assign no channel variable a dialplan condition reads.
QUIET_APPS = frozenset(
    [
        "answer", "wait", "noop", "verbose", "log", "ringing", "progress", "playtones",
        "stopplaytones", "playback", "background", "controlplayback", "saydigits", "saynumber",
        "sayalpha", "sayunixtime", "mixmonitor", "monitor", "stopmonitor", "stopmixmonitor",
        "sipaddheader", "pjsipaddheader", "musiconhold", "startmusiconhold", "stopmusiconhold",
        "setmusiconhold", "userevent", "senddtmf", "gotoif", "gotoiftime", "resetcdr", "nocdr",
        "dbdel", "dbdeltree", "setlanguage", "waitexten", "trace", "progress",
    ]
)  # fmt: skip
#: Applications that only move the call (their targets are followed instead).
_MOVES = frozenset(
    [
        "goto", "gosub", "gosubif", "macro", "macroif", "return", "hangup", "while", "endwhile",
        "exitwhile", "continuewhile",
    ]
)  # fmt: skip
#: Assignments of ``Set``/``MSet``: the variable, unwrapped from ``__``, LOCAL() or GLOBAL().
_WRAPPED = re.compile(r"(?:LOCAL|GLOBAL)\((\w+)\)", re.IGNORECASE)


def assigned_name(target: str) -> str | None:
    """The variable ``Set(target=...)`` assigns (``__X``, ``LOCAL(X)``, ``GLOBAL(X)`` -> X);
    "" for a function (``CDR(x)``) that no ${X} reads; None when it is known only at run time."""
    text = target.strip()
    if has_variables(text):
        return None
    text = text.lstrip("_")
    wrapped = _WRAPPED.fullmatch(text)
    if wrapped is not None:
        return wrapped.group(1)
    return text if re.fullmatch(r"\w+", text) else ""


def step_assigns(app: str, data: str) -> set[str] | None:
    """The variables one application may assign; None: any variable at all."""
    lowered = app.strip().lower()
    if lowered in ("set", "mset", "setvar"):
        names: set[str] = set()
        for pair in [data] if lowered != "mset" else app_args(data):
            target, equals, _ = pair.partition("=")
            if not equals:
                continue
            name = assigned_name(target)
            if name is None:
                return None
            names.add(name)
        return names
    if lowered in ("read", "readexten", "importvar"):
        first = app_args(data)[0] if data.strip() else ""
        return {first.strip()}
    if lowered in ("execif", "execiftime"):
        arms = data.partition("?")[2]
        names = set()
        for text in split_top(arms, ":") if lowered == "execif" else [arms]:
            inner = step_assigns(*inner_app(text)) if text.strip() else set()
            if inner is None:
                return None
            names |= inner
        return names
    if lowered in QUIET_APPS or lowered in _MOVES:
        return set()
    return None


def _callees(step: Step, context: str) -> list[str] | None:
    """Contexts ``step`` moves the call to (by a jump or a call); None: known only at run time."""
    kind = step.kind
    if kind.tag in ("call", "callif") and kind.call == "macro":
        found = []
        for spec in (kind.target, kind.then, kind.otherwise):
            args = app_args(spec or "")
            if args:
                if has_variables(args[0]):
                    return None
                found.append(f"macro-{args[0].strip()}")
        return found
    found = []
    for spec in jump_specs(step):
        parts = goto_parts(spec)
        if any(has_variables(part) for part in parts[:-1]):
            return None
        found.append(parts[0].strip() if len(parts) == 3 else context)
    return found


class Writes:
    """Memoised :func:`subroutine_writes` for one dialplan."""

    def __init__(self, plan: Dialplan) -> None:
        self.plan = plan
        self._known: dict[str, set[str] | None] = {}

    def of(self, context: str) -> set[str] | None:
        """The variables a call into ``context`` may assign before it returns; None: any."""
        if context not in self._known:
            self._known[context] = self._scan(context)
        return self._known[context]

    def _scan(self, start: str) -> set[str] | None:
        contexts = self.plan.contexts
        names: set[str] = {"GOSUB_RETVAL"}
        seen = {start}
        pending = [start]
        while pending:
            name = pending.pop()
            context = contexts.get(name)
            if context is None or context.switches:
                return None  # not read here (another file, a remote dialplan)
            reached = [include.name for include in context.includes]
            for extension in context.extensions.values():
                for step in extension.steps.values():
                    assigns = step_assigns(step.app, step.data)
                    callees = _callees(step, name)
                    if assigns is None or callees is None:
                        return None
                    names |= assigns
                    reached.extend(callees)
            for other in reached:
                if other not in seen:
                    seen.add(other)
                    pending.append(other)
        return names
