"""Bytes to values, keeping where every key came from.

Every loader reads its file through here, so the rules for hostile input live
in one place: a size limit, no binary or mis-encoded text, YAML read safely
with a budget on alias expansion, no recursion a deeply nested file can
overflow, and every problem raised as a :class:`MenuError` with a position.
"""

from __future__ import annotations

import bisect
import codecs
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from ivraudit.model.errors import MenuError, Position

if TYPE_CHECKING:
    from ivraudit.formats.estate import Estate

#: Files larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: The most values YAML aliases may expand to (defeats "billion laughs").
MAX_ALIAS_EXPANSION = 1_000_000
#: The deepest nesting of mappings and lists accepted.
MAX_DEPTH = 500

PathKey = tuple[Any, ...]
Locator = Callable[[PathKey], "Position | None"]


@dataclass(frozen=True)
class Duplicate:
    """A JSON key written a second time in one object: the value kept is this last one."""

    path: PathKey
    line: int
    column: int
    first_line: int

    @property
    def message(self) -> str:
        return (
            f"key '{self.path[-1]}' is written twice in one object (first at line "
            f"{self.first_line}): the platform keeps this last value and ignores the first"
        )


@dataclass
class Document:
    """A parsed file: its value and a way to find where any part of it was written."""

    path: str
    text: str
    value: Any
    positions: Mapping[PathKey, tuple[int, int]] | None = None
    #: Where the first custom YAML tag (e.g. CloudFormation's !Sub) was seen, if any.
    custom_tag: tuple[str, int, int] | None = None
    _scan: Callable[[], Mapping[PathKey, tuple[int, int]]] | None = field(default=None, repr=False)
    #: Why the text could not be parsed as this kind (kept to report if nothing else reads it).
    _error: MenuError | None = field(default=None, repr=False)
    #: The files of the run this document was read in (None for menu text).
    estate: Estate | None = field(default=None, repr=False)
    #: JSON keys written twice (the last value is kept): see :func:`parse_json`.
    duplicates: list[Duplicate] = field(default_factory=list, repr=False)

    def locate(self, path: PathKey) -> Position | None:
        """The position of ``path`` or, failing that, of its nearest enclosing item."""
        if self.positions is None:
            self.positions = self._scan() if self._scan else {}
        positions = self.positions
        for end in range(len(path), -1, -1):
            found = positions.get(tuple(path[:end]))
            if found is not None:
                return Position(self.path, found[0], found[1])
        return None

    def error(self, path: PathKey, message: str, hint: str | None = None) -> MenuError:
        """A MenuError at ``path``."""
        where = self.locate(path) or Position(self.path, 1, 1)
        return MenuError(where.file, where.line, where.column, message, hint)


# -- bytes to text ---------------------------------------------------------------------------


def read_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a file, refusing directories, special files and files over ``max_bytes``."""
    try:
        if os.path.isdir(path):
            raise MenuError(path, 1, 1, "is a directory, not a menu file")
        size = os.path.getsize(path)
        if size > max_bytes:
            raise MenuError(
                path,
                1,
                1,
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                "raise it with --max-bytes or max_bytes in ivraudit.toml",
            )
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except MenuError:
        raise
    except OSError as exc:
        raise MenuError(path, 1, 1, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # the file grew while we read it
        raise MenuError(path, 1, 1, f"file is over the {max_bytes:,}-byte limit")
    return data


def decode(data: bytes, path: str) -> str:
    """UTF-8 text from bytes; binary and mis-encoded files are errors with a position."""
    if not data.strip():
        raise MenuError(
            path, 1, 1, "file is empty", "a menu needs at least 'ivraudit: 1' and nodes"
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_column_of_bytes(data, nul)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise MenuError(path, 1, 1, "file is UTF-16 encoded", "save it as UTF-8")
        raise MenuError(path, line, column, "file is binary (NUL byte), not a menu")
    declared = _XML_ENCODING.match(data)
    if declared is not None and declared.group(1).lower().replace(b"_", b"-") not in _UTF8:
        return _decode_declared(data, path, declared.group(1).decode("ascii"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, path, exc, "UTF-8", "save it as UTF-8") from None
    return text


def _undecodable(
    data: bytes, path: str, exc: UnicodeDecodeError, encoding: str, fix: str
) -> MenuError:
    """The error for bytes that are not ``encoding``, at the first bad byte."""
    line, column = _line_column_of_bytes(data, exc.start)
    return MenuError(
        path, line, column, f"file is not valid {encoding} (byte 0x{data[exc.start]:02x})", fix
    )


_XML_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']"""
)
_UTF8 = {b"utf-8", b"utf8"}


