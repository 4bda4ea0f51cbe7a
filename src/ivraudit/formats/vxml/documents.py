"""The other VoiceXML documents of the estate: where a URI leads, and who refers to a document.

VoiceXML 2.1 section 5.3.7 (``<goto>``), 5.3.8 (``<submit>``), 2.2.2 (``<choice>``),
2.5 (``<link>``) and 2.3.4 (``<subdialog>``): ``next``/``src`` is a URI, relative to
the document that holds it.  ivraudit follows it when it names a VoiceXML document
inside the estate's root; a URL (fetched from a server during the call), a file that
is not there, a path out of the root, or a URI worked out from an expression stays
unknown, and nothing outside the root is ever read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from ivraudit.formats._parse import DEFAULT_MAX_BYTES, Document, decode, read_bytes
from ivraudit.formats._xml import XmlElement, parse_xml
from ivraudit.formats.estate import Estate
from ivraudit.model.errors import MenuError

#: Elements whose ``next`` (or ``src``) names another document, with the word for them.
REFERRING = {"goto": "next", "submit": "next", "choice": "next", "link": "next", "subdialog": "src"}
_SUFFIXES = (".vxml", ".xml")


@dataclass(frozen=True)
class Where:
    """Where a URI to another document leads: a document of the estate, or why not."""

    path: str | None
    fragment: str | None
    why: str


@dataclass(frozen=True)
class Reference:
    """One element of a document of the estate that names another document."""

    file: str
    line: int
    tag: str


def locate(estate: Estate | None, this_file: str, uri: str) -> Where:
    """The estate document ``uri`` (written in ``this_file``) names, or why it stays unknown."""
    text = uri.strip()
    document, _, fragment = text.partition("#")
    document = document.split("?", 1)[0]
    if re.match(r"[A-Za-z][\w+.-]*:", document) and not document.startswith("file:"):
        return Where(None, fragment or None, "a URL, fetched from its server during the call")
    path = re.sub(r"^file:(?://)?", "", document)
    if estate is None:
        return Where(None, fragment or None, "not among the files given")
    target = estate.resolve(this_file, path)
    if target is None:
        return Where(None, fragment or None, f"outside {estate.root}, which ivraudit does not read")
    if not os.path.isfile(target):
        return Where(None, fragment or None, "not among the files given")
    if read(estate, target) is None:
        return Where(None, fragment or None, "not a VoiceXML document")
    return Where(target, fragment or None, "")


def read(estate: Estate, path: str) -> Document | None:
    """The parsed VoiceXML document at ``path`` (inside the root), once per run; None when
    it is not one."""
    key = ("vxml-document", path)
    if key not in estate.cache:
        document: Document | None = None
        if estate.contains(path):
            try:
                parsed = parse_xml(decode(read_bytes(path, DEFAULT_MAX_BYTES), path), path)
            except (MenuError, OSError):
                parsed = None
            root = parsed.value if parsed is not None else None
            if isinstance(root, XmlElement) and root.tag == "vxml":
                document = parsed
        estate.cache[key] = document
    return estate.cache[key]


def referrers(estate: Estate | None, path: str) -> tuple[list[Reference], bool]:
    """The elements of the other documents of the estate that name ``path``, and whether
    ``path`` is reached from a document nothing refers to (documents that only refer to
    each other have no such start)."""
    if estate is None:
        return [], False
    cached: tuple[dict[str, list[Reference]], set[str]] | None = estate.cache.get("vxml-referrers")
    if cached is None:
        index = _index(estate)
        cached = index, _reached_from_entries(index)
        estate.cache["vxml-referrers"] = cached
    index, reached = cached
    real = os.path.realpath(path)
    found = [reference for reference in index.get(real, []) if reference.file != real]
    return found, real in reached


def _reached_from_entries(index: dict[str, list[Reference]]) -> set[str]:
    """Documents reached (through references) from a document nothing refers to."""
    onward: dict[str, list[str]] = {}
    referred: set[str] = set()
    for target, references in index.items():
        for reference in references:
            if reference.file != target:
                onward.setdefault(reference.file, []).append(target)
                referred.add(target)
    stack = [document for document in onward if document not in referred]
    seen: set[str] = set()
    while stack:
        document = stack.pop()
        for target in onward.get(document, ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _index(estate: Estate) -> dict[str, list[Reference]]:
    index: dict[str, list[Reference]] = {}
    for file in estate.with_suffix(_SUFFIXES):
        document = read(estate, file)
        if document is None:
            continue
        root: Any = document.value
        for element in root.iter():
            attribute = REFERRING.get(element.tag)
            uri = element.get(attribute) if attribute else None
            if not uri or uri.strip().startswith("#"):
                continue
            where = locate(estate, file, uri)
            if where.path is not None:
                index.setdefault(where.path, []).append(Reference(file, element.line, element.tag))
    return index


def role_of(estate: Estate | None, path: str, root: XmlElement) -> tuple[str, str]:
    """``(role, reason)`` of a document: a subdialog or a document other documents lead to
    is reached; one nothing refers to is an entry (a caller's line)."""
    returns = [element for element in root.iter() if element.tag == "return"]
    exits = [element for element in root.iter() if element.tag in ("exit", "disconnect")]
    found, from_entry = referrers(estate, path)
    calls = [reference for reference in found if reference.tag == "subdialog"]
    if calls:
        first = calls[0]
        return "reached", (
            f"a subdialog: <subdialog src> at {_shown(estate, first.file)}:{first.line} runs it"
        )
    if returns and not exits:
        return "reached", f"a subdialog: its dialogs end in <return> (line {returns[0].line})"
    if found and from_entry:
        first = found[0]
        return "reached", (
            f"callers arrive from another document: <{first.tag}> at "
            f"{_shown(estate, first.file)}:{first.line}"
        )
    if estate is not None and len(estate.files) > 1:
        return "entry", "no other VoiceXML document of the files given leads to it"
    return "entry", "a VoiceXML document read on its own"


def _shown(estate: Estate | None, path: str) -> str:
    return estate.shown(path) if estate is not None else os.path.basename(path)
