"""Flows written as a string inside another file, with positions that point into that file.

A DescribeContactFlow wrapper or a CloudFormation template holds the flow's
JSON as one string value.  To point findings at the right place, the string
is decoded again here from the raw text, remembering for every decoded
character the offset it was written at; a position inside the flow JSON then
maps back to the line and column of the outer file.  The decoded text is
checked against the parser's value, so a mapping that disagrees (an exotic
quoting style) is dropped and every node falls back to the line of the
string itself.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from ivraudit.formats._parse import Document, PathKey, parse_json
from ivraudit.model.errors import MenuError, Position
from ivraudit.model.menu import Notice


class LineIndex:
    """Converts between character offsets and 1-based (line, column) in one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(match.end() for match in re.finditer("\n", text))

    def offset(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self.starts))
        return self.starts[line - 1] + max(column, 1) - 1

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class Source:
    """Where the parts of one flow are written: ``locate`` and ``error`` by flow path."""

    def __init__(self, document: Document, prefix: PathKey = ()) -> None:
        self.document = document
        self.prefix = prefix

    @property
    def path(self) -> str:
        return self.document.path

    def locate(self, path: PathKey) -> Position:
        return self.document.locate((*self.prefix, *path)) or Position(self.document.path, 1, 1)

    def error(self, path: PathKey, message: str, hint: str | None = None) -> MenuError:
        where = self.locate(path)
        return MenuError(where.file, where.line, where.column, message, hint)

    def notices(self) -> list[Notice]:
        """Keys written twice in this flow's JSON: the last value is the one kept (ST004)."""
        return [
            Notice(self.translate(duplicate.line, duplicate.column), duplicate.message)
            for duplicate in self.document.duplicates
            if duplicate.path[: len(self.prefix)] == self.prefix
        ]

    def translate(self, line: int, column: int) -> Position:
        """The position in the file of (line, column) in the text parsed."""
        return Position(self.document.path, line, column)


class OffsetMap:
    """Where each character of a decoded string was written in the raw text.

    Stored as runs (decoded start, raw start) so a long string costs one entry
    per escape or line break, not one per character.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.raws: list[int] = []
        self.length = 0

    def add(self, raw: int, count: int = 1) -> None:
        """``count`` decoded characters written from raw offset ``raw`` onward."""
        if count <= 0:
            return
        if not self.starts or self.raws[-1] + (self.length - self.starts[-1]) != raw:
            self.starts.append(self.length)
            self.raws.append(raw)
        self.length += count

    def pop(self) -> None:
        """Forget the last decoded character."""
        self.length -= 1
        if self.starts and self.starts[-1] >= self.length:
            self.starts.pop()
            self.raws.pop()

    def raw(self, index: int) -> int:
        """The raw offset of decoded character ``index`` (clamped to the string)."""
        if not self.starts:
            return 0
        index = min(max(index, 0), self.length - 1)
        run = bisect.bisect_right(self.starts, index) - 1
        return self.raws[run] + index - self.starts[run]

    def copy(self, other: OffsetMap, start: int, end: int) -> None:
        """Append the raw offsets of ``other``'s characters ``start`` to ``end``."""
        if start >= end or not other.starts:
            return
        run = bisect.bisect_right(other.starts, start) - 1
        position = start
        while position < end:
            run_end = other.starts[run + 1] if run + 1 < len(other.starts) else other.length
            stop = min(run_end, end)
            self.add(other.raws[run] + position - other.starts[run], stop - position)
            position = stop
            run += 1


class EmbeddedSource(Source):
    """A flow parsed from a string value: positions translated back to the outer file."""

    def __init__(
        self,
        outer: Document,
        inner: Document,
        offsets: OffsetMap | None,
        fallback: Position,
    ) -> None:
        super().__init__(inner)
        self.outer_path = outer.path
        self.offsets = offsets
        self.fallback = fallback
        self._inner_lines = LineIndex(inner.text)
        self._outer_lines = LineIndex(outer.text)

    @property
    def path(self) -> str:
        return self.outer_path

    def locate(self, path: PathKey) -> Position:
        found = self.document.locate(path)
        if found is None:
            return self.fallback
        return self.translate(found.line, found.column)

    def translate(self, line: int, column: int) -> Position:
        """The outer position of (line, column) in the inner text."""
        if self.offsets is None or not self.offsets.length:
            return self.fallback
        raw = self.offsets.raw(self._inner_lines.offset(line, column))
        outer_line, outer_column = self._outer_lines.position(raw)
        return Position(self.outer_path, outer_line, outer_column)


@dataclass
class Embedded:
    """A string value found in a document: its text and how to map it back."""

    text: str
    offsets: OffsetMap | None
    where: Position