def _decode_declared(data: bytes, path: str, encoding: str) -> str:
    """XML text in the encoding its declaration names (ISO-8859-1 and the like); the XML
    reader then refuses what no XML parser reads (:func:`~ivraudit.formats._xml.xml_reads`)."""
    if encoding.lower().startswith(("utf-16", "utf_16", "utf-32", "utf_32")):  # no NUL bytes
        raise encoding_error(path, encoding, "but the file is not saved in it")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        fix = "fix the bytes or the encoding the XML declaration names"
        raise _undecodable(data, path, exc, encoding, fix) from None
    except (LookupError, ValueError):  # unknown, or a codec that cannot read text (punycode)
        raise encoding_error(path, encoding) from None
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):  # it moves ASCII (EBCDIC)
        raise encoding_error(path, encoding)
    return text


def encoding_error(
    path: str, encoding: str, why: str = "which XML parsers do not read"
) -> MenuError:
    """An XML declaration's encoding refused: unknown, or not one XML parsers read."""
    try:
        message = f"the XML declaration names encoding '{encoding}', {why}"
        codecs.lookup(encoding)
    except LookupError:
        message = f"unknown encoding '{encoding}' in the XML declaration"
    return MenuError(
        path,
        1,
        1,
        message,
        'save the file as UTF-8 and declare encoding="UTF-8" (ISO-8859-1, US-ASCII and '
        "one-byte code pages such as windows-1252 are read too)",
    )


def _line_column_of_bytes(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


# -- YAML ------------------------------------------------------------------------------------

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$|^0o[0-7]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$"
    r"|^\.(?:nan|NaN|NAN)$"
)
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "!",
}

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain_scalar(text: str) -> Any:
    # The YAML 1.2 core schema: only null, booleans and numbers are not text.
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text, 0) if text[:2] in ("0x", "0o") else int(text)
    if _FLOAT.match(text):
        special = text.lstrip("+-").lower()
        if special in (".inf", ".nan"):
            number = float(special[1:])
            return -number if text.startswith("-") else number
        return float(text)
    return text


#: Positions are kept for paths up to this many keys deep: enough for every field of a
#: node, and a bound on the table for deeply nested files.
_POSITION_DEPTH = 8


