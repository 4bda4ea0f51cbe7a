"""Whose choice a jump's run-time extension is: the caller's, or not.

``Goto(ctx,${EXTEN},1)`` goes where the number the caller dialled goes, and
``Read(CHOICE,...)`` then ``Goto(ctx,${CHOICE},1)`` where the keys the caller pressed
go: each extension of ``ctx`` such a number finds is a route the caller can take
(docs.asterisk.org, Dialplan > Special Dialplan Extensions and Channel Variables:
``${EXTEN}`` is the dialled extension; Read() stores the digits the caller entered).
``Goto(userout,${AEXTEN},1)`` with ``AEXTEN`` from ``${ODBC_SETUP(...)}``, ``${DB(...)}``,
``${SHARED(...)}``, ``${CALLERID(...)}``, a SIP header or an AGI script goes to ONE
extension that the administrator's data or the network picked: no caller can steer the
call to the others, so that place is known only at run time (an ``unknown``), not a set
of routes.  Whether a variable holds the caller's digits is tracked forward by
:mod:`.carried`; what is not proven to be the caller's is not.

Everything here is linear in the text: no recursion on nested ``${...}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ivraudit.formats.asterisk.apps import DOMAINS
from ivraudit.formats.asterisk.match import split_condition

#: Prefix of the pseudo-variable :mod:`.carried` keeps for "``${X}`` holds the caller's
#: digits (or a constant) on every route here".
ORIGIN = "\x00"
#: Its one value.
CALLER = frozenset(["caller"])
#: Variables Asterisk itself sets to the dialled number, or to a documented result whose
#: every value the dialplan can name (DIALSTATUS, ...).
_DIALLED = frozenset(["EXTEN"])
_EXTEN_PART = re.compile(r"EXTEN:-?\d+(?::-?\d+)?")
_NAME = re.compile(r"\w+")
#: Most ``${...}`` references one text is examined for.
_MAX_REFERENCES = 32


def references(text: str) -> list[str] | None:
    """The bodies of the top-level ``${...}`` of ``text``; None when it holds ``$[...]``
    outside them, or unbalanced braces (not read here)."""
    found: list[str] = []
    outside: list[str] = []
    index = 0
    while True:
        start = text.find("${", index)
        if start < 0:
            break
        outside.append(text[index:start])
        depth = 0
        end = -1
        for position in range(start + 1, len(text)):
            char = text[position]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    end = position
                    break
        if end < 0 or len(found) >= _MAX_REFERENCES:
            return None
        found.append(text[start + 2 : end])
        index = end + 1
    outside.append(text[index:])
    if any("$[" in part for part in outside):
        return None
    return found


def chosen(text: str, holds: Callable[[str], bool]) -> bool:
    """Whether every value ``text`` can take is the caller's dialled number or keyed digits
    (or constant): each ``${...}`` in it is ``${EXTEN}`` or a numeric part of it, a result
    variable with a documented domain, ``${IF(c?a:b)}`` whose arms both are, or a variable
    ``holds(name)`` says carries the caller's digits."""
    pending = [text]
    while pending:
        current = pending.pop()
        bodies = references(current)
        if bodies is None:
            return False
        for body in bodies:
            body = body.strip()
            if body in _DIALLED or body in DOMAINS or _EXTEN_PART.fullmatch(body):
                continue
            if body.upper().startswith("IF(") and body.endswith(")"):
                arms = split_condition(body[3:-1])
                if arms is None:
                    return False
                pending.extend(arm for arm in arms[1:] if arm)
                continue
            if _NAME.fullmatch(body) and holds(body):
                continue
            return False
    return True
