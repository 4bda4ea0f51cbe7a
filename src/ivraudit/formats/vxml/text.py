"""What a VoiceXML prompt says and plays, and the few expressions ivraudit can work out.

Prompt text is read without recursion (a hostile file may nest SSML 500 deep):
text and ``<audio>`` fallback text become ``say``; an ``<audio src>`` without
fallback text (a recording of unknown words) becomes ``play``; ``<value expr>``
is its value when ivraudit can work it out, else it shows as ``{expr}`` in ``say`` and
is also a ``play`` (words known only during the call).  Expressions are evaluated only
when they are plain: string literals, numbers, document variables that hold a
literal and are never assigned, joined with ``+``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ivraudit.formats._xml import XmlElement

#: SSML and prompt elements whose words are spoken.
_SPOKEN = frozenset(
    [
        "prompt",
        "audio",
        "emphasis",
        "prosody",
        "s",
        "p",
        "sentence",
        "paragraph",
        "say-as",
        "sub",
        "voice",
        "phoneme",
        "lang",
        "foreach",
    ]
)


@dataclass
class Prompt:
    """Words and audio a caller hears, in order."""

    texts: list[str] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)
    element: XmlElement | None = None

    def add_text(self, text: str) -> None:
        words = " ".join(text.split())
        if words:
            self.texts.append(words)

    def extend(self, other: Prompt) -> None:
        self.texts.extend(other.texts)
        self.audio.extend(other.audio)
        if self.element is None:
            self.element = other.element

    def empty(self) -> bool:
        return not self.texts and not self.audio

    def fields(self) -> dict[str, str]:
        """``say``/``play`` for a node."""
        found: dict[str, str] = {}
        if self.texts:
            found["say"] = _join(self.texts)
        if self.audio:
            found["play"] = ", ".join(dict.fromkeys(self.audio))
        return found


def _join(texts: list[str]) -> str:
    text = " ".join(texts)
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


class Expressions:
    """Evaluates plain ECMAScript expressions: literals and constant variables joined by +."""

    def __init__(self, constants: dict[str, str] | None = None) -> None:
        self.constants = constants or {}

    @classmethod
    def of_document(cls, root: XmlElement) -> Expressions:
        """Document variables initialised to a literal and never assigned elsewhere."""
        declared: dict[str, list[str | None]] = {}
        assigned: set[str] = set()
        for element in root.iter():
            name = (element.get("name") or "").strip()
            if element.tag == "assign" and name:
                assigned.add(name)
            elif element.tag == "var" and name:
                declared.setdefault(name, []).append(element.get("expr"))
        plain = cls()
        constants: dict[str, str] = {}
        for var in root.findall("var"):
            name = (var.get("name") or "").strip()
            exprs = declared.get(name, [])
            if name in assigned or len(exprs) != 1 or exprs[0] is None:
                continue
            value = plain.evaluate(exprs[0])
            if value is not None:
                constants[name] = value
        return cls(constants)

    def evaluate(self, expr: str | None) -> str | None:
        """The string value of ``expr``, or None when it depends on the call."""
        if expr is None:
            return None
        terms = _split_plus(expr)
        if terms is None:
            return None
        values: list[str] = []
        for term in terms:
            value = self._term(term.strip())
            if value is None:
                return None
            values.append(value)
        return "".join(values)

    def _term(self, term: str) -> str | None:
        if len(term) >= 2 and term[0] == term[-1] and term[0] in "'\"":
            inner = term[1:-1]
            return None if term[0] in inner or "\\" in inner else inner
        if re.fullmatch(r"-?\d+(?:\.\d+)?", term):
            return term
        match = re.fullmatch(r"(?:application\.|document\.)?([A-Za-z_$][\w$]*)", term)
        if match:
            return self.constants.get(match.group(1))
        return None


def _split_plus(expr: str) -> list[str] | None:
    terms: list[str] = []
    current: list[str] = []
    quote = ""
    for char in expr:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == "+":
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote:
        return None
    terms.append("".join(current))
    return terms


def prompt_of(
    parts: Iterable[XmlElement | str],
    expressions: Expressions,
    choices: list[tuple[str, str]] | None = None,
    *,
    first_visit: bool = True,
) -> Prompt:
    """What ``parts`` (elements and text, in order) say and play.

    Only ``<prompt>``, ``<audio>``, ``<value>``, ``<enumerate>`` and text are read;
    prompts for later visits (``count`` above 1) are skipped when ``first_visit``.
    ``choices`` are ``(words, key)`` pairs that ``<enumerate>`` lists.
    """
    prompt = Prompt()
    stack: list[XmlElement | str] = list(reversed(list(parts)))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            prompt.add_text(item)
            continue
        if prompt.element is None and item.tag in ("prompt", "audio", "value", "enumerate"):
            prompt.element = item
        if item.tag == "value":
            expr = (item.get("expr") or "").strip()
            value = expressions.evaluate(expr)
            if value is not None:
                prompt.add_text(value)
                continue
            # Words worked out during the call (VoiceXML 2.0 section 4.1.4): unknown, like
            # a recording without fallback text; the text keeps where they are said.
            prompt.add_text("{" + expr + "}")
            prompt.audio.append("{" + expr + "}")
            continue
        if item.tag == "enumerate":
            prompt.add_text(enumerate_text(item, choices or []))
            continue
        if item.tag not in _SPOKEN:
            continue
        if item.tag == "prompt" and first_visit and (item.get("count") or "1").strip() != "1":
            continue
        if item.tag == "audio":
            source = item.get("src")
            if source is None and item.get("expr") is not None:
                value = expressions.evaluate(item.get("expr"))
                source = value if value is not None else "{" + str(item.get("expr")) + "}"
            inner = children_and_text(item)
            if source and not any(
                isinstance(part, str) or part.all_text().strip() for part in inner
            ):
                # A recording without fallback text: its words are unknown (VoiceXML 2.1
                # section 4.1.3: the content of <audio> is played only when the file fails).
                prompt.audio.append(source.strip())
            stack.extend(reversed(inner))
            continue
        stack.extend(reversed(children_and_text(item)))
    return prompt


def grammar_mode(grammar: XmlElement) -> str:
    """``dtmf`` or ``voice``: the mode attribute, else what a builtin URI says, else voice."""
    mode = (grammar.get("mode") or "").strip()
    if mode:
        return mode
    source = (grammar.get("src") or "").strip()
    return "dtmf" if source.startswith("builtin:dtmf/") else "voice"


def prompt_parts(element: XmlElement) -> list[XmlElement | str]:
    """The prompts an input item plays before listening (not those of its handlers)."""
    return [
        part for part in element.children if part.tag in ("prompt", "audio", "value", "enumerate")
    ]


def children_and_text(element: XmlElement) -> list[XmlElement | str]:
    """The element's content in order: text, child, tail, child, tail, ..."""
    parts: list[XmlElement | str] = []
    if element.text.strip():
        parts.append(element.text)
    for child in element.children:
        parts.append(child)
        if child.tail.strip():
            parts.append(child.tail)
    return parts


