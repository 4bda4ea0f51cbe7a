"""What the applications that move the call become: GotoIf chains, GotoIfTime, Goto to
run-time places, Gosub/Macro calls (subflows), and the application an ExecIf runs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ivraudit.formats.asterisk.apps import (
    Kind,
    classify,
    closed_label,
    closed_then,
    goto_parts,
    inner_app,
    shortened,
)
from ivraudit.formats.asterisk.closed import closed_flags, closed_when_true
from ivraudit.formats.asterisk.macros import offset_following
from ivraudit.formats.asterisk.match import app_args, call_with_args, has_variables
from ivraudit.formats.asterisk.nodes import Pool, branch_node, in_macro
from ivraudit.formats.asterisk.parse import Context
from ivraudit.formats.asterisk.targets import Ends, Loc, Missing, Target, Timed, Unknown
from ivraudit.formats.asterisk.writes import assigned_name

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.flow import Flow


#: Most subroutine builds kept apart by their call sites' constant arguments.
MAX_FRAMES = 300
#: Applications whose arguments decide where a call goes (a subroutine argument used in
#: one of them is worth building the subroutine once per value).
_DECIDING_APPS = frozenset(
    ["gotoif", "goto", "execif", "gosubif", "macroif", "gosub", "macro", "while", "set", "mset"]
)
_ARG = re.compile(r"\$\{(ARG\d+|MACRO_EXTEN|MACRO_CONTEXT|MACRO_PRIORITY)\}")

_COUNTER_TEST = re.compile(
    r'^\$\[\s*"?\$\{(\w+)\}"?\s*(<=|>=|<|>|==|=)\s*"?(\d+|\$\{\w+\})"?\s*\]$'
)


def retry_counter(
    loc: Loc,
    cond: str,
    limits: Callable[[str], set[str] | None] | None = None,
    numeric: Callable[[str], bool] | None = None,
) -> tuple[int, bool] | None:
    """``(retries, exit when true)`` when this GotoIf checks a retry counter: a variable
    the priorities just before it count up (``Set(n=$[${n}+1])``), compared with a limit
    (``GotoIf($[${n} < 3]?again:goodbye)``), or with a variable set to a constant on
    every route here (``${MAX_COUNT}``, looked up by ``limits``).

    The retry message may come between the count and the test (``Set(n=$[${n}+1])``,
    ``Playback(pm-invalid-option)``, ``GotoIf($[${n} < 3]?again)``).  A count written
    without the ``$`` (``Set(n=[${n}+1])``) stores the text ``[0+1]``: Asterisk evaluates
    only ``$[...]`` (docs.asterisk.org "Expressions"), and the test ``$[${n} < 3]`` then
    reads ``[0+1] < 3``, whose brackets match no token of the expression scanner and are
    skipped (main/ast_expr2.fl; flex's default rule): it counts as ``0+1``, but only from
    a number.  So it is a counter only where the dialplan resets it to a number
    (``numeric``); from an empty value the sum is a syntax error whose outcome is not
    read, and the test stays an ordinary branch."""
    test = _COUNTER_TEST.match(cond.strip())
    if test is None:
        return None
    name, operator, written = test.group(1), test.group(2), test.group(3)
    if not written.isdigit():
        values = limits(written[2:-1]) if limits is not None else None
        if not values or len(values) != 1 or not next(iter(values)).isdigit():
            return None
        written = next(iter(values))
    limit = int(written)
    counting = re.compile(
        rf"^\s*{re.escape(name)}\s*=\s*(\$?)\[\s*\$\{{{re.escape(name)}\}}\s*\+\s*1\s*\]\s*$"
    )
    steps = loc.step.exten.steps
    for number in range(loc.step.number - 1, max(0, loc.step.number - 6), -1):
        step = steps.get(number)
        if step is None or step.kind.tag not in ("pass", "prompt"):
            return None
        found = counting.match(step.data) if step.app.strip().lower() == "set" else None
        if found is not None:
            if not found.group(1) and (numeric is None or not numeric(name)):
                return None
            break
    else:
        return None
    exit_on_true = operator in (">", ">=", "=", "==")
    retries = limit - 1 if operator in ("<", ">=", "=", "==") else limit
    return max(0, min(retries, 100)), exit_on_true


class Jumps:
    """Builds the nodes of branches, jumps and subroutine calls."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.targets = flow.targets
        self.walker = flow.walker
        self._flags: dict[str, set[str]] | None = None
        #: id(pool) -> the constant arguments its subroutine was called with
        self.frames: dict[int, dict[str, str]] = {}
        self._deciding: dict[str, frozenset[str]] = {}
        self._numbers: frozenset[str] | None = None

    def reset_to_number(self, name: str) -> bool:
        """Whether the dialplan sets ``${name}`` to a plain number somewhere
        (``Set(countWRONG=0)``): where a count written ``[${n}+1]`` starts from."""
        if self._numbers is None:
            found: set[str] = set()
            for context in self.targets.contexts.values():
                for extension in context.extensions.values():
                    for step in extension.steps.values():
                        if step.app.strip().lower() != "set":
                            continue
                        target, equals, value = step.data.partition("=")
                        assigned = assigned_name(target) if equals else None
                        if assigned and value.strip().isdigit():
                            found.add(assigned)
            self._numbers = frozenset(found)
        return name in self._numbers

    @property
    def flags(self) -> dict[str, set[str]]:
        """Variables set to a literal on the closed side of a GotoIfTime (see closed.py)."""
        if self._flags is None:
            self._flags = closed_flags(self.walker)
        return self._flags

    def flag_hours(self, pool: Pool, loc: Loc, node_id: str) -> dict[str, Any] | None:
        """A GotoIf testing a variable set on the closed side of a GotoIfTime: hours."""
        kind = self.walker.kind(loc)
        closed = closed_when_true(kind.cond or "", self.flags) if kind.then else None
        if closed is None:
            return None
        where = loc.step.where
        then = self.flow.link(pool, self.targets.goto(loc, kind.then or ""), node_id, "then", where)
        otherwise = (
            self.flow.link(pool, self.targets.goto(loc, kind.otherwise), node_id, "else", where)
            if kind.otherwise
            else self.flow.after(pool, loc)
        )
        return {
            "type": "hours",
            "schedule": None,
            "open": otherwise if closed else then,
            "closed": then if closed else otherwise,
            "note": f"{kind.cond} tests what a GotoIfTime() set on its closed side",
        }

    def branch_chain(self, pool: Pool, loc: Loc, node_id: str) -> dict[str, Any]:
        """GotoIf, or several in a row that each only jump when true: one branch."""
        hours = self.flag_hours(pool, loc, node_id)
        if hours is not None:
            return hours
        cases: list[tuple[str, str | None]] = []
        otherwise: str | None = None
        current = loc
        number = 0
        while True:
            kind = self.walker.kind(current)
            number += 1
            where = current.step.where
            pool.where[("nodes", node_id, "cases", number - 1)] = where
            holds = self.walker.known.holds(current)
            if holds is not None:
                # Fixed by what was read (a constant set before it, the arguments of this
                # call, the numbers a label is entered for): only the arm that holds.
                number -= 1
                arm = kind.then if holds else kind.otherwise
                if arm:
                    target = self.targets.goto(current, arm, kind.cond if holds else None)
                    otherwise = self.flow.link(pool, target, node_id, "else", where)
                    break
            elif not kind.then:
                cases.append((kind.cond or "", self.flow.after(pool, current)))
                if kind.otherwise:
                    target = self.targets.goto(current, kind.otherwise)
                    otherwise = self.flow.link(pool, target, node_id, "else", where)
                else:
                    otherwise = self.flow.after(pool, current)
                break
            else:
                target = self.targets.goto(current, kind.then, kind.cond)
                linked = self.flow.link(pool, target, node_id, f"case {number}", where)
                cases.append((kind.cond or "", linked))
                if kind.otherwise:
                    target = self.targets.goto(current, kind.otherwise)
                    otherwise = self.flow.link(pool, target, node_id, "else", where)
                    break
            # Only jumps when true: a GotoIf right after it goes on with the chain.
            follow = self._chained_gotoif(current)
            if follow is not None:
                current = follow
                continue
            otherwise = self.flow.after(pool, current)
            break
        if number == 1 and len(cases) == 1:
            # GotoIf($[${n} < 13]?:goodbye): an empty arm goes on at the next priority.
            counted = retry_counter(
                loc,
                kind.cond or "",
                lambda name: self.walker.known.limit(loc, name),
                self.reset_to_number,
            )
            if counted is not None:
                retries, exit_on_true = counted
                again, leave = (
                    (otherwise, cases[0][1]) if exit_on_true else (cases[0][1], otherwise)
                )
                if again and leave:
                    pool.counters[node_id] = (again, leave, retries)
        return branch_node(cases, otherwise, None)

    def _chained_gotoif(self, current: Loc) -> Loc | None:
        """The next priority when it is another GotoIf that what was read does not
        decide: the chain of branches goes on there."""
        follow = self.walker.passes_untargeted(current)
        if (
            isinstance(follow, Loc)
            and self.walker.kind(follow).tag == "gotoif"
            and self.walker.fold(follow) is None
        ):
            return follow
        return None

    def hours(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        """GotoIfTime: open and closed hours, swapped when the true branch is named 'closed'."""
        where = loc.step.where
        then = (
            self.flow.link(pool, self.targets.goto(loc, kind.then), node_id, "open", where)
            if kind.then
            else self.flow.after(pool, loc)
        )
        otherwise = (
            self.flow.link(pool, self.targets.goto(loc, kind.otherwise), node_id, "closed", where)
            if kind.otherwise
            else self.flow.after(pool, loc)
        )
        if kind.then and closed_label(kind.then) and not closed_label(kind.otherwise or ""):
            return {
                "type": "hours",
                "schedule": kind.cond,
                "open": otherwise,
                "closed": then,
                "note": f"the times {kind.cond} lead to '{kind.then}', read as closed hours",
            }
        if closed_then(kind):
            return {
                "type": "hours",
                "schedule": kind.cond,
                "open": otherwise,
                "holiday": then,
                "note": f"the dates {kind.cond} are a holiday check: its true side is closed",
            }
        return {"type": "hours", "schedule": kind.cond, "open": then, "closed": otherwise}

    def goto_node(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        """A Goto to somewhere other than one known priority (run-time, missing, timed)."""
        target = self.targets.goto(loc, kind.target or "")
        where = loc.step.where
        described = f"{kind.app}({loc.step.data})"
        if isinstance(target, Missing):
            return {"type": "action", "note": described, "next": target.name}
        if isinstance(target, Unknown):
            return target.node(described)
        if isinstance(target, Ends):
            return {"type": "hangup", "note": target.note, "reason": target.reason}
        if isinstance(target, Timed):
            return {
                "type": "hours",
                "schedule": target.schedule or None,
                "open": self.flow.link(pool, target.open, node_id, "open", where),
                "closed": self.flow.link(pool, target.closed, node_id, "closed", where),
                "note": f"{described}: the extension is in a context included only at these times",
            }
        if isinstance(target, Loc):  # only when Walker.fold saw a loop; keep the jump visible
            return {"type": "action", "note": described, "next": self.flow.enter(pool, target)}
        linked = [
            (when, self.flow.link(pool, each, node_id, f"case {number}", where))
            for number, (when, each) in enumerate(target.cases, start=1)
        ]
        otherwise = self.flow.link(pool, target.otherwise, node_id, "else", where)
        return branch_node(linked, otherwise, described)

    def returned(self, loc: Loc, app: str, data: str) -> str | None:
        """The constant ``Return(value)`` leaves in ``${GOSUB_RETVAL}`` (the call's
        constant arguments filled in; "" for none); None: known only at run time."""
        if app.strip().lower() != "return":
            return None
        value = self.targets.substituted(loc, data).strip()
        return None if has_variables(value) else value

    def use(self, pool: Pool, loc: Loc) -> dict[str, str]:
        """Build ``loc`` in ``pool`` (its call's arguments known); returns the frame to
        restore.  A Goto out of a macro ends it: app_macro.c puts back the ARGn and
        ``MACRO_*`` the call had before, so there they are known only at run time."""
        if pool.mode == "macro" and not in_macro(loc.chan):
            return self.targets.use_frame({})
        return self.targets.use_frame(self.frames.get(id(pool), {}))

    def restore(self, previous: dict[str, str]) -> None:
        self.targets.use_frame(previous)

    def _framed(self, kind: Kind, spec: str, loc: Loc, target: Loc) -> tuple[str, str]:
        """The pool (by name in ``flow.pools``) and subflow key of a call to ``target``.

        Arguments the call passes as constants (``Gosub(sub,s,1(rg,600,dontcare))``,
        ``Macro(name,0)``) that the subroutine tests or jumps by are filled in: the
        subroutine is built once per such set of values, so its branches on them are
        decided per call site (app_stack's ARGn, app_macro's ARGn).  A macro also knows
        where it was called from: ``${MACRO_CONTEXT}``, ``${MACRO_EXTEN}`` and
        ``${MACRO_PRIORITY}`` (see :func:`_macro_site`)."""
        callee = "macro" if kind.call == "macro" else "main"
        key = f"{kind.call} {self.walker.step_id(target)}"
        substituted = self.targets.substituted(loc, spec)
        if kind.call == "macro":
            given = app_args(substituted)[1:]
        else:
            parts = goto_parts(substituted)
            given = app_args(call_with_args(parts[-1])[1]) if parts and "(" in parts[-1] else []
        deciding = self._deciding_args(target.step.context)
        frame = {
            f"ARG{number}": value
            for number, value in enumerate(given, start=1)
            if f"ARG{number}" in deciding and not has_variables(value)
        }
        if kind.call == "macro":
            frame.update(_macro_site(loc, deciding))
        if not frame or (len(self.frames) >= MAX_FRAMES and not self._known_frame(callee, frame)):
            return callee, key
        written = ",".join(f"{name}={value}" for name, value in sorted(frame.items()))
        mode = f"{callee} {written}"
        if mode not in self.flow.pools:
            framed = Pool(callee)
            self.flow.pools[mode] = framed
            self.frames[id(framed)] = frame
        return mode, f"{key} with {written}"

    def _known_frame(self, callee: str, frame: dict[str, str]) -> bool:
        written = ",".join(f"{name}={value}" for name, value in sorted(frame.items()))
        return f"{callee} {written}" in self.flow.pools

    def _deciding_args(self, context: str) -> frozenset[str]:
        """The ARGn (and MACRO_*) a subroutine's context tests or jumps by."""
        if context not in self._deciding:
            self._deciding[context] = _deciding_in(self.targets.contexts.get(context))
        return self._deciding[context]

    def call(
        self, pool: Pool, loc: Loc, node_id: str, kind: Kind, spec: str, following: str
    ) -> dict[str, Any]:
        """Gosub/Macro: a subflow (expanded per call, so Return comes back here)."""
        described = f"{kind.app}({shortened(spec)})"
        if kind.call == "macro":
            args = app_args(self.targets.substituted(loc, spec))
            name = args[0] if args else ""
            if not name or has_variables(name):
                target: Target = Unknown(
                    "the macro's name is known only at run time", "run-time", spec
                )
            else:
                target = self.targets.locate(f"macro-{name}", "s", "1", loc)
        else:
            target = self.targets.goto(loc, spec)
        if isinstance(target, Loc):
            if kind.call == "macro":
                following = offset_following(
                    self.flow, pool, loc, node_id, target.step.context, following
                )
            callee, key = self._framed(kind, spec, loc, target)
            pool.calls[node_id] = (callee, target, key)
            if kind.call != "macro":
                pool.sites[node_id] = loc
            return {"type": "subflow", "menu": key, "next": following, "note": described}
        if isinstance(target, Missing):
            return {
                "type": "action",
                "note": f"{described}: the subroutine does not exist, so Asterisk hangs up",
                "error": target.name,
            }
        if isinstance(target, Unknown):
            return self._unknown_call(pool, node_id, kind, described, target, following, loc)
        reason = target.note if isinstance(target, Ends) else "chosen at run time"
        return {
            "type": "action",
            "note": f"{described}: subroutine not followed ({reason})",
            "next": following,
        }

    def _unknown_call(
        self,
        pool: Pool,
        node_id: str,
        kind: Kind,
        described: str,
        target: Unknown,
        following: str,
        loc: Loc,
    ) -> dict[str, Any]:
        """A subroutine that is not in what was read.

        A ``Macro`` may dial, transfer or hang up before it returns: the route ends
        in the unknown.  A ``Gosub`` runs to its ``Return`` (that is what Gosub is
        for), so the route either goes on at the next priority or ends in the unknown.
        """
        if kind.call == "macro":
            return target.node(f"{described}: subroutine not followed")
        helper, new = pool.claim(("helper", node_id, "unknown"), f"{node_id}:unknown")
        if new:
            pool.add(helper, target.node(f"{described}: subroutine not followed"), loc.step.where)
        return {
            "type": "branch",
            "cases": [{"when": f"{described} returns", "next": following}],
            "else": helper,
            "note": f"{described}: {target.note}",
        }

    def call_if(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        """GosubIf/MacroIf: a branch to one call or the other, then on to the next priority."""
        following = self.flow.after(pool, loc)
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
                pool.add(helper, self.call(pool, loc, helper, call, spec, following), where)
            ids[role] = helper
        cases.append((kind.cond or "", ids["then"]))
        return branch_node(cases, ids["else"], None)

    def exec_if(self, pool: Pool, loc: Loc, node_id: str, kind: Kind) -> dict[str, Any]:
        """ExecIf/ExecIfTime: a branch (or hours) to the application it runs."""
        following = self.flow.after(pool, loc)
        holds = self.walker.known.holds(loc) if kind.tag == "execif" else None
        if holds is not None:
            # Fixed by what was read (a value carried here on every route): one arm only.
            role, text = ("then", kind.then) if holds else ("else", kind.otherwise)
            chosen = self._virtual(pool, loc, node_id, role, text, following)
            return branch_node([], chosen, f"{kind.app}: {kind.cond} is fixed on every route here")
        then = self._virtual(pool, loc, node_id, "then", kind.then, following)
        otherwise = self._virtual(pool, loc, node_id, "else", kind.otherwise, following)
        if kind.tag == "execiftime":
            return {"type": "hours", "schedule": kind.cond, "open": then, "closed": otherwise}
        return branch_node([(kind.cond or "", then)], otherwise, None)

    def _virtual(
        self, pool: Pool, loc: Loc, node_id: str, role: str, text: str | None, following: str
    ) -> str:
        """The node for an application run inside ExecIf."""
        if not text:
            return following
        app, data = inner_app(text)
        kind = classify(app, self.targets.substituted(loc, data))
        if kind.tag == "pass":
            return following
        where = loc.step.where
        if kind.tag == "goto":
            target = self.targets.goto(loc, kind.target or "")
            return self.flow.link(pool, target, node_id, role, where) or following
        helper, new = pool.claim(("helper", node_id, role), f"{node_id}:{role}")
        if not new:
            return helper
        if kind.tag == "prompt":
            node = self.flow.talk.prompts(
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
            node = _inner_ending(kind, following)
        elif kind.tag == "call":
            node = self.call(pool, loc, helper, kind, kind.target or "", following)
        elif kind.tag == "return":
            node = {"type": "return"}
            pool.returned[helper] = self.returned(loc, app, data)
        else:
            node = {"type": "action", "note": kind.note or f"runs {app}", "next": following}
        pool.add(helper, node, where)
        return helper


def _deciding_in(place: Context | None) -> frozenset[str]:
    """The ARGn and MACRO_* that ``place`` tests or jumps by (not ones it only plays)."""
    found: set[str] = set()
    for extension in place.extensions.values() if place is not None else ():
        for step in extension.steps.values():
            if step.app.strip().lower() in _DECIDING_APPS:
                found.update(_ARG.findall(step.data))
    return frozenset(found)


def _macro_site(loc: Loc, deciding: frozenset[str]) -> dict[str, str]:
    """What app_macro.c sets ``MACRO_CONTEXT``, ``MACRO_EXTEN`` and ``MACRO_PRIORITY`` to for
    the Macro run at ``loc``: the channel's context, extension and priority there
    (docs.asterisk.org, Dialplan Applications *Macro*: "${MACRO_EXTEN} The extension that
    triggered the macro", ...).  The extension is known only where it is not a pattern (in
    ``_1XX`` it is the number dialled).  Only those in ``deciding`` are kept."""
    site = {"MACRO_CONTEXT": loc.chan, "MACRO_PRIORITY": str(loc.step.number)}
    if loc.step.exten.pattern is None:
        site["MACRO_EXTEN"] = loc.step.exten.name.partition("/")[0]
    return {name: value for name, value in site.items() if name in deciding}


def _inner_ending(kind: Kind, following: str) -> dict[str, Any]:
    """A hang-up, transfer, voicemail or question run inside ExecIf (no prompts before it)."""
    if kind.tag == "hangup":
        return {"type": "hangup", "note": kind.note}
    if kind.tag == "transfer":
        return {
            "type": "transfer",
            "target": kind.target,
            "human": kind.human,
            "fail": None if kind.waits else following,
            "waits_in_queue": kind.waits,
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