def embedded_string(document: Document, path: PathKey, value: str) -> Embedded:
    """Locate the string ``value`` written at ``path`` (a mapping key or a list item)."""
    where = document.locate(path) or Position(document.path, 1, 1)
    lines = LineIndex(document.text)
    offsets: OffsetMap | None = None
    if path and document.positions is not None and tuple(path) in document.positions:
        start = lines.offset(where.line, where.column)
        is_key = isinstance(path[-1], str)
        begin = _value_start(document.text, start, is_key)
        if begin is not None:
            decoded = _decode_scalar(document.text, begin)
            if decoded is not None and (
                decoded[0] == value
                or (document.text[begin] in "|>" and _same_text(decoded[0], value))
            ):
                offsets = decoded[1]
                line, column = lines.position(begin)
                where = Position(document.path, line, column)
    return Embedded(value, offsets, where)


def parse_embedded(document: Document, embedded: Embedded, what: str) -> EmbeddedSource:
    """Parse an embedded flow string as JSON; errors point into the outer file."""
    try:
        inner = parse_json(embedded.text, document.path)
    except MenuError as exc:
        unparsed = Document(document.path, embedded.text, None)
        source = EmbeddedSource(document, unparsed, embedded.offsets, embedded.where)
        where = source.translate(exc.line, exc.column)
        raise MenuError(
            where.file,
            where.line,
            where.column,
            f"{what} is not valid flow JSON: {exc.message.removeprefix('invalid JSON: ')}",
            "the Content string must hold the flow's JSON (Version, StartAction, Actions)",
        ) from None
    return EmbeddedSource(document, inner, embedded.offsets, embedded.where)


# -- finding where a value starts ------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_YAML_PROPERTY = re.compile(r"(?:![^\s,\[\]{}]*|&[^\s,\[\]{}]+)")


def _value_start(text: str, start: int, is_key: bool) -> int | None:
    """The offset where the value of the key (or the list item) at ``start`` begins."""
    index = start
    if is_key:
        if text.startswith('"', index):
            match = _JSON_STRING.match(text, index)
            if match is None:
                return None
            index = match.end()
        elif text.startswith("'", index):
            end = text.find("'", index + 1)
            while end >= 0 and text.startswith("''", end):
                end = text.find("'", end + 2)
            if end < 0:
                return None
            index = end + 1
        else:
            colon = re.compile(r":(?=\s)|:$", re.MULTILINE).search(text, index)
            if colon is None:
                return None
            index = colon.start()
        index = _skip_blank(text, index)
        if not text.startswith(":", index):
            return None
        index += 1
    return _skip_properties(text, index)


def _skip_blank(text: str, index: int) -> int:
    length = len(text)
    while index < length:
        char = text[index]
        if char in " \t\r\n":
            index += 1
        elif char == "#" and (index == 0 or text[index - 1] in " \t\r\n"):
            end = text.find("\n", index)
            index = length if end < 0 else end
        else:
            break
    return index


def _skip_properties(text: str, index: int) -> int:
    """Skip blanks, YAML tags (``!Sub``) and anchors before a scalar."""
    while True:
        index = _skip_blank(text, index)
        if text.startswith("- ", index) or text.startswith("-\n", index):
            # a list written under a tagged key: "!Sub\n  - '...'"; the first item is the string
            index += 1
            continue
        match = _YAML_PROPERTY.match(text, index)
        if match is None or not match.group():
            return index
        index = match.end()


# -- decoding a scalar while keeping offsets ------------------------------------------------

_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}


def _decode_scalar(text: str, begin: int) -> tuple[str, OffsetMap] | None:
    if begin >= len(text):
        return None
    first = text[begin]
    if first == '"':
        return _decode_quoted(text, begin, double=True)
    if first == "'":
        return _decode_quoted(text, begin, double=False)
    if first in "|>":
        return _decode_block(text, begin)
    return None


_PLAIN_RUN = {True: re.compile(r'[^"\\\r\n]+'), False: re.compile(r"[^'\r\n]+")}


def _decode_quoted(text: str, begin: int, *, double: bool) -> tuple[str, OffsetMap] | None:
    """A JSON string or a YAML double- or single-quoted scalar, with YAML line folding."""
    quote = '"' if double else "'"
    run = _PLAIN_RUN[double]
    parts: list[str] = []
    offsets = OffsetMap()
    index = begin + 1
    length = len(text)
    while index < length:
        match = run.match(text, index)
        if match is not None:
            parts.append(match.group())
            offsets.add(index, match.end() - index)
            index = match.end()
            continue
        char = text[index]
        if char == quote:
            if not double and text.startswith("''", index):
                parts.append("'")
                offsets.add(index)
                index += 2
                continue
            return "".join(parts), offsets
        if double and char == "\\":
            index = _escape(text, index, parts, offsets)
            if index < 0:
                return None
            continue
        index = _fold(text, index, parts, offsets)
    return None