def enumerate_text(element: XmlElement, choices: list[tuple[str, str]]) -> str:
    """An ``<enumerate>`` spoken for each choice, or the choices' words when it is empty."""
    if not element.children and not element.text.strip():
        return ", ".join(words for words, _ in choices if words)
    spoken: list[str] = []
    for words, key in choices:
        pieces: list[str] = []
        for part in children_and_text(element):
            if isinstance(part, str):
                pieces.append(part)
            elif part.tag == "value":
                expr = (part.get("expr") or "").strip()
                pieces.append(words if expr == "_prompt" else key if expr == "_dtmf" else "")
            else:
                pieces.append(part.all_text())
        spoken.append(" ".join(" ".join(pieces).split()))
    return ". ".join(text.rstrip(".") for text in spoken if text) + "."


def seconds(value: str | None) -> float | None:
    """A CSS2 time ('5s', '500ms', '+4.0s') in seconds, or None."""
    match = re.fullmatch(r"\+?(\d+(?:\.\d+)?)(ms|s)", (value or "").strip())
    if not match:
        return None
    number = float(match.group(1))
    return min(number / 1000 if match.group(2) == "ms" else number, 3600.0)


@dataclass(frozen=True)
class Uri:
    """Where a ``next``/``src`` URI leads: a dialog of this document, or another document."""

    dialog: str | None
    document: str | None
    local_path: str | None


def split_uri(uri: str, this_file: str) -> Uri:
    """Read ``#dialog``, ``doc.vxml#dialog`` or a URL; local documents get a path."""
    document, _, fragment = uri.strip().partition("#")
    if not document:
        return Uri(fragment or None, None, None)
    if re.match(r"[A-Za-z][\w+.-]*://", document) and not document.startswith("file:"):
        return Uri(fragment or None, document, None)
    path = document.removeprefix("file://").removeprefix("file:")
    if os.path.basename(path) == os.path.basename(this_file) and not os.path.isabs(path):
        return Uri(fragment or None, None, None)  # a link to this same document
    return Uri(fragment or None, document, path)
