"""What a key pattern (an option keyed ``/regex/``) can match on a telephone keypad.

Platforms match such a pattern against the keys the caller typed (FreeSWITCH:
``switch_ivr_menu.c``, ``switch_regex_perform``): only the keys of a keypad
(``0-9 * #`` and ``A-D``) can ever be in that buffer.  A pattern that needs any
other character (``/^(/d{4})$/``, with ``/d`` typed for ``\\d``) is never
matched (rule MN008).  The samples found here also stand for ``$1`` where an
option transfers to the digits it captured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

try:  # Python 3.11 and later
    import re._parser as _sre  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

#: The keys a telephone keypad sends (RFC 2833 events 0-15 as FreeSWITCH names them).
KEYPAD = "0123456789*#ABCD"


def is_pattern(option: str) -> bool:
    """Whether a menu option is a key pattern (``/regex/``) rather than a key."""
    return len(option) > 2 and option.startswith("/") and option.endswith("/")


def takes_key(options: Iterable[str], key: str) -> bool:
    """Whether pressing ``key`` picks one of ``options``: the key itself, or a pattern
    that matches it."""
    chosen = list(options)
    if key in chosen:
        return True
    for option in chosen:
        if is_pattern(option):
            try:
                if re.fullmatch(option[1:-1], key):
                    return True
            except re.error:
                continue
    return False


class _Unsupported(Exception):
    """A construct (look-around, back reference) whose matches are not worked out here."""


def keypad_samples(pattern: str) -> list[str] | None:
    """Keypad strings the pattern matches: ``[]`` when no keypad input can match it,
    None when ivraudit cannot tell (a construct it does not work out, or a bad regex).

    Two samples are made, one from the first and one from the last choice of each
    character class and alternative, so that ``/^(10[01][0-9])$/`` gives ``1000``
    and ``1019``.
    """
    try:
        compiled = re.compile(pattern)
        parsed = _sre.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    samples: list[str] = []
    try:
        for last in (False, True):
            sample = _generate(list(parsed), last)
            if sample is None:
                return []
            if compiled.search(sample) is None:
                return None  # anchors or flags this sketch does not follow
            if sample not in samples:
                samples.append(sample)
    except (_Unsupported, RecursionError):
        return None
    return samples


def _generate(items: list, last: bool) -> str | None:
    """A keypad string matching the parsed items in sequence, or None if none can."""
    out: list[str] = []
    for op, value in items:
        piece = _piece(op, value, last)
        if piece is None:
            return None
        out.append(piece)
    return "".join(out)


def _piece(op: object, value: object, last: bool) -> str | None:
    name = str(op)
    if name == "AT":
        return ""
    if name == "LITERAL":
        char = chr(value)  # type: ignore[arg-type]
        return char if char in KEYPAD else None
    if name == "NOT_LITERAL":
        return _choose([c for c in KEYPAD if c != chr(value)], last)  # type: ignore[arg-type]
    if name == "ANY":
        return _choose(list(KEYPAD), last)
    if name == "IN":
        return _choose([c for c in KEYPAD if _in_class(value, c)], last)  # type: ignore[arg-type]
    if name == "SUBPATTERN":
        return _generate(list(value[-1]), last)  # type: ignore[index]
    if name == "BRANCH":
        branches = list(value[1])  # type: ignore[index]
        for branch in reversed(branches) if last else branches:
            found = _generate(list(branch), last)
            if found is not None:
                return found
        return None
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = value  # type: ignore[misc]
        once = _generate(list(sub), last)
        if once is None:
            return "" if low == 0 else None
        count = max(low, 1) if last else low
        return once * min(count, high, 20)
    if name == "ATOMIC_GROUP":
        return _generate(list(value), last)  # type: ignore[arg-type]
    raise _Unsupported(name)


def _choose(chars: list[str], last: bool) -> str | None:
    if not chars:
        return None
    return chars[-1] if last else chars[0]


def _in_class(items: list, char: str) -> bool:
    negate = False
    hit = False
    for op, value in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or chr(value) == char
        elif name == "RANGE":
            hit = hit or value[0] <= ord(char) <= value[1]
        elif name == "CATEGORY":
            hit = hit or _in_category(str(value), char)
        else:
            raise _Unsupported(name)
    return hit != negate


def _in_category(category: str, char: str) -> bool:
    tests = {
        "CATEGORY_DIGIT": char.isdigit(),
        "CATEGORY_NOT_DIGIT": not char.isdigit(),
        "CATEGORY_WORD": char.isalnum(),
        "CATEGORY_NOT_WORD": not char.isalnum(),
        "CATEGORY_SPACE": False,
        "CATEGORY_NOT_SPACE": True,
    }
    if category not in tests:
        raise _Unsupported(category)
    return tests[category]
