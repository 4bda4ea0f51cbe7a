"""Conditions ivraudit can decide: tests of variables that only ever hold their literal
initial value, and guards that complement each other.

VoiceXML 2.0 section 5.1.2: a ``<var>`` declared at document level is in the document
scope for as long as the document runs; one declared in a ``<form>`` is in that
dialog's scope, initialised when the form is entered (section 2.1.6.1), and read only
by the form's own conditions.  When a variable is declared once, with a literal
``expr``, and nothing ever changes it (no ``<assign>`` of another value, no script
that writes it, no form item, ``<data>`` or second ``<var>`` of that name that would
shadow it), every ``cond`` that reads only it is decided: ``<block cond="max_p==1">``
with ``<var name="max_p" expr="1"/>`` always runs.  A ``<script src>`` may write
anything, so a document with one decides nothing.

A ``cond`` is evaluated as ECMAScript does (ECMA-262 sections 11.4.9, 11.8, 11.9,
11.11) for what it may hold: literals, those variables, parentheses, ``!``,
comparisons, ``&&`` and ``||`` (which decide as soon as one side does: ``x && false``
never holds, whatever ``x``).  It is read in one pass into postfix order and
evaluated on a stack, without ``eval`` and without recursion; anything else in it (a
call, arithmetic, ``session.*``) leaves it undecided.
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
#: One token of a condition: a literal, a (dotted) name, or an operator.
_TOKEN = re.compile(
    r"""\s*(?:(?P<lit>'[^'\\]*'|"[^"\\]*"|-?\d+(?:\.\d+)?(?![\w$.])|(?:true|false)(?![\w$.]))"""
    r"|(?P<name>[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)"
    r"|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[<>!()]))"
)
#: Binary operators and their ECMAScript precedence (higher binds tighter); ``!`` is 14.
_PRECEDENCE = {
    "<": 9,
    ">": 9,
    "<=": 9,
    ">=": 9,
    "==": 8,
    "!=": 8,
    "===": 8,
    "!==": 8,
    "&&": 4,
    "||": 3,
}
#: A condition longer than this is not read (no real ``cond`` is).
_MAX_COND = 2000
#: Form items and elements that declare a variable of their name in the dialog scope.
_DECLARING = frozenset(
    ["field", "block", "record", "transfer", "subdialog", "object", "initial", "data", "var"]
)
#: A value and its truth, each None when the call decides it.
_Operand = tuple[Value | None, bool | None]


@dataclass(frozen=True)
class Constant:
    """A variable that only ever holds its initial literal value."""

    value: Value
    line: int


class Conditions:
    """Decides ``cond`` expressions over the document's and each form's constants."""

    def __init__(
        self,
        constants: dict[str, Constant],
        local: dict[int, dict[str, Constant]] | None = None,
    ) -> None:
        self.constants = constants
        #: ``{id(<form>): {name: constant}}``: form-level ``<var>``s, read in that form only.
        self.local = local or {}

    @classmethod
    def of_document(cls, root: XmlElement) -> Conditions:
        declared: dict[str, int] = {}
        assigned: dict[str, list[str]] = {}
        scripts: list[tuple[int, str]] = []
        for element in root.iter():
            name = (element.get("name") or "").strip()
            if element.tag == "script":
                if element.get("src") is not None or element.get("srcexpr") is not None:
                    return cls({})
                scripts.append((element.line, element.all_text()))
            elif element.tag == "assign" and name:
                bare = name.removeprefix("document.").removeprefix("dialog.")
                assigned.setdefault(bare, []).append((element.get("expr") or "").strip())
            elif element.tag in _DECLARING and name:
                declared[name] = declared.get(name, 0) + 1

        def constant(var: XmlElement, *, form_level: bool) -> Constant | None:
            name = (var.get("name") or "").strip()
            expr = (var.get("expr") or "").strip()
            if not name or declared.get(name) != 1 or not re.fullmatch(_LITERAL, expr):
                return None
            value = _literal(expr)
            # An <assign> of the same literal leaves the value as it was.
            if any(
                not re.fullmatch(_LITERAL, other) or not strict_equal(_literal(other), value)
                for other in assigned.get(name, [])
            ):
                return None
            if any(
                _written_by(code, name, declares=form_level or line > var.line)
                for line, code in scripts
            ):
                return None
            return Constant(value, var.line)

        constants: dict[str, Constant] = {}
        for var in root.findall("var"):
            found = constant(var, form_level=False)
            if found is not None:
                constants[(var.get("name") or "").strip()] = found
        constants.update(_script_constants(root, declared, assigned, scripts))
        local: dict[int, dict[str, Constant]] = {}
        for form in root.findall("form"):
            for var in form.findall("var"):
                found = constant(var, form_level=True)
                if found is not None:
                    local.setdefault(id(form), {})[(var.get("name") or "").strip()] = found
        return cls(constants, local)

    def decide(self, cond: str | None, dialog: XmlElement | None = None) -> bool | None:
        """True or False when ``cond`` only reads constants (of the document, and of
        ``dialog``'s own form), literals, ``!``, ``&&``, ``||``, comparisons and
        parentheses; None when it depends on the call."""
        local = self.local.get(id(dialog), {}) if dialog is not None else {}
        if not cond or len(cond) > _MAX_COND:
            return None
        postfix = _postfix(cond)
        if postfix is None:
            return None
        stack: list[_Operand] = []
        for item in postfix:
            if isinstance(item, tuple):
                stack.append(self._operand(item, local))
            elif item == "!":
                _, truth = stack.pop()
                stack.append((None, None) if truth is None else (not truth, not truth))
            else:
                right = stack.pop()
                stack.append(_binary(stack.pop(), item, right))
        return stack[0][1] if len(stack) == 1 else None

    def because(self, cond: str, dialog: XmlElement | None = None) -> str:
        """Which constants decide ``cond``, for a note."""
        known = {**self.constants, **(self.local.get(id(dialog), {}) if dialog else {})}
        names = [
            name for name in dict.fromkeys(re.findall(r"[A-Za-z_$][\w$]*", cond)) if name in known
        ]
        if not names:
            return "its literals decide it"
        return ", ".join(
            f"{name} is only ever {show_value(known[name].value)} (line {known[name].line})"
            for name in names
        )

    def _operand(self, token: tuple[str, str], local: dict[str, Constant]) -> _Operand:
        kind, text = token
        if kind == "lit":
            value = _literal(text)
            return value, _truthy(value)
        parts = [part.strip() for part in text.split(".")]
        if len(parts) == 2 and parts[0] == "document":
            constant = self.constants.get(parts[1])
        elif len(parts) == 2 and parts[0] == "dialog":
            constant = local.get(parts[1])
        elif len(parts) == 1:
            constant = local.get(parts[0]) or self.constants.get(parts[0])
        else:
            constant = None
        if constant is None:
            return None, None
        return constant.value, _truthy(constant.value)