def _escape(text: str, index: int, parts: list[str], offsets: OffsetMap) -> int:
    code = text[index + 1 : index + 2]
    if code in _ESCAPES:
        parts.append(_ESCAPES[code])
        offsets.add(index)
        return index + 2
    if code in _HEX_LENGTH:
        digits = text[index + 2 : index + 2 + _HEX_LENGTH[code]]
        if len(digits) != _HEX_LENGTH[code] or not _is_hex(digits):
            return -1
        value = int(digits, 16)
        after = index + 2 + len(digits)
        low = text[after + 2 : after + 6] if text.startswith("\\u", after) else ""
        if 0xD800 <= value <= 0xDBFF and len(low) == 4 and _is_hex(low):
            # JSON writes a character outside the BMP as two \\u escapes; they are one character
            second = int(low, 16)
            if 0xDC00 <= second <= 0xDFFF:
                value = 0x10000 + ((value - 0xD800) << 10) + (second - 0xDC00)
                after += 6
        parts.append(chr(value))
        offsets.add(index)
        return after
    if code in ("\n", "\r"):
        # an escaped line break joins the lines without a space
        index += 1
        while index < len(text) and text[index] in "\r\n":
            index += 1
        while index < len(text) and text[index] in " \t":
            index += 1
        return index
    return -1


def _fold(text: str, index: int, parts: list[str], offsets: OffsetMap) -> int:
    """Fold a line break inside a quoted scalar: one break is a space, more are newlines."""
    # blanks before the break are not content (an escaped blank stays: it came from "\\ ")
    while parts and parts[-1] and parts[-1][-1] in " \t":
        if text[offsets.raw(offsets.length - 1)] == "\\":
            break
        parts[-1] = parts[-1][:-1]
        offsets.pop()
    breaks = 0
    length = len(text)
    while index < length and text[index] in " \t\r\n":
        if text[index] == "\n":
            breaks += 1
        index += 1
    if breaks <= 1:
        parts.append(" ")
        offsets.add(index - 1)
    else:
        for _ in range(breaks - 1):
            parts.append("\n")
            offsets.add(index - 1)
    return index


def _is_hex(digits: str) -> bool:
    return all(char in "0123456789abcdefABCDEF" for char in digits)


_BLOCK_HEADER = re.compile(r"[|>]([1-9]?)([+-]?)([1-9]?)[ \t]*(?:#[^\n]*)?(?:\r?\n|$)")


def _decode_block(text: str, begin: int) -> tuple[str, OffsetMap] | None:
    """A YAML literal (``|``) or folded (``>``) block scalar."""
    header = _BLOCK_HEADER.match(text, begin)
    if header is None:
        return None
    folded = text[begin] == ">"
    chomping = header.group(2)
    explicit = header.group(1) or header.group(3)
    index = header.end()
    parent = _line_indent(text, begin)
    indent = parent + int(explicit) if explicit else None
    lines: list[tuple[int, int]] = []  # (start offset of content, end offset) per line
    length = len(text)
    while index < length:
        end = text.find("\n", index)
        end = length if end < 0 else end
        line = text[index:end].rstrip("\r")
        stripped = line.lstrip(" ")
        spaces = len(line) - len(stripped)
        if stripped == "":
            lines.append((index + min(spaces, indent or spaces), index + len(line)))
        else:
            if indent is None:
                if spaces <= parent:
                    break
                indent = spaces
            if spaces < indent:
                break
            lines.append((index + indent, index + len(line)))
        index = end + 1
    while lines and text[lines[-1][0] : lines[-1][1]].strip(" ") == "":
        lines.pop()
    parts: list[str] = []
    offsets = OffsetMap()
    for number, (start, end) in enumerate(lines):
        if number:
            previous = text[lines[number - 1][0] : lines[number - 1][1]]
            current = text[start:end]
            joins = folded and previous.strip() and current.strip()
            joins = joins and not current.startswith((" ", "\t"))
            joins = joins and not previous.startswith((" ", "\t"))
            parts.append(" " if joins else "\n")
            offsets.add(start - 1)
        parts.append(text[start:end])
        offsets.add(start, end - start)
    decoded = "".join(parts)
    if chomping != "-":
        decoded += "\n"
        offsets.add(offsets.raw(offsets.length - 1) if offsets.length else begin)
    return decoded, offsets


def _line_indent(text: str, offset: int) -> int:
    start = text.rfind("\n", 0, offset) + 1
    line = text[start:offset]
    return len(line) - len(line.lstrip(" "))


def _same_text(decoded: str, value: Any) -> bool:
    """Whether a decoded block matches the parsed value (trailing newlines aside)."""
    return isinstance(value, str) and decoded.rstrip("\n") == value.rstrip("\n")
