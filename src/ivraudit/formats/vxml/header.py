"""What a VoiceXML document says of itself, read as the menu's title.

VoiceXML gives a document two places to describe itself before its first dialog:
its header (the XML comments before ``<vxml>``, or with none there, before the first
element inside it, where authors write what the script is: "Record and Play a
Message Demo script for the PowerMedia XMS"), and ``<meta name="description"
content="...">`` (VoiceXML 2.0 section 6.2.1, "META"); and a document-level ``<log>``
(section 5.3.13) runs first of all as the document loads, so authors name the script
there ("Started test VXML script").  The first of these, in that order, is the
document's title: people read it in reports, and :mod:`ivraudit.formats.samples`
reads it as the document's description.  Copyright, author and licence lines of a
header are not a description.  A comment that says what one of its dialogs
demonstrates ("This form demonstrates how to record a message") is what a tutorial
says of itself: :func:`document_about`, the menu's ``about``.
"""

from __future__ import annotations

import re

from ivraudit.formats._xml import XmlElement

#: A comment saying what a dialog of the document demonstrates.
_DEMONSTRATES = re.compile(
    r"\b(?:this|the)\s+(?:[\w-]+\s+){0,2}?(?:form|menu|dialog|document|page|script)\s+"
    r"(?:is\s+)?(?:demonstrates|shows\s+how)\b",
    re.IGNORECASE,
)

_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_BOILERPLATE = re.compile(
    r"copyright|\(c\)|©|@author|licen[cs]e|rights reserved|https?://|\$Id", re.IGNORECASE
)
_LITERAL = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")
#: The longest title kept (a header can be a page of prose).
_LONGEST = 200


def document_title(text: str, root: XmlElement) -> str | None:
    """The document's own description: header comments, ``<meta name="description">``,
    or the text of a document-level ``<log>``; None when it gives none."""
    header = _header(text, root)
    if header:
        return header
    for child in root.children:
        if child.tag == "meta" and (child.get("name") or "").strip().lower() == "description":
            content = " ".join((child.get("content") or "").split())
            if content:
                return _short(content)
    for child in root.children:
        if child.tag == "log":
            said = _log_text(child)
            if said:
                return _short(said)
    return None


def document_about(text: str) -> str | None:
    """A comment anywhere in the document that says what one of its dialogs
    demonstrates ("This form demonstrates how to record a message"): the words of a
    tutorial, which no live line's author writes about its own forms."""
    for comment in _COMMENT.finditer(text):
        said = " ".join(comment.group(1).split())
        if _DEMONSTRATES.search(said):
            return _short(said)
    return None


def _header(text: str, root: XmlElement) -> str | None:
    """The comments before ``<vxml>``; with none, those before its first element."""
    start = _offset(text, root.line, root.column)
    if not _COMMENT.search(text, 0, start):
        first = root.children[0] if root.children else None
        start = _offset(text, first.line, first.column) if first is not None else len(text)
    lines: list[str] = []
    for comment in _COMMENT.finditer(text, 0, start):
        for line in comment.group(1).splitlines():
            line = line.strip(" \t*#=-_~/")
            if line and not _BOILERPLATE.search(line):
                lines.append(line)
    return _short(" ".join(" ".join(lines).split())) if lines else None


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column in ``text``."""
    index = 0
    for _ in range(line - 1):
        found = text.find("\n", index)
        if found < 0:
            return len(text)
        index = found + 1
    return min(len(text), index + max(0, column - 1))


def _log_text(log: XmlElement) -> str | None:
    expr = log.get("expr")
    if expr is not None:
        literal = _LITERAL.match(expr)
        said = (literal.group(1) or literal.group(2) or "") if literal else ""
    else:
        said = log.all_text() if not log.children else ""
    said = " ".join(said.split())
    return said or None


def _short(text: str) -> str:
    if len(text) <= _LONGEST:
        return text
    return text[: _LONGEST - 3].rsplit(" ", 1)[0] + "..."