class _Frame:
    """A mapping or list being filled, with the key waiting for its value."""

    __slots__ = ("anchor", "container", "path", "pending_key", "size")

    def __init__(self, container: Any, path: PathKey, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.pending_key: Any = _NO_KEY
        self.anchor = anchor
        self.size = 1

    def attach(self, value: Any) -> None:
        """Put a finished value under the waiting key, or at the end of the list."""
        if isinstance(self.container, dict):
            self.container[self.pending_key] = value
            self.pending_key = _NO_KEY
        else:
            self.container.append(value)


_NO_KEY = object()


def parse_yaml(text: str, path: str, *, custom_tags: bool = False) -> Document:
    """Parse one YAML document without recursion, keeping key positions.

    Mapping keys are kept as written (``1:`` is the text "1"); duplicate keys,
    Python object tags and over-large alias expansion are errors.  With
    ``custom_tags`` (CloudFormation's ``!Sub`` and friends) an unknown tag is
    ignored and the value read as if untagged.
    """
    reader = _YamlReader(path, custom_tags)
    try:
        reader.read(text)
    except yaml.YAMLError as exc:
        raise _invalid_yaml(exc, text, path) from None
    except RecursionError:
        raise MenuError(path, 1, 1, f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    return Document(path, text, reader.result, reader.positions, reader.custom_tag)


class _YamlReader:
    """Builds values from YAML parse events with an explicit stack, so depth costs no recursion.

    ``anchors`` keep each anchored value with its size in values, which aliases
    add to the expansion budget.
    """

    def __init__(self, path: str, custom_tags: bool) -> None:
        self.path = path
        self.custom_tags = custom_tags
        self.positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.documents = 0
        self.result: Any = None
        self.expanded = 0
        #: The first tag ignored under ``custom_tags``: ``(tag, line, column)``.
        self.custom_tag: tuple[str, int, int] | None = None

    def read(self, text: str) -> None:
        handlers = {
            yaml.ScalarEvent: self._scalar,
            yaml.AliasEvent: self._alias,
            yaml.MappingStartEvent: self._open,
            yaml.SequenceStartEvent: self._open,
            yaml.MappingEndEvent: self._close,
            yaml.SequenceEndEvent: self._close,
            yaml.DocumentStartEvent: self._document_start,
        }
        for event in yaml.parse(text, Loader=_Loader):
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    def _scalar(self, event: Any) -> None:
        self._check_tag(event)
        plain = event.style in (None, "") and event.implicit[0]
        top = self.stack[-1] if self.stack else None
        is_key = top is not None and isinstance(top.container, dict) and top.pending_key is _NO_KEY
        if event.style == '"':  # only escapes can write half a surrogate pair
            value = _SURROGATE.sub("\ufffd", event.value)
        elif is_key or not plain or event.tag == "tag:yaml.org,2002:str":
            value = event.value
        else:
            value = _plain_scalar(event.value)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self._place(value, 1, event)

    def _alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise _error(self.path, event.start_mark, f"unknown alias '*{event.anchor}'")
        value, size = self.anchors[event.anchor]
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise _error(
                self.path,
                event.start_mark,
                "YAML aliases expand to too many values (a 'billion laughs' bomb?)",
            )
        self._place(value, size, event)

    def _place(self, value: Any, size: int, event: Any) -> None:
        """Put a scalar or alias where it belongs: the result, a key, a value or a list item."""
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.container, dict) and top.pending_key is _NO_KEY:
            self._key(top, value, event)
            return
        if isinstance(top.container, list):
            self._remember((*top.path, len(top.container)), event)
        top.attach(value)

    def _key(self, top: _Frame, key: Any, event: Any) -> None:
        if not isinstance(key, str):
            raise _error(self.path, event.start_mark, "a mapping key must be text")
        if key in top.container:
            first = self.positions.get((*top.path, key))
            where = f" (first at line {first[0]})" if first else ""
            raise _error(
                self.path,
                event.start_mark,
                f"duplicate key '{key}'{where}",
                "remove or rename one of them",
            )
        top.pending_key = key
        self._remember((*top.path, key), event)

    def _open(self, event: Any) -> None:
        self._check_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            raise _error(
                self.path, event.start_mark, f"nested too deeply (more than {MAX_DEPTH} levels)"
            )
        child_path: PathKey = ()
        if self.stack:
            top = self.stack[-1]
            if not isinstance(top.container, dict):
                child_path = (*top.path, len(top.container))
                self._remember(child_path, event)
            elif top.pending_key is _NO_KEY:
                raise _error(self.path, event.start_mark, "a mapping key must be text")
            else:
                child_path = (*top.path, top.pending_key)
        container: Any = {} if type(event) is yaml.MappingStartEvent else []
        self.stack.append(_Frame(container, child_path, event.anchor))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.size)
        if not self.stack:
            self.result = frame.container
            return
        top = self.stack[-1]
        top.size += frame.size
        top.attach(frame.container)

    def _document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _error(
                self.path,
                event.start_mark,
                "more than one YAML document in the file",
                "keep one menu per file",
            )

    def _check_tag(self, event: Any) -> None:
        tag_seen = _check_tag(event, self.path, self.custom_tags)
        if tag_seen and self.custom_tag is None:
            self.custom_tag = tag_seen

    def _remember(self, key_path: PathKey, event: Any) -> None:
        if len(key_path) <= _POSITION_DEPTH:
            self.positions[key_path] = _mark(event.start_mark)


