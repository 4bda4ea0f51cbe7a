"""Loading menus: one entry point, a table of formats, and auto-detection.

Every format is a :class:`Format` in :data:`FORMATS`: how to recognise it and
how to convert its parsed document to a :class:`~ivraudit.model.Menu`.  The
loader reads bytes once, parses them once (as data, XML or plain text), then
asks each format of that kind whether the document is its own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

from ivraudit._gc import collector_paused
from ivraudit.formats._parse import (
    DEFAULT_MAX_BYTES,
    Document,
    decode,
    looks_like_json,
    parse_json,
    parse_yaml,
)
from ivraudit.formats._parse import read_bytes as _read_bytes
from ivraudit.formats.estate import Estate
from ivraudit.formats.registry import FORMATS, NATIVE_FORMAT, NEAR_MISSES, Format, Kind
from ivraudit.model.errors import MenuError, NotAMenuError, UsageError
from ivraudit.model.menu import Menu, SubflowNode
from ivraudit.model.words import NATIVE as NATIVE_WORDS

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "Estate",
    "Format",
    "load",
    "load_all",
    "loads",
    "loads_all",
    "menu_files",
]

_MAX_SUBFLOW_DEPTH = 32


def load(
    source: str | os.PathLike[str],
    format: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    estate: Estate | None = None,
) -> Menu:
    """Load a menu from a file path or from menu text.

    A ``str`` holding a newline (or starting with ``{``) is menu text; any other
    ``str`` or path-like is a file name.  ``format`` forces an input format by
    name (see :data:`FORMATS`); by default it is detected.  Raises
    :class:`~ivraudit.errors.MenuError` with file, line and column when the
    input cannot be read as a menu, or when it holds several flows (use
    :func:`load_all` for those).  ``estate`` is the set of files read together
    (references between them resolve); by default a file is read on its own.

    >>> menu = load("ivraudit: 1\\nstart: bye\\nnodes: {bye: {type: hangup, reason: completed}}")
    >>> sorted(menu.nodes)
    ['bye']
    """
    menus = load_all(source, format, max_bytes=max_bytes, estate=estate)
    if len(menus) != 1:
        names = ", ".join(menu.id or "?" for menu in menus[:5])
        raise MenuError(
            menus[0].path,
            1,
            1,
            f"file holds {len(menus)} flows ({names}{', ...' if len(menus) > 5 else ''})",
            "load them with ivraudit.load_all()",
        )
    return menus[0]


def load_all(
    source: str | os.PathLike[str],
    format: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    estate: Estate | None = None,
) -> list[Menu]:
    """Load every menu (flow) a file or text holds; most formats hold exactly one.

    ``estate`` is the set of files read together (see :func:`load`).
    """
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return _convert(source, "<text>", format, os.getcwd(), ())
    path = os.fspath(source)
    return _load_file(path, format, max_bytes, (), estate or Estate.alone(path))


def loads(text: str, format: str | None = None, *, name: str = "<text>") -> Menu:
    """Load one menu from text; ``name`` is used in error messages and findings."""
    menus = _convert(text, name, format, base_dir=os.getcwd(), chain=())
    if len(menus) != 1:
        raise MenuError(name, 1, 1, f"text holds {len(menus)} flows", "use load_all()")
    return menus[0]


def loads_all(text: str, format: str | None = None, *, name: str = "<text>") -> list[Menu]:
    """Load every menu (flow) that text holds; ``name`` picks the format by suffix too."""
    return _convert(text, name, format, base_dir=os.getcwd(), chain=())


def _load_file(
    path: str, format: str | None, max_bytes: int, chain: tuple[str, ...], estate: Estate
) -> list[Menu]:
    text = decode(_read_bytes(path, max_bytes), path)
    with collector_paused():
        return _convert(
            text, path, format, os.path.dirname(os.path.abspath(path)), chain, max_bytes, estate
        )


def _convert(
    text: str,
    path: str,
    format: str | None,
    base_dir: str,
    chain: tuple[str, ...],
    max_bytes: int = DEFAULT_MAX_BYTES,
    estate: Estate | None = None,
) -> list[Menu]:
    if not text.strip():
        raise MenuError(
            path, 1, 1, "file is empty", "a menu needs at least 'ivraudit: 1' and nodes"
        )
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format '{format}'; choose from {', '.join(sorted(FORMATS))}")
    candidates = [FORMATS[format]] if format else _candidates(text, path)
    documents: dict[Kind, Document] = {}
    for fmt in candidates:
        if fmt.kind not in documents:
            documents[fmt.kind] = _parse(text, path, fmt.kind, strict=format is not None)
        document = documents[fmt.kind]
        document.estate = estate
        if document.value is _UNPARSED or not (format or fmt.detect(document.value)):
            continue
        converted = fmt.convert(document)
        # The menus keep the document only to locate things in its text: the parsed
        # value (a second copy of the whole file as Python objects) can go.
        document.value = None
        menus = converted if isinstance(converted, list) else [converted]
        if not menus:
            raise MenuError(path, 1, 1, f"no {fmt.title} flow found in the file")
        for menu in menus:
            menu._path = path
            menu._format = fmt.name
            menu._words = fmt.words
            menu._one_of_many = len(menus) > 1
            if menu._locate is None:
                menu._locate = document.locate
            _load_subflows(menu, base_dir, (*chain, os.path.abspath(path)), max_bytes, estate)
            _platform_words(menu)
        return menus
    raise _not_a_menu(text, path, documents)


_UNPARSED = object()


def _platform_words(menu: Menu) -> None:
    """Give the flows a menu reaches through references (another file's flow, a Gosub
    routine, a subdialog) their own platform's words -- or, for one the importer built
    itself, its parent's -- so a fault found inside them gets its fix in that platform's
    terms too.  Iterative: references nest deep."""
    stack = [(sub, menu.words) for sub in menu.subflows.values()]
    seen: set[int] = set()
    while stack:
        sub, words = stack.pop()
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        name = sub.source_format
        if name != NATIVE_FORMAT.name and name in FORMATS:
            sub._words = FORMATS[name].words
        elif sub.words is NATIVE_WORDS and words is not NATIVE_WORDS:
            sub._words = words  # built by the parent's importer (a Studio subflow)
        stack.extend((inner, sub.words) for inner in sub.subflows.values())


def _candidates(text: str, path: str) -> Iterator[Format]:
    """The formats the text may be, in detection order: ivraudit's own first, so a
    native menu is read without importing any platform package."""
    stripped = text.lstrip()
    lowered = path.lower()
    if stripped.startswith("<"):
        kinds: tuple[Kind, ...] = ("xml",)
    elif lowered.endswith(_DATA_SUFFIXES) or stripped.startswith("{"):
        kinds = ("data",)
    else:
        # '[general]' starts a dialplan as well as a JSON list: text formats first.
        kinds = ("text", "data")
    if "data" in kinds and kinds[0] == "data":
        yield NATIVE_FORMAT
    for kind in kinds:
        for fmt in FORMATS.loaded().values():
            if fmt.kind == kind and (fmt is not NATIVE_FORMAT or kinds[0] != "data"):
                yield fmt


_DATA_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _parse(text: str, path: str, kind: Kind, *, strict: bool) -> Document:
    """Parse text as ``kind``.

    When the format was not named and the file's suffix does not promise data,
    a file that does not even parse as data is simply not a data format.
    """
    if kind == "xml":
        from ivraudit.formats._xml import parse_xml

        return parse_xml(text, path)
    if kind == "text":
        return Document(path, text, text, {(): (1, 1)})
    try:
        if looks_like_json(text):
            return parse_json(text, path)
        return parse_yaml(text, path, custom_tags=True)
    except MenuError as error:
        if strict or path.lower().endswith(_DATA_SUFFIXES) or text.lstrip().startswith("{"):
            raise
        # Not data after all; if no text format takes it either, this error is the answer
        # for text that looked like JSON.
        return Document(path, text, _UNPARSED, {}, _error=error)


def _not_a_menu(text: str, path: str, documents: dict[Kind, Document]) -> MenuError:
    data = documents.get("data")
    if data is not None and data._error is not None and looks_like_json(text):
        return data._error
    FORMATS.loaded()  # the platforms' near misses
    for near_miss in NEAR_MISSES:
        reason = near_miss(text, path, documents)
        if isinstance(reason, tuple):
            return NotAMenuError(path, 1, 1, reason[0], reason[1])
        if reason:
            return NotAMenuError(path, 1, 1, reason)
    known = ", ".join(fmt.title for fmt in FORMATS.values())
    data = documents.get("data")
    if data is not None and isinstance(data.value, dict):
        keys = ", ".join(sorted(map(str, data.value))[:5])
        return NotAMenuError(
            path,
            1,
            1,
            f"not a menu: no format recognises a document with keys {keys}",
            f"an ivraudit menu starts with 'ivraudit: 1'; also read: {known}",
        )
    return NotAMenuError(path, 1, 1, "not a menu in any supported format", f"read: {known}")


def _load_subflows(
    menu: Menu, base_dir: str, chain: tuple[str, ...], max_bytes: int, estate: Estate | None
) -> None:
    for node_id, node in menu.nodes.items():
        if not isinstance(node, SubflowNode) or node.menu in menu._subflows:
            continue
        target = os.path.abspath(os.path.join(base_dir, node.menu))
        where = menu.locate("nodes", node_id, "menu")
        # Menu text (loads()) has no files of its own: its root is where it is read from.
        estate = estate if estate is not None else Estate.of([], root=base_dir)
        if not estate.contains(target):
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"subflow '{node.menu}' of node '{node_id}' is outside {estate.root}, "
                "the root of the files given; nothing outside it is read",
                "keep subflows beside the menus that use them, or name a wider --root",
            )
        if target in chain:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"subflow '{node.menu}' of node '{node_id}' includes itself",
                "break the cycle of subflows",
            )
        if len(chain) >= _MAX_SUBFLOW_DEPTH:
            raise MenuError(where.file, where.line, where.column, "subflows nested too deeply")
        if not os.path.isfile(target):
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"subflow '{node.menu}' of node '{node_id}' not found",
                "the path is relative to this menu file",
            )
        relative = os.path.relpath(target) if not os.path.isabs(menu.path) else target
        try:
            inner = _load_file(relative, None, max_bytes, chain, estate)
        except NotAMenuError as error:
            # Not "this file is not a menu": this menu is broken, at its 'menu:' field.
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"subflow '{node.menu}' of node '{node_id}' is not a menu: {error.message}",
                "point 'menu:' at an ivraudit menu file",
            ) from None
        if len(inner) != 1:
            raise MenuError(
                where.file, where.line, where.column, f"subflow '{node.menu}' holds several flows"
            )
        menu._subflows[node.menu] = inner[0]


def menu_files(paths: list[str | os.PathLike[str]]) -> list[str]:
    """The menu files named by ``paths``: files as given, directories searched.

    Directory search follows no symbolic links to directories (so a link loop
    cannot hang it) nor links to files outside the directory (nothing outside
    what was named is read), skips hidden entries, and returns files sorted; a file
    named twice (``menus/`` and ``menus/a.yaml``, ``./a.yaml`` and ``a.yaml``)
    is listed once, spelt without ``./`` or doubled separators.
    """
    found: list[str] = []
    seen: set[str] = set()
    suffixes = menu_suffixes()
    for given in paths:
        text = os.fspath(given)
        if not os.path.isdir(text):
            _add_once(found, seen, text)
            continue
        collected: list[str] = []
        inside = os.path.realpath(text)
        for root, dirs, files in os.walk(text, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if not name.startswith(".") and name.lower().endswith(suffixes):
                    path = os.path.join(root, name)
                    # A link to a file outside the directory named is not read.
                    if os.path.commonpath([inside, os.path.realpath(path)]) == inside:
                        collected.append(path)
        for path in sorted(collected, key=lambda p: Path(p).as_posix()):
            _add_once(found, seen, path)
    return found


def _add_once(found: list[str], seen: set[str], path: str) -> None:
    key = os.path.realpath(path)
    if key not in seen:
        seen.add(key)
        # One spelling per run: './menus/a.yaml' and 'menus/b.yaml' read alike.
        found.append(os.path.normpath(path))


def menu_suffixes() -> tuple[str, ...]:
    """Suffixes of the files ``ivraudit check DIR`` looks at: every format's."""
    return FORMATS.suffixes


def _platform_formats() -> dict[str, Format]:
    """The table of formats: each platform package lists its own.  Adding a format
    is adding its package here and its name and suffixes to ``registry`` (see
    CONTRIBUTING.md); imported on first need."""
    from ivraudit.formats import asterisk, connect, freeswitch, twilio, vxml

    found: dict[str, Format] = {}
    for platform in (twilio, freeswitch, vxml, asterisk, connect):
        for fmt in platform.FORMATS:
            found[fmt.name] = dataclasses.replace(fmt, words=platform.WORDS)
        NEAR_MISSES.extend(platform.NEAR_MISSES)
    return found


FORMATS.loads_platforms_with(_platform_formats)
