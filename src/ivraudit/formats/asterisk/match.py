"""Asterisk dialplan text helpers: extension patterns, argument splitting, variables.

Everything here is pure and linear in the size of its input: no recursion, so a
deeply nested ``${...}`` or a long pattern cannot overflow the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Characters a caller can press on a phone keypad (A-D are left out on purpose:
#: extensions named with letters are names, not keys).
DTMF = "0123456789*#"

_ANY = ((0, 0x10FFFF),)
_DIGITS = ((ord("0"), ord("9")),)
_WILDCARDS = {
    "X": _DIGITS,
    "Z": ((ord("1"), ord("9")),),
    "N": ((ord("2"), ord("9")),),
}
#: The tail of a pattern: '.' is one or more further characters, '!' zero or more.
ONE_OR_MORE = "."
ZERO_OR_MORE = "!"


def normalize(name: str) -> str:
    """An extension name as Asterisk compares it: spaces and dashes are not significant."""
    return name.replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class Pattern:
    """An extension pattern such as ``_1NXX`` or ``_X.``: one character class per position.

    Each class is a tuple of inclusive code point ranges; ``tail`` is ``"."``,
    ``"!"`` or ``""`` (the pattern ends there).
    """

    text: str
    classes: tuple[tuple[tuple[int, int], ...], ...]
    tail: str

    @classmethod
    def parse(cls, text: str) -> Pattern:
        """Read ``_...`` (the underscore included); brackets and wildcards as Asterisk does."""
        classes: list[tuple[tuple[int, int], ...]] = []
        tail = ""
        body = text[1:]
        index = 0
        while index < len(body):
            char = body[index]
            index += 1
            if char in " -":
                continue  # fluff, as in Asterisk's matcher
            if char in (ONE_OR_MORE, ZERO_OR_MORE):
                tail = char
                break  # Asterisk ignores anything after the wildcard
            upper = char.upper()
            if upper in _WILDCARDS:
                classes.append(_WILDCARDS[upper])
                continue
            if char == "[":
                end = body.find("]", index)
                if end >= 0:
                    classes.append(_bracket(body[index:end]))
                    index = end + 1
                    continue
            classes.append(((ord(char), ord(char)),))
        return cls(text, tuple(classes), tail)

    def matches(self, literal: str) -> bool:
        """Whether the dialed string ``literal`` matches this pattern.  A string that is
        the pattern's own name (``Goto(sales,_1XX,1)``) matches it too, as in Asterisk's
        pbx.c (``_extension_match_core``: "if this test is left out, then _x. will not
        match _x."); ``${EXTEN}`` is then that name."""
        if literal[:1] == "_" and normalize(literal).lower() == normalize(self.text).lower():
            return True
        chars = normalize(literal)
        if len(chars) < len(self.classes):
            return False
        for char, ranges in zip(chars, self.classes, strict=False):
            if not _contains(ranges, ord(char)):
                return False
        rest = len(chars) - len(self.classes)
        if self.tail == ONE_OR_MORE:
            return rest >= 1
        if self.tail == ZERO_OR_MORE:
            return True
        return rest == 0

    def intersects(self, other: Pattern) -> bool:
        """Whether some dialed string matches both patterns."""
        for mine, theirs in zip(self.classes, other.classes, strict=False):
            if not _overlap(mine, theirs):
                return False
        shorter, longer = (
            (self, other) if len(self.classes) <= len(other.classes) else (other, self)
        )
        if len(shorter.classes) == len(longer.classes):
            tails = {shorter.tail, longer.tail}
            return not ("" in tails and ONE_OR_MORE in tails)
        # The shorter pattern must absorb the longer one's extra characters.
        return shorter.tail != ""

    def covers(self, other: Pattern, shortest: int = 0) -> bool:
        """Whether every string ``other`` matches (of at least ``shortest`` characters)
        matches this pattern too: a jump to ``${EXTEN}`` from ``other`` always finds it."""
        if len(self.classes) > len(other.classes):
            return False
        for mine, theirs in zip(self.classes, other.classes, strict=False):
            if not all(any(a <= low and high <= b for a, b in mine) for low, high in theirs):
                return False
        if self.tail == ZERO_OR_MORE:
            return True
        extra = len(other.classes) - len(self.classes)
        if self.tail == ONE_OR_MORE:
            least = max(len(other.classes) + (other.tail == ONE_OR_MORE), shortest)
            return least > len(self.classes)
        return extra == 0 and other.tail == ""

    def sort_key(self) -> tuple[int, ...]:
        """Asterisk tries more specific patterns first: fewer characters per position."""
        key = [_size(ranges) for ranges in self.classes]
        if self.tail:
            key.append(10**7 if self.tail == ONE_OR_MORE else 10**7 + 1)
        return tuple(key)

    def dtmf_regex(self) -> str | None:
        """A ``/regex/`` over keypad keys matching what this pattern matches, or None.

        A pattern without wildcards (``_#``) gives the keys themselves.

        None when no string of keypad keys (0-9, *, #) can match: such an
        extension is a name that callers cannot dial.
        """
        parts: list[str] = []
        fixed: list[str] = []
        for ranges in self.classes:
            allowed = "".join(key for key in DTMF if _contains(ranges, ord(key)))
            if not allowed:
                return None
            parts.append(char_class(allowed))
            fixed.append(allowed if len(allowed) == 1 else "")
        if not self.tail and all(fixed) and 0 < len(fixed) <= 20:
            return "".join(fixed)  # no wildcard at all: the keys themselves
        tail = {ONE_OR_MORE: "[0-9*#]+", ZERO_OR_MORE: "[0-9*#]*", "": ""}[self.tail]
        return "/^" + _compress(parts) + tail + "$/"


def _bracket(inside: str) -> tuple[tuple[int, int], ...]:
    ranges: list[tuple[int, int]] = []
    index = 0
    while index < len(inside):
        char = inside[index]
        if index + 2 < len(inside) and inside[index + 1] == "-":
            low, high = ord(char), ord(inside[index + 2])
            ranges.append((min(low, high), max(low, high)))
            index += 3
        else:
            ranges.append((ord(char), ord(char)))
            index += 1
    return tuple(ranges) or _ANY


def _contains(ranges: tuple[tuple[int, int], ...], code: int) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _overlap(first: tuple[tuple[int, int], ...], second: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= d and c <= b for a, b in first for c, d in second)


def _size(ranges: tuple[tuple[int, int], ...]) -> int:
    return sum(high - low + 1 for low, high in ranges)


def char_class(allowed: str) -> str:
    """A regex character class for these keypad keys (in keypad order)."""
    if len(allowed) == 1:
        return "\\*" if allowed == "*" else allowed
    if allowed == "0123456789":
        return "[0-9]"
    digits = "".join(char for char in allowed if char.isdigit())
    others = "".join(char for char in allowed if not char.isdigit())
    body = digits
    if len(digits) > 2 and digits == "0123456789"[int(digits[0]) : int(digits[-1]) + 1]:
        body = f"{digits[0]}-{digits[-1]}"
    return f"[{body}{others}]"


def _compress(parts: list[str]) -> str:
    out: list[str] = []
    index = 0
    while index < len(parts):
        end = index
        while end + 1 < len(parts) and parts[end + 1] == parts[index]:
            end += 1
        count = end - index + 1
        out.append(parts[index] + (f"{{{count}}}" if count > 2 else parts[index] * (count - 1)))
        index = end + 1
    return "".join(out)


def is_dialable(name: str) -> bool:
    """Whether a literal extension name is something a caller can key in."""
    chars = normalize(name)
    return bool(chars) and all(char in DTMF for char in chars)


# -- argument splitting ------------------------------------------------------------------------

_OPEN = {"(": ")", "[": "]", "{": "}"}


def split_top(text: str, separator: str, limit: int = -1) -> list[str]:
    """Split on ``separator`` outside quotes, (), [] and {} (so ``${CUT(A,b,1)}`` stays whole).

    Backslash escapes the next character.  ``limit`` bounds the number of splits.
    """
    parts: list[str] = []
    depth: list[str] = []
    quoted = False
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in _OPEN:
                depth.append(_OPEN[char])
            elif depth and char == depth[-1]:
                depth.pop()
            elif char == separator and not depth and (limit < 0 or len(parts) < limit):
                parts.append(text[start:index])
                start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def app_args(data: str) -> list[str]:
    """Application arguments as Asterisk splits them: commas at the top level, quotes removed."""
    if not data.strip():
        return []
    return [_unquote(part.strip()) for part in split_top(data, ",")]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


def split_condition(data: str) -> tuple[str, str, str | None] | None:
    """``cond?iftrue:iffalse`` -> (cond, iftrue, iffalse or None); None without a '?'."""
    pieces = split_top(data, "?", 1)
    if len(pieces) != 2:
        return None
    branches = split_top(pieces[1], ":", 1)
    if len(branches) == 1:
        return pieces[0].strip(), branches[0].strip(), None
    return pieces[0].strip(), branches[0].strip(), branches[1].strip()


def call_with_args(text: str) -> tuple[str, str]:
    """``App(args)`` -> (App, args); ``App`` -> (App, "")."""
    text = text.strip()
    opening = text.find("(")
    if opening < 0:
        return text, ""
    closing = text.rfind(")")
    if closing < opening:
        return text[:opening].strip(), text[opening + 1 :]
    return text[:opening].strip(), text[opening + 1 : closing]


# -- variables ---------------------------------------------------------------------------------

_SIMPLE_VAR = re.compile(r"\$\{(?:GLOBAL\()?([A-Za-z0-9_]+)\)?\}")
_EXTEN_VAR = re.compile(r"\$\{EXTEN(?::(-?\d+)(?::(-?\d+))?)?\}")


def has_variables(text: str) -> bool:
    """Whether ``text`` still holds ``${...}`` or ``$[...]`` that only run time can fill in."""
    return "${" in text or "$[" in text


#: Most characters filling in variables may add to one text.  Asterisk's own buffers for
#: an application's data are this size (EXT_DATA_SIZE in main/pbx.c); a value that would
#: grow past it is left as written, known only at run time (``[globals]`` that double, say).
MAX_EXPANSION = 8192


def substitute(text: str, values: dict[str, str], exten: str | None, context: str) -> str:
    """Fill in what is known before the call: constant globals, ${EXTEN} and ${CONTEXT}.

    ``exten`` is the literal extension being run (None inside a pattern
    extension, where the dialed number is not known).
    """
    return expand(text, values, exten, context)[0]


def expand(text: str, values: dict[str, str], exten: str | None, context: str) -> tuple[str, bool]:
    """:func:`substitute`, and whether every known value fitted: False when some were left
    as written because filling them in would add more than :data:`MAX_EXPANSION` characters."""
    if "${" not in text:
        return text, True
    room = [MAX_EXPANSION]
    fitted = [True]

    def bounded(match: re.Match[str], value: str) -> str:
        grows = len(value) - (match.end() - match.start())
        if grows > room[0]:
            fitted[0] = False
            return match.group(0)
        room[0] -= max(grows, 0)
        return value

    def exten_value(match: re.Match[str]) -> str:
        if exten is None:
            return match.group(0)
        start = int(match.group(1) or 0)
        value = exten[start:]
        if match.group(2) is not None:
            length = int(match.group(2))
            value = value[:length]
        return bounded(match, value)

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "EXTEN":
            return match.group(0)
        if name == "CONTEXT":
            return bounded(match, context)
        if match.group(0).startswith("${GLOBAL(") != match.group(0).endswith(")}"):
            return match.group(0)
        value = values.get(name)
        return match.group(0) if value is None else bounded(match, value)

    for _ in range(4):  # globals may name other globals; a few rounds suffice, no loops
        before = text
        text = _EXTEN_VAR.sub(exten_value, text)
        text = _SIMPLE_VAR.sub(variable, text)
        if text == before or "${" not in text:
            break
    return text, fitted[0]


# -- expressions -------------------------------------------------------------------------------
#
# Asterisk's $[...] expressions (main/ast_expr2.fl and ast_expr2.y), for conditions whose
# values are all known: | || & && = == != < > <= >= + - * / % ! and parentheses.  Two
# numbers compare as numbers, anything else as strings; the result is 1 or 0.  What is
# not modelled here (=~, :, ?:, functions other than LEN/ISNULL/EXISTS) leaves the
# condition undecided (None), so both of its arms stay routes.

_EXPR_TOKEN = re.compile(
    r"\s*(?:(?P<op>\|\||&&|==|=~|!=|>=|<=|::|[|&=<>+\-*/%!():?,])"
    r'|(?P<quoted>"[^"]*")'
    r"|(?P<word>[A-Za-z0-9.';\\_^#@\x80-\U0010ffff]+))"
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_COMPARE = {"=": "==", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_FUNCTION = re.compile(r"\$\{(LEN|ISNULL|EXISTS)\(([^${}()]*)\)\}")
_INNER_EXPR = re.compile(r"\$\[([^\[\]]*)\]")
#: Longest expression text evaluated (conditions are short; this bounds the work).
_MAX_EXPR = 2000


class _Undecided(Exception):
    """The expression uses something not modelled: its value is not known."""


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    index = 0
    while index < len(text):
        if text[index:].strip() == "":
            break
        match = _EXPR_TOKEN.match(text, index)
        if match is None or match.end() == index:
            raise _Undecided
        kind = match.lastgroup or "word"
        found.append((kind, match.group(kind)))
        index = match.end()
    return found


class _Parser:
    """Recursive descent over one expression's tokens; nesting is bounded by parentheses,
    and the text by ``_MAX_EXPR``, so the recursion stays shallow."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        if self.index < len(self.tokens) and self.tokens[self.index][0] == "op":
            return self.tokens[self.index][1]
        return None

    def parse(self) -> str:
        value = self.disjunction()
        if self.index != len(self.tokens):
            raise _Undecided
        return value

    def disjunction(self) -> str:
        value = self.conjunction()
        while self.peek() in ("|", "||"):
            self.index += 1
            right = self.conjunction()
            value = right if _zero_or_null(value) else value
        return value

    def conjunction(self) -> str:
        value = self.comparison()
        while self.peek() in ("&", "&&"):
            self.index += 1
            right = self.comparison()
            value = "0" if _zero_or_null(value) or _zero_or_null(right) else value
        return value

    def comparison(self) -> str:
        value = self.additive()
        while self.peek() in _COMPARE:
            operator = _COMPARE[self.tokens[self.index][1]]
            self.index += 1
            value = _compare(value, operator, self.additive())
        return value

    def additive(self) -> str:
        value = self.multiplicative()
        while self.peek() in ("+", "-"):
            operator = self.tokens[self.index][1]
            self.index += 1
            value = _arithmetic(value, operator, self.multiplicative())
        return value

    def multiplicative(self) -> str:
        value = self.unary()
        while self.peek() in ("*", "/", "%"):
            operator = self.tokens[self.index][1]
            self.index += 1
            value = _arithmetic(value, operator, self.unary())
        return value

    def unary(self) -> str:
        operator = self.peek()
        if operator == "!":
            self.index += 1
            return "1" if _zero_or_null(self.unary()) else "0"
        if operator == "-":
            self.index += 1
            return _arithmetic("0", "-", self.unary())
        return self.primary()

    def primary(self) -> str:
        if self.index >= len(self.tokens):
            raise _Undecided
        kind, text = self.tokens[self.index]
        self.index += 1
        if kind != "op":
            return text
        if text != "(":
            raise _Undecided
        value = self.disjunction()
        if self.peek() != ")":
            raise _Undecided
        self.index += 1
        return value


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text.strip()) else None


def _zero_or_null(text: str) -> bool:
    return text == "" or _number(text) == 0


def _compare(left: str, operator: str, right: str) -> str:
    if left.startswith('"') != right.startswith('"'):
        raise _Undecided  # a quoted string against a bare one: quote handling varies
    first, second = _number(left), _number(right)
    pair: tuple[float, float] | tuple[str, str] = (
        (first, second) if first is not None and second is not None else (left, right)
    )
    results = {
        "==": pair[0] == pair[1],
        "!=": pair[0] != pair[1],
        "<": pair[0] < pair[1],  # type: ignore[operator]
        ">": pair[0] > pair[1],  # type: ignore[operator]
        "<=": pair[0] <= pair[1],  # type: ignore[operator]
        ">=": pair[0] >= pair[1],  # type: ignore[operator]
    }
    return "1" if results[operator] else "0"


def _arithmetic(left: str, operator: str, right: str) -> str:
    first, second = _number(left), _number(right)
    if first is None or second is None or (operator in "/%" and second == 0):
        raise _Undecided
    if operator == "+":
        value = first + second
    elif operator == "-":
        value = first - second
    elif operator == "*":
        value = first * second
    elif operator == "/":
        value = float(int(first / second))
    else:
        value = float(int(first % second))
    return str(int(value)) if value == int(value) else str(value)


def expression_value(text: str) -> str | None:
    """The value of a condition or value whose variables are all filled in: every
    ``$[...]`` (innermost first) and ``${LEN(...)}``/``${ISNULL(...)}``/``${EXISTS(...)}``
    evaluated; None when something in it is known only at run time or not modelled."""
    if len(text) > _MAX_EXPR:
        return None
    for _ in range(64):
        function = _FUNCTION.search(text)
        if function is not None:
            name, argument = function.group(1), function.group(2)
            if name == "LEN":
                value = str(len(argument))
            elif name == "ISNULL":
                value = "1" if argument == "" else "0"
            else:
                value = "0" if argument == "" else "1"
            text = text[: function.start()] + value + text[function.end() :]
            continue
        inner = _INNER_EXPR.search(text)
        if inner is None or "${" in inner.group(1):
            break
        try:
            value = _Parser(_tokens(inner.group(1))).parse()
        except (_Undecided, IndexError, ValueError, OverflowError):
            return None
        text = text[: inner.start()] + value + text[inner.end() :]
    if "${" in text or "$[" in text:
        return None
    return text


def condition_holds(text: str) -> bool | None:
    """Whether a GotoIf/ExecIf condition holds, as pbx_checkcondition() reads its value:
    empty is false, a number is true when not 0, any other text is true; None when the
    value is not known before the call."""
    value = expression_value(text)
    if value is None:
        return None
    value = value.strip()
    if not value:
        return False
    leading = re.match(r"[-+]?\d+", value)
    if leading is not None:
        return int(leading.group(0)) != 0
    return True