def _invalid_yaml(exc: yaml.YAMLError, text: str, path: str) -> MenuError:
    """What PyYAML refused, said plainly, at the place to fix (an unclosed bracket where
    it opens, not where the parser gave up), with a hint."""
    if not isinstance(exc, yaml.MarkedYAMLError):  # reader errors: control characters and such
        offset = getattr(exc, "position", None)
        line, column = line_column(text, offset) if isinstance(offset, int) else (1, 1)
        return MenuError(path, line, column, f"invalid YAML: {_first_line(exc)}")
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    explained = _explain_yaml(problem, exc.context or "", exc.context_mark, mark, text)
    where, message, hint = explained or (mark, problem, _yaml_hint(problem))
    if "nesting depth" in problem:
        message, hint = f"nested too deeply (more than {MAX_DEPTH} levels)", None
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        where, message, hint = mark, "a tab where YAML needs spaces", "indent with spaces"
    line, column = _mark(where) if where is not None else (1, 1)
    return MenuError(path, line, column, f"invalid YAML: {message}", hint)


_CLOSERS = {"{": "}", "[": "]"}


def _explain_yaml(
    problem: str, context: str, opened: Any, mark: Any, text: str
) -> tuple[Any, str, str | None] | None:
    """``(mark, message, hint)`` for the syntax errors people make, or None."""
    if mark is None:
        return None
    found = _token_at(text, mark.index)
    if "invalid Unicode character escape" in problem:
        return (
            mark,
            "this escape is not a character (half of a surrogate pair, or past U+10FFFF)",
            "write the character itself, or '\\U' and its code point in 8 digits",
        )
    if "expected ',' or" in problem and opened is not None:
        opener = text[opened.index : opened.index + 1] or "{"
        closer = _CLOSERS.get(opener, "}")
        return (
            opened,
            f"this '{opener}' is not closed: expected ',' or '{closer}' at line "
            f"{mark.line + 1}, column {mark.column + 1}, found {found}",
            f"close it with '{closer}', and separate its entries with ', '",
        )
    if "expected node content" in problem and "flow" in context:
        opener_index = _unclosed_bracket(text, mark.index)
        if opener_index is not None:
            opener = text[opener_index]
            line_end = text.find("\n", opener_index)
            comment = "#" in text[opener_index : line_end if line_end >= 0 else None]
            return (
                _Mark(text, opener_index),
                f"this '{opener}' is not closed",
                f"close it with '{_CLOSERS[opener]}'"
                + ("; '#' starts a comment, so quote it: \"#\"" if comment else ""),
            )
    if "quoted scalar" in context and opened is not None:
        quote = text[opened.index : opened.index + 1]
        return opened, "this quote is never closed", f"end the text with {quote}"
    if "expected key" in problem:
        quote = _open_quote(text, opened.index if opened is not None else 0, mark.index)
        if quote is not None:
            return (
                _Mark(text, quote),
                "this quote is not closed on its line",
                f"end the text with {text[quote]} on the same line",
            )
        return (
            mark,
            f"a key was expected here, found {found}: the indentation does not match the "
            "lines above",
            "line up the keys of one mapping with spaces; a list item needs '- '",
        )
    if "expected ':'" in problem and opened is not None:
        return opened, "this line has no ':'", "each field needs 'name: value'"
    if "mapping values are not allowed" in problem:
        line_start = text.rfind("\n", 0, mark.index) + 1
        if re.search(r":\s", text[line_start : mark.index]):
            return mark, "': ' inside text that is not quoted", "quote the text that contains ': '"
        return (
            mark,
            "this line is indented more than the keys of its mapping",
            "line up the keys of one mapping with spaces",
        )
    if ("an alias" in context or "an anchor" in context) and opened is not None:
        sign = text[opened.index : opened.index + 1]
        return opened, f"'{sign}' starts a YAML alias or anchor here", f'quote it: "{sign}"'
    if "cannot start any token" in problem or "unknown directive" in problem:
        sign = text[mark.index : mark.index + 1]
        return mark, f"text cannot start with '{sign}' unless it is quoted", "quote the text"
    return None


class _Mark:
    """A position in the text, shaped like PyYAML's marks."""

    def __init__(self, text: str, index: int) -> None:
        self.index = index
        self.line = text.count("\n", 0, index)
        self.column = index - (text.rfind("\n", 0, index) + 1)


