"""Faults the VoiceXML interpreter itself decides: a ``<filled>`` test that the field's value
can never satisfy, and an ``<assign>`` to a variable no scope declares.

VoiceXML 2.0 appendix P (builtin grammar types), ``boolean``: "the result is ECMAScript
true for affirmative or false for negative"; DTMF 1 is affirmative, 2 negative.  A
``<filled>`` test ``cond="x=='true'"`` on such a field compares the boolean with a
string, and ECMAScript's abstract equality (ECMA-262, 11.9.3) turns ``'true'`` into a
number, NaN, which equals nothing: the test never holds for a key press.

VoiceXML 2.0 section 5.3.2, ``<assign>``: "It is illegal to make an assignment to a
variable that has not been explicitly declared using a <var> element or a var statement
within a <script>.  Attempting to assign to an undeclared variable causes an
error.semantic event to be thrown."
"""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats._xml import XmlElement
from ivraudit.formats.vxml.text import grammar_mode

#: Elements whose ``name`` declares a variable (VoiceXML 2.0 sections 2.3 and 5.1).
_DECLARING = frozenset(
    ["var", "field", "block", "record", "transfer", "subdialog", "object", "initial", "data"]
)
_NAME = re.compile(r"(?:(document|dialog)\.)?([A-Za-z_$][\w$]*)")


def key_values(
    field: XmlElement, form: XmlElement, modes: set[str], choices: list[Any] | None
) -> tuple[list[Any], str] | None:
    """What a key press can fill the field with, when every active DTMF grammar of the
    field is known (``choices``: the field's choices read with DTMF alone -- options with
    ``dtmf``, the boolean built-in, inline DTMF items), with the grammars they come from;
    None when any is not known."""
    if "dtmf" not in modes or choices is None or form.findall("grammar"):
        return None  # (a form-level grammar may fill the field too)
    values = list(dict.fromkeys((type(c.value), c.value) for c in choices if c.key is not None))
    if not values:
        return None
    sources = [f'type="{field.get("type")}"'] if field.get("type") else []
    sources += [
        (grammar.get("src") or "an inline DTMF grammar").strip()
        for grammar in field.findall("grammar")
        if grammar_mode(grammar) == "dtmf"
    ]
    if field.findall("option"):
        sources.append("its <option>s")
    return [value for _, value in values], ", ".join(dict.fromkeys(sources))


def unread_voice(field: XmlElement, modes: set[str]) -> list[str]:
    """The active voice grammars of a field that ivraudit does not read (external files)."""
    if "voice" not in modes:
        return []
    return [
        (grammar.get("src") or grammar.get("srcexpr") or "").strip()
        for grammar in field.findall("grammar")
        if grammar_mode(grammar) == "voice"
        and (grammar.get("src") or grammar.get("srcexpr"))
        and not (grammar.get("src") or "").startswith("builtin:")
    ]


def declared_names(root: XmlElement) -> set[str] | None:
    """Every variable name the document declares anywhere (any scope, so a name declared
    in another dialog counts too), or None when what is declared cannot be known: an
    application root document (not read) or a script loaded from ``src``.  Names a script
    mentions at all count as declared: a script may create them."""
    if (root.get("application") or "").strip():
        return None
    names: set[str] = set()
    for element in root.iter():
        if element.tag == "script":
            if element.get("src") is not None or element.get("srcexpr") is not None:
                return None
            names.update(re.findall(r"[A-Za-z_$][\w$]*", element.all_text()))
        elif element.tag in _DECLARING:
            name = (element.get("name") or "").strip()
            if name:
                names.add(name)
    return names


def undeclared(element: XmlElement, declared: set[str] | None) -> str | None:
    """The name an ``<assign>`` writes when no scope of the document declares it."""
    if declared is None or element.tag != "assign":
        return None
    match = _NAME.fullmatch((element.get("name") or "").strip())
    if match is None:
        return None  # application.x, session.x, x.y: not judged
    name = match.group(2)
    return None if name in declared else name