def _postfix(cond: str) -> list[tuple[str, str] | str] | None:
    """``cond`` in postfix order (operands as ``(kind, text)``, operators as text), by
    the shunting-yard algorithm; None when it holds anything else."""
    output: list[tuple[str, str] | str] = []
    operators: list[str] = []
    expect_operand = True
    position = 0
    text = cond.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        operator = match.group("op")
        if operator is None:
            if not expect_operand:
                return None
            kind = "lit" if match.group("lit") is not None else "name"
            output.append((kind, match.group(kind)))
            expect_operand = False
        elif operator in ("(", "!"):
            if not expect_operand:
                return None  # a call: f(x)
            operators.append(operator)
        elif operator == ")":
            if expect_operand:
                return None
            while operators and operators[-1] != "(":
                output.append(operators.pop())
            if not operators:
                return None
            operators.pop()
        else:
            if expect_operand:
                return None
            rank = _PRECEDENCE[operator]
            while operators and operators[-1] != "(" and _rank(operators[-1]) >= rank:
                output.append(operators.pop())
            operators.append(operator)
            expect_operand = True
    if expect_operand or "(" in operators:
        return None
    output.extend(reversed(operators))
    return output


def _rank(operator: str) -> int:
    return 14 if operator == "!" else _PRECEDENCE[operator]


def _binary(left: _Operand, operator: str, right: _Operand) -> _Operand:
    """ECMAScript's ``&&``/``||`` (the value of one side) and comparisons."""
    if operator == "&&":
        truth = _and(left[1], right[1])
        value = left[0] if left[1] is False else right[0] if left[1] else None
        return value, truth
    if operator == "||":
        truth = _or(left[1], right[1])
        value = left[0] if left[1] else right[0] if left[1] is False else None
        return value, truth
    if left[0] is None or right[0] is None:
        return None, None
    result = _compare(left[0], operator, right[0])
    return result, result


#: A document-level script's ``var x = true;``: a declaration with a literal value.
_SCRIPT_VAR = re.compile(
    rf"(?<![\w$.])(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*({_LITERAL})\s*;"
)


def _script_constants(
    root: XmlElement,
    declared: dict[str, int],
    assigned: dict[str, list[str]],
    scripts: list[tuple[int, str]],
) -> dict[str, Constant]:
    """Variables a document-level ``<script>`` declares with a literal (``var x = true;``)
    that nothing else declares or writes: in any script, that declaration is their only
    write (VoiceXML 2.1 section 5.1.2: a script's variables are the document's), and an
    ``<assign>`` of them gives the same literal."""
    found: dict[str, Constant] = {}
    for script in root.findall("script"):
        for match in _SCRIPT_VAR.finditer(script.all_text()):
            name, expr = match.group(1), match.group(2)
            if name in declared or name in found:
                continue
            value = _literal(expr)
            if any(
                not re.fullmatch(_LITERAL, other) or not strict_equal(_literal(other), value)
                for other in assigned.get(name, [])
            ):
                continue
            writes, declarations = _writes(name), _declares(name)
            total = sum(len(re.findall(writes, code)) for _, code in scripts)
            declared_times = sum(len(re.findall(declarations, code)) for _, code in scripts)
            if total == 1 and declared_times == 1:
                found[name] = Constant(value, script.line)
    return found


def _written_by(code: str, name: str, *, declares: bool) -> bool:
    """Whether script code may write ``name``: an assignment or ++/-- anywhere; a
    declaration (var, function) only in a script after the <var>, as document-level
    elements run in document order (VoiceXML 2.1 section 5.1.2)."""
    pattern = _writes(name)
    if declares:
        pattern += "|" + _declares(name)
    return bool(re.search(pattern, code))


def _writes(name: str) -> str:
    """A pattern for script code that assigns ``name`` (=, op=, ++, --)."""
    escaped = re.escape(name)
    return rf"(?<![\w$.]){escaped}\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--)|(?:\+\+|--)\s*{escaped}\b"


def _declares(name: str) -> str:
    """A pattern for script code that declares ``name`` (var, let, const, function)."""
    return rf"\b(?:var|let|const|function)\s+{re.escape(name)}\b"


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
