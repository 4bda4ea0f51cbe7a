"""Conditions ivraudit can decide: tests of document variables that only ever hold their
literal initial value, and guards that complement each other.

VoiceXML 2.1 section 5.1.2: a ``<var>`` declared at document level is in the document
scope for as long as the document runs.  When it is declared once, with a literal
``expr``, and nothing ever changes it (no ``<assign>``, no script that writes it, no
form item, ``<data>`` or second ``<var>`` of that name that would shadow it), every
``cond`` that reads only it is decided: ``<block cond="max_p==1">`` with
``<var name="max_p" expr="1"/>`` always runs.  A ``<script src>`` may write anything,
so a document with one decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.fields import (
    Value,
    _literal,
    _number,
    loose_equal,
    show_value,
    strict_equal,
)

_LITERAL = r"""'[^'\\]*'|"[^"\\]*"|-?\d+(?:\.\d+)?|true|false"""
_COMPARISON = re.compile(
    rf"^\s*(?:(?P<lit1>{_LITERAL})|(?:document\.)?(?P<name1>[A-Za-z_$][\w$]*))\s*"
    rf"(?P<op>===|!==|==|!=|<=|>=|<|>)\s*"
    rf"(?:(?P<lit2>{_LITERAL})|(?:document\.)?(?P<name2>[A-Za-z_$][\w$]*))\s*$"
)
_TRUTH = re.compile(r"^\s*(?P<not>!?)\s*(?:document\.)?(?P<name>[A-Za-z_$][\w$]*)\s*$")
#: Form items and elements that declare a variable of their name in the dialog scope.
_DECLARING = frozenset(
    ["field", "block", "record", "transfer", "subdialog", "object", "initial", "data", "var"]
)


@dataclass(frozen=True)
class Constant:
    """A document variable that only ever holds its initial literal value."""

    value: Value
    line: int


class Conditions:
    """Decides ``cond`` expressions over the document's constant variables."""

    def __init__(self, constants: dict[str, Constant]) -> None:
        self.constants = constants

    @classmethod
    def of_document(cls, root: XmlElement) -> Conditions:
        declared: dict[str, int] = {}
        changed: set[str] = set()
        scripts: list[tuple[int, str]] = []
        for element in root.iter():
            name = (element.get("name") or "").strip()
            if element.tag == "script":
                if element.get("src") is not None or element.get("srcexpr") is not None:
                    return cls({})
                scripts.append((element.line, element.all_text()))
            elif element.tag == "assign" and name:
                changed.add(name.removeprefix("document."))
            elif element.tag in _DECLARING and name:
                declared[name] = declared.get(name, 0) + 1
        constants: dict[str, Constant] = {}
        for var in root.findall("var"):
            name = (var.get("name") or "").strip()
            expr = (var.get("expr") or "").strip()
            if not name or name in changed or declared.get(name) != 1:
                continue
            if not re.fullmatch(_LITERAL, expr) or any(
                _written_by(code, name, declares=line > var.line) for line, code in scripts
            ):
                continue
            constants[name] = Constant(_literal(expr), var.line)
        return cls(constants)

    def decide(self, cond: str | None) -> bool | None:
        """True or False when ``cond`` only reads constants (``&&``, ``||``, ``!``,
        comparisons with literals); None when it depends on the call."""
        if not self.constants or not cond:
            return None
        if "(" in cond or ")" in cond:
            return None
        alternatives = [part.split("&&") for part in cond.split("||")]
        result: bool | None = False
        for conjunction in alternatives:
            value: bool | None = True
            for atom in conjunction:
                decided = self._atom(atom)
                value = _and(value, decided)
            result = _or(result, value)
        return result

    def because(self, cond: str) -> str:
        """Which constants decide ``cond``, for a note."""
        names = [
            name
            for name in dict.fromkeys(re.findall(r"[A-Za-z_$][\w$]*", cond))
            if name in self.constants
        ]
        return ", ".join(
            f"{name} is only ever {show_value(self.constants[name].value)} (line "
            f"{self.constants[name].line})"
            for name in names
        )

    def _atom(self, atom: str) -> bool | None:
        match = _TRUTH.match(atom)
        if match:
            constant = self.constants.get(match.group("name"))
            if constant is None:
                return None
            truth = _truthy(constant.value)
            return not truth if match.group("not") else truth
        match = _COMPARISON.match(atom)
        if not match:
            return None
        left = self._operand(match.group("name1"), match.group("lit1"))
        right = self._operand(match.group("name2"), match.group("lit2"))
        if left is None or right is None:
            return None
        return _compare(left, match.group("op"), right)

    def _operand(self, name: str | None, literal: str | None) -> Value | None:
        if literal is not None:
            return _literal(literal)
        constant = self.constants.get(name or "")
        return None if constant is None else constant.value


def _written_by(code: str, name: str, *, declares: bool) -> bool:
    """Whether script code may write ``name``: an assignment or ++/-- anywhere; a
    declaration (var, function) only in a script after the <var>, as document-level
    elements run in document order (VoiceXML 2.1 section 5.1.2)."""
    escaped = re.escape(name)
    pattern = rf"(?<![\w$.]){escaped}\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--)|(?:\+\+|--)\s*{escaped}\b"
    if declares:
        pattern += rf"|\b(?:var|let|const|function)\s+{escaped}\b"
    return bool(re.search(pattern, code))


def _truthy(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    return value != ""


def _compare(left: Value, operator: str, right: Value) -> bool | None:
    if operator in ("==", "!="):
        equal = loose_equal(left, right)
        return equal if operator == "==" else not equal
    if operator in ("===", "!=="):
        equal = strict_equal(left, right)
        return equal if operator == "===" else not equal
    if isinstance(left, str) and isinstance(right, str):
        a: Value = left
        b: Value = right
    else:
        first, second = _number(left), _number(right)
        if first is None or second is None:
            return False  # NaN compares false
        a, b = first, second
    return {
        "<": a < b,  # type: ignore[operator]
        ">": a > b,  # type: ignore[operator]
        "<=": a <= b,  # type: ignore[operator]
        ">=": a >= b,  # type: ignore[operator]
    }[operator]


def _and(left: bool | None, right: bool | None) -> bool | None:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def _or(left: bool | None, right: bool | None) -> bool | None:
    if left is True or right is True:
        return True
    if left is None or right is None:
        return None
    return False


def complementary(first: str, second: str) -> bool:
    """Whether two guards are each other's negation (``x`` and ``!x``, ``a==1`` and
    ``a!=1``): one of them always holds."""
    a, b = _normal(first), _normal(second)
    return (
        bool(a)
        and bool(b)
        and (a in (f"!{b}", f"!({b})") or b in (f"!{a}", f"!({a})") or _negated(a) == b)
    )


def _normal(cond: str) -> str:
    text = "".join(cond.split())
    while text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    return text


def _negated(cond: str) -> str | None:
    for operator, opposite in (("===", "!=="), ("!==", "==="), ("==", "!="), ("!=", "==")):
        if operator in cond and cond.count("=") == operator.count("="):
            return cond.replace(operator, opposite, 1)
    return None
