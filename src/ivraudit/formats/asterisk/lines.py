"""The caller lines behind one inbound context: a dispatch on the number dialled.

A trunk context often answers many numbers and sends each to its own service::

    [from-trunk]
    exten => _X.,1,Set(NUM=${CALLERID(DNID):7:4})
     same => n,GotoIf($[${NUM} = 1464]?foas_main,${EXTEN},1)
     same => n,GotoIf($[${NUM} = 1461]?magicbox-main,${EXTEN},1)

Each number is a line of its own: callers of 1464 only ever reach the feed-order
service.  So each context such a dispatch sends the call to is an entry too, and
the depth rules (DP001-DP003) judge each line apart.  A fault in a service is still
one finding: the trunk's routes and the line's meet it at the same place.

The number dialled is ``${EXTEN}``, ``${CALLERID(DNID)}`` or the ``To:`` header
(``${SIP_HEADER(To)}``), and any variable ``Set()`` from them in the inbound
context (``Set(NUM=${TONUM:7:4})``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivraudit.formats.asterisk.apps import goto_parts, priority_and_args
from ivraudit.formats.asterisk.match import has_variables, normalize
from ivraudit.formats.asterisk.parse import Context, Extension, Step
from ivraudit.formats.asterisk.targets import SPECIAL_EXTENSIONS, Targets

#: What names the number dialled before any Set().
_DIALLED = re.compile(r"\bEXTEN\b|\bDNID\b|SIP_HEADER\(\s*To\s*\)", re.IGNORECASE)
_ASSIGNED = re.compile(r"^\s*_{0,2}(?:GLOBAL\()?(\w+)\)?\s*=(.*)$", re.DOTALL)
_EQUALS = re.compile(r'^\$\[\s*"?\$\{(\w+)(?::[-\d:]+)?\}"?\s*==?\s*"?(\d+)"?\s*\]$')
_RANGE = re.compile(
    r"^\$\[\s*\$\{(\w+)(?::[-\d:]+)?\}\s*>=\s*(\d+)\s*&&?\s*\$\{(\w+)(?::[-\d:]+)?\}\s*<=\s*(\d+)\s*\]$"
)


@dataclass
class Line:
    """A context a dispatch on the number dialled sends calls to."""

    context: Context
    extensions: list[Extension]
    numbers: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    source: str = ""
    variable: str = ""
    #: What the dispatch's author wrote beside its lines (``; door control demo 070-...``):
    #: the name the deployment gives the line.
    notes: list[str] = field(default_factory=list)
    #: Dispatch lines with no note beside them.
    unnoted: int = 0

    @property
    def reason(self) -> str:
        numbers = ", ".join(self.numbers[:6]) + (", ..." if len(self.numbers) > 6 else "")
        plural = "s" if len(self.numbers) > 1 else ""
        return (
            f"calls to number{plural} {numbers} go to context {self.context.name}: "
            f"[{self.source}] dispatches on the number dialled (${{{self.variable}}}) at "
            f"{', '.join(self.where[:3])}"
        )


def dialled_lines(entries: list[Context], targets: Targets, taken: set[str]) -> list[Line]:
    """The contexts the inbound contexts ``entries`` send each number dialled to (not
    those in ``taken``, already entries), in the order the dispatch names them."""
    found: dict[str, Line] = {}
    for entry in entries:
        steps = [
            step
            for context, _ in targets.search_order(entry.name)
            for ext in context.extensions.values()
            for step in ext.steps.values()
        ]
        dialled = _dialled_variables(steps)
        for step in steps:
            kind = step.kind
            if kind.tag != "gotoif" or not kind.then or not kind.cond:
                continue
            test = _number_test(kind.cond, dialled)
            if test is None:
                continue
            variable, numbers = test
            parts = goto_parts(kind.then)
            if len(parts) != 3 or has_variables(parts[0]) or parts[0] not in targets.contexts:
                continue
            name = targets.canonical(parts[0])
            if name in taken or name == targets.canonical(entry.name):
                continue
            context = targets.contexts[name]
            line = found.get(name)
            if line is None:
                chosen = _entered_at(context, parts[1], step, priority_and_args(parts[2]))
                if not chosen:
                    continue
                line = found[name] = Line(context, chosen, source=step.context, variable=variable)
            line.numbers.extend(number for number in numbers if number not in line.numbers)
            where = f"{_short(step.where.file)}:{step.where.line}"
            if where not in line.where:
                line.where.append(where)
                noted = targets.plan.noted(step.where)
                line.notes.extend(note for note in noted if note not in line.notes)
                line.unnoted += not noted
    return list(found.values())


def _short(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def _dialled_variables(steps: list[Step]) -> set[str]:
    """Variables holding the number dialled (or part of it), set in these steps."""
    names: set[str] = set()
    sets = []
    for step in steps:
        if step.app.strip().lower() != "set":
            continue
        found = _ASSIGNED.match(step.data)
        if found:
            sets.append((found.group(1), found.group(2)))
    for _ in range(4):  # NUM from TONUM from TONUM2 ...: a few rounds, no loops
        before = len(names)
        for name, value in sets:
            if name in names:
                continue
            if _DIALLED.search(value) or any(
                re.search(rf"\b{re.escape(known)}\b", value) for known in names
            ):
                names.add(name)
        if len(names) == before:
            break
    return names | {"EXTEN"}


def _number_test(cond: str, dialled: set[str]) -> tuple[str, list[str]] | None:
    """(variable, numbers) when the condition picks numbers dialled: ``${NUM} = 1464``,
    or a range ``${NUM} >= 1810 && ${NUM} <= 1859``."""
    text = cond.strip()
    equal = _EQUALS.match(text)
    if equal and equal.group(1) in dialled:
        return equal.group(1), [equal.group(2)]
    between = _RANGE.match(text)
    if between and between.group(1) == between.group(3) and between.group(1) in dialled:
        return between.group(1), [f"{between.group(2)}-{between.group(4)}"]
    return None


def _entered_at(context: Context, exten: str, step: Step, priority: str) -> list[Extension]:
    """The extensions of ``context`` the dispatch's call arrives at."""
    own = [
        ext
        for ext in context.extensions.values()
        if ext.name.partition("/")[0] not in SPECIAL_EXTENSIONS - {"s"} and 1 in ext.steps
    ]
    if priority != "1":
        return []
    if not has_variables(exten):
        wanted = normalize(exten)
        return [ext for ext in own if normalize(ext.name.partition("/")[0]) == wanted][:1]
    source = step.exten.pattern
    if exten.strip() != "${EXTEN}" or source is None:
        return []
    covering = [ext for ext in own if ext.pattern is not None and ext.pattern.covers(source)]
    if covering:
        return [min(covering, key=lambda ext: ext.pattern.sort_key())]  # type: ignore[union-attr]
    return [
        ext
        for ext in own
        if (ext.pattern is not None and ext.pattern.intersects(source))
        or (ext.pattern is None and source.matches(ext.name.partition("/")[0]))
    ]