def _token_at(text: str, index: int) -> str:
    """The word or sign at ``index``, quoted, for a message: "found 'bye'"."""
    if not text[index:].strip():
        return "the end of the file"
    match = re.compile(r"\"[^\"\n]{0,20}\"?|'[^'\n]{0,20}'?|[^\s,:{}\[\]]{1,20}|.").match(
        text, index
    )
    return repr(match.group()) if match else "the end of the file"


def _unclosed_bracket(text: str, end: int) -> int | None:
    """The offset of the last '{' or '[' before ``end`` that is still open (quotes and
    comments aside), or None."""
    opened: list[int] = []
    quote = ""
    index = 0
    while index < end:
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t\n{[,"):
            index = text.find("\n", index)
            if index < 0:
                break
        elif char in "{[":
            opened.append(index)
        elif char in "}]" and opened:
            opened.pop()
        index += 1
    return opened[-1] if opened else None


def _open_quote(text: str, start: int, end: int) -> int | None:
    """The offset of a value's opening quote, between ``start`` and ``end``, that its own
    line does not close (the usual cause of a key the parser cannot find), or None."""
    line_start = text.rfind("\n", 0, start) + 1
    for match in re.finditer(r"[^\n]*", text[line_start:end]):
        value = re.match(r"\s*(?:- )?[^\s:#][^:#]*:\s+([\"'])", match.group())
        if value is None:
            continue
        quote = value.group(1)
        if quote not in match.group()[value.end() :]:
            return line_start + match.start() + value.start(1)
    return None


def _check_tag(event: Any, path: str, custom_tags: bool) -> tuple[str, int, int] | None:
    tag = event.tag
    if tag is None or tag in _STANDARD_TAGS:
        return None
    if "python/" in tag or not custom_tags:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise _error(
            path,
            event.start_mark,
            f"YAML tag '{shown}' is not allowed",
            "menus are plain data; remove the tag",
        )
    return (tag.replace("tag:yaml.org,2002:", "!!"), *_mark(event.start_mark))


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _error(path: str, mark: Any, message: str, hint: str | None = None) -> MenuError:
    line, column = _mark(mark) if mark is not None else (1, 1)
    return MenuError(path, line, column, message, hint)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _yaml_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "quote text that contains ': '"
    if "could not find expected ':'" in problem:
        return "each field needs 'name: value'"
    return None


# -- JSON ------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str, path: str, *, scan_depth: int = 6) -> Document:
    """Parse JSON; positions are found on first use by a linear scan of the text.

    A key written twice keeps its last value, as the platforms do, and is listed
    in ``Document.duplicates`` (native menus refuse it, platforms report it).  Half
    a surrogate pair (``"\\ud800"``), which no UTF-8 output can hold, becomes U+FFFD.
    """
    duplicated: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            duplicated.append(True)
        return result

    if _HALF_PAIR.search(text):  # same length: every position stays where it was written
        text = _ESCAPE.sub(_pair_or_replacement, text)
    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MenuError(path, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise MenuError(path, 1, 1, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise MenuError(path, 1, 1, "JSON nested too deeply") from None
    if not duplicated:
        return Document(path, text, value, _scan=lambda: JsonPositions(text))
    positions = JsonPositions(text)
    return Document(path, text, value, positions, duplicates=_duplicates(positions))


#: Only a JSON escape can write half a surrogate pair (the text itself is valid UTF-8).
_HALF_PAIR = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPE = re.compile(
    r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _pair_or_replacement(match: re.Match[str]) -> str:
    """A surrogate pair (or an escaped backslash) as written; half a pair as U+FFFD."""
    return match.group() if len(match.group()) in (2, 12) else "\\ufffd"


_WHITESPACE = re.compile(r"[ \t\n\r]*")
#: A key, its colon and the spaces up to its value; the spaces and comma after a value.
_MEMBER = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*', re.DOTALL)
_AFTER = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*)?")


class JsonPositions(Mapping[PathKey, tuple[int, int]]):
    """Positions in JSON text, found lazily: each container is scanned once, when a
    path through it is first asked for.

    Scanning a container costs one step per member; the members' values are
    skipped by the C JSON decoder, so finding every node of a 100,000-node menu
    costs about one more ``json.loads``, not a Python pass over every token.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoder = json.JSONDecoder()
        self._containers: dict[PathKey, dict[Any, tuple[int, int]] | None] = {}
        self._newlines: list[int] | None = None
        #: ``(path, offset, first offset)`` of keys written twice in the containers scanned
        self.duplicates: list[tuple[PathKey, int, int]] = []
        start = _WHITESPACE.match(text, 0)
        self._root = start.end() if start else 0

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        offset = self._offset(tuple(path))
        if offset is None:
            raise KeyError(path)
        return self._line_column(offset)

    def get(self, path: PathKey, default: Any = None) -> Any:  # type: ignore[override]
        """``Mapping.get`` without its ``KeyError`` round trip (once per node a check reads)."""
        offset = self._offset(tuple(path))
        return default if offset is None else self._line_column(offset)

    def __iter__(self) -> Iterator[PathKey]:
        return iter(())  # positions are found on demand, never listed

    def __len__(self) -> int:
        return 0

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self._offset(path) is not None

    def _offset(self, path: PathKey) -> int | None:
        """Offset of the key (or item) at ``path``; None when the path does not exist."""
        offset = self._root
        value_offset = self._root
        for depth in range(len(path)):
            members = self._members(path[:depth], value_offset)
            if members is None or path[depth] not in members:
                return None
            offset, value_offset = members[path[depth]]
        return offset

    def _members(self, path: PathKey, offset: int) -> dict[Any, tuple[int, int]] | None:
        if path in self._containers:
            return self._containers[path]
        found = (
            self._scan_object(path, offset)
            if self.text.startswith("{", offset)
            else (self._scan_array(offset) if self.text.startswith("[", offset) else None)
        )
        self._containers[path] = found
        return found

    def _scan_object(self, path: PathKey, offset: int) -> dict[Any, tuple[int, int]]:
        # A C call per part of a member (key to value, value, comma): 100,000 nodes loop here.
        text, members, size = self.text, {}, len(self.text)
        member, after, skip = _MEMBER.match, _AFTER.match, self._skip_value
        index = _WHITESPACE.match(text, offset + 1).end()  # type: ignore[union-attr]
        while index < size and text[index] != "}":
            match = member(text, index)
            if match is None:
                break
            raw = match.group(1)
            key = json.loads(f'"{raw}"') if "\\" in raw else raw
            value = match.end()
            if key in members:  # the value kept is the last one, so is its position
                self.duplicates.append(((*path, key), index, members[key][0]))
            members[key] = (index, value)
            index = after(text, skip(value)).end()  # type: ignore[union-attr]
        return members

    def _scan_array(self, offset: int) -> dict[Any, tuple[int, int]]:
        text, members = self.text, {}
        index = _WHITESPACE.match(text, offset + 1).end()  # type: ignore[union-attr]
        number = 0
        while index < len(text) and text[index] != "]":
            members[number] = (index, index)
            number += 1
            index = _AFTER.match(text, self._skip_value(index)).end()  # type: ignore[union-attr]
        return members

    def _skip_value(self, index: int) -> int:
        """The offset just after the value at ``index`` (the end of the text if none)."""
        try:
            return self._decoder.scan_once(self.text, index)[1]
        except (StopIteration, ValueError, RecursionError):
            return len(self.text)

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", self.text)]
        line = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


def _duplicates(positions: JsonPositions) -> list[Duplicate]:
    """Every key written a second time in its object, found by scanning each container once."""
    stack: list[tuple[PathKey, int]] = [((), positions._root)]
    while stack:
        path, offset = stack.pop()
        for key, (_, value) in (positions._members(path, offset) or {}).items():
            if positions.text.startswith(("{", "["), value):
                stack.append(((*path, key), value))
    found = [
        Duplicate(path, *positions._line_column(at), positions._line_column(first)[0])
        for path, at, first in positions.duplicates
    ]
    return sorted(found, key=lambda duplicate: (duplicate.line, duplicate.column))


def looks_like_json(text: str) -> bool:
    """Whether text starts like a JSON object or array."""
    stripped = text.lstrip()
    return stripped.startswith(("{", "["))
