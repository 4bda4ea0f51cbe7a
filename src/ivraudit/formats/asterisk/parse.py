"""extensions.conf text (and the files it #includes) -> contexts, extensions and priorities.

Follows Asterisk's own readers: main/config.c for comments, categories,
templates and ``#include``, and pbx/pbx_config.c for ``exten =>``/``same =>``
lines, priorities (``n``, ``n+1``, ``label+101``), labels and ``include =>``.
Where Asterisk refuses the file, this reader raises a :class:`MenuError`.
Where Asterisk only logs a warning and skips a line that would have been a
step of the call, this reader skips it too and keeps a :class:`Notice` at its
line (reported as ST004), so the rest of the dialplan is audited as it runs and
no route disappears without a word.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ivraudit.formats._parse import DEFAULT_MAX_BYTES, decode, read_bytes
from ivraudit.formats.asterisk.apps import Kind, classify
from ivraudit.formats.asterisk.match import Pattern, expand, normalize, substitute
from ivraudit.model.errors import MenuError, Position
from ivraudit.model.menu import Notice

#: How deep #include may nest, and how many files one dialplan may read.
MAX_INCLUDE_DEPTH = 32
MAX_INCLUDED_FILES = 1000
#: Asterisk's own limit on nested ;-- --; block comments.
MAX_NESTED_COMMENTS = 128

_NOT_CONTEXTS = ("general", "globals")


@dataclass(eq=False)
class Step:
    """One priority of an extension: ``exten => 1,2(label),App(data)``."""

    context: str
    exten: Extension
    number: int
    label: str | None
    app: str
    data: str
    where: Position

    @cached_property
    def kind(self) -> Kind:
        """What the application does, read from the data as written (cached)."""
        return classify(self.app, self.data)


@dataclass(eq=False)
class Extension:
    """An extension (``s``, ``100``, ``_1NXX``) of one context, with its priorities."""

    name: str
    key: str
    cid: str | None
    pattern: Pattern | None
    order: int
    where: Position
    steps: dict[int, Step] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    @property
    def literal(self) -> str | None:
        """The dialed string this extension answers to, or None for a pattern."""
        return None if self.pattern is not None else self.name


@dataclass(frozen=True)
class Include:
    """``include => other[,times,weekdays,mdays,months]``."""

    name: str
    timing: str | None
    where: Position


@dataclass(eq=False)
class Context:
    """A ``[context]``: its extensions in file order, its includes and switches."""

    name: str
    where: Position
    extensions: dict[str, Extension] = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)
    switches: list[tuple[str, Position]] = field(default_factory=list)
    #: #include files that could not be read while this context was being written.
    unread: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unread:
    """An ``#include`` (or ``#exec``) whose file could not be read, and why."""

    name: str
    reason: str
    where: Position
    #: Read inside a [context], so the file may hold extensions (not [globals]/[general]).
    in_context: bool = True


@dataclass
class Dialplan:
    """Everything pbx_config would load from the file and its includes."""

    contexts: dict[str, Context]
    globals: dict[str, str]
    autofallthrough: bool
    unread: list[Unread]
    #: Whether any ``exten =>`` line was seen at all, commented out or not.
    has_exten_text: bool
    #: Every file read, the dialplan's own first, then its #includes in order.
    files: list[str] = field(default_factory=list)
    #: Lines Asterisk skips with a warning (reported as ST004), in file order.
    notices: list[Notice] = field(default_factory=list)
    #: Each file read -> the file whose #include read it (absent for files read first).
    includer: dict[str, str] = field(default_factory=dict)
    #: Contexts only partly in the files given (FreePBX's core dialplan absent), and why.
    partial: dict[str, str] = field(default_factory=dict)
    #: Files whose [general] says autofallthrough=no (real paths).
    waiting: frozenset[str] = frozenset()

    def falls_through(self, file: str) -> bool:
        """Whether running off the end of an extension written in ``file`` hangs up: not
        when ``file``, or a file that #includes it, sets autofallthrough=no in [general]."""
        current: str | None = os.path.realpath(file)
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current in self.waiting:
                return False
            seen.add(current)
            current = self.includer.get(current)
        return True


@dataclass
class _Variable:
    name: str
    value: str
    where: Position


@dataclass(eq=False)
class _Category:
    name: str
    where: Position
    template: bool
    variables: list[_Variable] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


_EXTEN_TEXT = re.compile(r"(?im)^[ \t;]*exten[ \t]*=")


def read_dialplan(
    text: str,
    path: str,
    root: str | None = None,
    siblings: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Dialplan:
    """Read a dialplan from its text; ``path`` locates it and its relative #includes.

    ``root`` is the directory no #include may leave (None: the file's own
    directory); ``siblings`` are more top-level files (path, text) read after it
    as part of the same dialplan (the other dialplan files of the estate).
    """
    reader = _Reader(path, root)
    reader.read(text, path, ())
    has_exten = bool(_EXTEN_TEXT.search(text))
    for other, other_text in siblings:
        reader.current = None
        reader.read(other_text, other, ())
        has_exten = has_exten or bool(_EXTEN_TEXT.search(other_text))
    return reader.dialplan(has_exten)


class _Reader:
    def __init__(self, path: str, root: str | None = None) -> None:
        self.root = path
        self.boundary = (
            os.path.realpath(root)
            if root is not None
            else (os.path.dirname(os.path.realpath(path)) if not path.startswith("<") else "")
        )
        self.includer: dict[str, str] = {}
        self.categories: list[_Category] = []
        self.by_name: dict[str, _Category] = {}
        self.current: _Category | None = None
        self.unread: list[Unread] = []
        self.files = 1
        self.read_files: list[str] = []
        self.bytes = 0

    # -- config.c: files, comments, categories, #include -----------------------------------

    def read(self, text: str, path: str, chain: tuple[str, ...]) -> None:
        self.bytes += len(text)
        if self.bytes > DEFAULT_MAX_BYTES:
            raise MenuError(path, 1, 1, "the dialplan and its #includes are over 64 MiB")
        here = (*chain, _identity(path))
        self.read_files.append(path)
        for line, column, content in _lines(text, path):
            where = Position(path, line, column)
            if content.startswith("["):
                self._header(content, where)
            elif content.startswith("#"):
                self._directive(content, where, here)
            else:
                self._variable(content, where)

    def _header(self, content: str, where: Position) -> None:
        closing = content.find("]")
        if closing < 0:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"context header '{content}' has no closing ']'",
                "write it as [name]",
            )
        name = content[1:closing]
        if not name.strip():
            raise MenuError(where.file, where.line, where.column, "context header '[]' has no name")
        rest = content[closing + 1 :]
        options: list[str] = []
        if rest.startswith("("):
            end = rest.find(")")
            if end < 0:
                raise MenuError(
                    where.file,
                    where.line,
                    where.column,
                    f"options of context '{name}' have no closing ')'",
                    "write them as [name](template) or [name](!)",
                )
            options = [option.strip() for option in rest[1:end].split(",")]
        category = _Category(name, where, template="!" in options)
        for option in options:
            if option in ("!", ""):
                continue
            if option == "+":
                existing = self.by_name.get(name)
                if existing is None:
                    raise MenuError(
                        where.file,
                        where.line,
                        where.column,
                        f"[{name}](+) adds to context '{name}', which is not defined before it",
                        f"define [{name}] first",
                    )
                self.current = existing
                return
            base = self.by_name.get(option)
            if base is None:
                raise MenuError(
                    where.file,
                    where.line,
                    where.column,
                    f"context '{name}' inherits from '{option}', which is not defined before it",
                    f"define the template [{option}](!) above [{name}]",
                )
            category.variables.extend(base.variables)
        self.categories.append(category)
        self.by_name[name] = category
        self.current = category

    def _directive(self, content: str, where: Position, chain: tuple[str, ...]) -> None:
        parts = content[1:].split(None, 1)
        command = parts[0].lower() if parts else ""
        argument = parts[1].strip() if len(parts) > 1 else ""
        if command not in ("include", "tryinclude", "exec"):
            return  # Asterisk warns about an unknown directive and goes on
        if not argument:
            return  # likewise for a directive without its argument
        if argument[0] in '"<':
            closing = ">" if argument[0] == "<" else '"'
            if len(argument) > 1 and argument.endswith(closing):
                argument = argument[1:-1]
        if command == "exec":
            self._skip(argument, "#exec runs a program, which ivraudit does not do", where)
            return
        self._include(argument, where, chain, optional=command == "tryinclude")

    def _include(self, name: str, where: Position, chain: tuple[str, ...], optional: bool) -> None:
        if self.root.startswith("<"):
            self._skip(name, "the dialplan was given as text, not read from a file", where)
            return
        base = os.path.dirname(where.file)
        target = name if os.path.isabs(name) else os.path.join(base, name)
        if any(char in name for char in "*?["):
            fixed = os.path.dirname(re.split(r"[*?\[]", target, maxsplit=1)[0]) or "."
            if not self._inside(fixed):  # not even a directory outside the root is listed
                self._skip(
                    name, f"it is outside {self.boundary}, the root of the files given", where
                )
                return
            found = sorted(each for each in glob.glob(target) if self._inside(each))
            if not found and not optional:
                self._skip(name, "no file matches it", where)
            for each in found:
                self._include_file(each, name, where, chain)
            return
        if not os.path.exists(target):
            target = _sibling(where.file, name) or target
        if not self._inside(target):
            self._skip(name, f"it is outside {self.boundary}, the root of the files given", where)
            return
        if not os.path.exists(target):
            if not optional:
                self._skip(name, "the file does not exist", where)
            return
        self._include_file(target, name, where, chain)

    def _inside(self, target: str) -> bool:
        real = os.path.realpath(target)
        return real == self.boundary or real.startswith(self.boundary.rstrip(os.sep) + os.sep)

    def _include_file(self, target: str, name: str, where: Position, chain: tuple[str, ...]):
        if _identity(target) in chain:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"#include '{name}' includes a file that is already being read (an #include loop)",
                "remove the #include that leads back to this file",
            )
        if len(chain) >= MAX_INCLUDE_DEPTH:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"#include files nest more than {MAX_INCLUDE_DEPTH} deep",
            )
        if not os.path.isfile(target):
            self._skip(name, "it is not a regular file", where)
            return
        self.files += 1
        if self.files > MAX_INCLUDED_FILES:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                f"more than {MAX_INCLUDED_FILES} #include files",
            )
        try:
            data = read_bytes(target)
            text = decode(data, target) if data.strip() else ""
        except MenuError as error:
            self._skip(name, error.message, where)
            return
        self.includer.setdefault(os.path.realpath(target), os.path.realpath(where.file))
        self.read(text, target, chain)

    def _skip(self, name: str, reason: str, where: Position) -> None:
        current = self.current
        in_context = current is None or (
            not current.template and current.name.lower() not in _NOT_CONTEXTS
        )
        self.unread.append(Unread(name, reason, where, in_context))
        if self.current is not None:
            self.current.unread.append(name)

    def _variable(self, content: str, where: Position) -> None:
        if self.current is None:
            raise MenuError(
                where.file,
                where.line,
                where.column,
                "this line is not inside any [context]",
                "put a [context] header above it",
            )
        if content.startswith("\\"):
            content = content[1:]
        equals = content.find("=")
        if equals < 0:
            return  # Asterisk ignores a line with no '=' (with a warning)
        name = content[:equals]
        value = content[equals + 1 :]
        append = name.endswith("+")
        if append:
            name = name[:-1]
        if value.startswith(">"):
            value = value[1:]
        name = name.strip()
        if not name:
            return
        value = value.strip()
        if append:
            for variable in reversed(self.current.variables):
                if variable.name == name:
                    variable.value += value
                    return
        self.current.variables.append(_Variable(name, value, where))

    # -- pbx_config.c: contexts, extensions, priorities ------------------------------------

    def dialplan(self, has_exten_text: bool) -> Dialplan:
        globals_: dict[str, str] = {}
        too_long: set[str] = set()
        waiting: set[str] = set()
        for category in self.categories:
            lowered = category.name.lower()
            if category.template:
                continue
            if lowered == "globals":
                for variable in category.variables:
                    value, fitted = expand(variable.value, globals_, None, "")
                    if fitted and not _names(value) & too_long:
                        globals_[variable.name] = value
                        too_long.discard(variable.name)
                    else:  # too long to fill in (or made of one): known only at run time
                        globals_.pop(variable.name, None)
                        too_long.add(variable.name)
            elif lowered == "general":
                for variable in category.variables:
                    if variable.name.lower() == "autofallthrough":
                        autofallthrough = _true(variable.value)
                        setting = os.path.realpath(category.where.file)
                        if autofallthrough:
                            waiting.discard(setting)
                        else:
                            waiting.add(setting)
        contexts: dict[str, Context] = {}
        notices: list[Notice] = []
        for category in self.categories:
            if category.template or category.name.lower() in _NOT_CONTEXTS:
                continue
            context = contexts.get(category.name)
            if context is None:
                context = contexts[category.name] = Context(category.name, category.where)
            context.unread.extend(category.unread)
            _Builder(context, globals_, notices).add(category.variables)
        notices.sort(key=lambda notice: (notice.position.file, notice.position.line))
        return Dialplan(
            contexts,
            globals_,
            not waiting,
            self.unread,
            has_exten_text,
            self.read_files,
            notices,
            self.includer,
            waiting=frozenset(waiting),
        )


def _names(value: str) -> set[str]:
    """The variables ``${NAME}`` a value still names."""
    return set(_NAMED.findall(value)) if "${" in value else set()


_NAMED = re.compile(r"\$\{(?:GLOBAL\()?(\w+)")


def _true(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "y", "t", "1", "on")


def _sibling(including: str, name: str) -> str | None:
    """A file collected flat as ``owner__repo__name.conf`` beside its includer: the
    ``#include name.conf`` of ``owner__repo__extensions.conf`` names it."""
    base = os.path.basename(including)
    if base.count("__") < 2 or os.path.isabs(name) or "/" in name:
        return None
    prefix = base[: base.rindex("__") + 2]
    candidate = os.path.join(os.path.dirname(including), prefix + name)
    return candidate if os.path.isfile(candidate) else None


def _identity(path: str) -> str:
    return os.path.realpath(path) if not path.startswith("<") else path


class _Builder:
    """Adds one category's lines to its context, as pbx_load_config does."""

    def __init__(self, context: Context, globals_: dict[str, str], notices: list[Notice]) -> None:
        self.context = context
        self.globals = globals_
        self.notices = notices
        self.last_extension: str | None = None
        self.last_priority: int | None = None

    def add(self, variables: list[_Variable]) -> None:
        for variable in variables:
            name = variable.name.lower()
            if name.startswith("same") or name == "exten":
                try:
                    self._step(variable, same=name != "exten")
                except _Skipped as skipped:
                    # pbx_config logs a warning and goes on without this line.
                    where = skipped.where
                    message = f"{skipped.message}; Asterisk skips this line with a warning"
                    if skipped.hint:
                        message += f" ({skipped.hint})"
                    self.notices.append(Notice(where, message))
            elif name == "include":
                self._include(variable)
            elif name in ("switch", "lswitch", "eswitch"):
                self.context.switches.append((variable.value, variable.where))
            # ignorepat, autohints and unknown directives do not change the call flow

    def _include(self, variable: _Variable) -> None:
        value = substitute(variable.value, self.globals, None, self.context.name)
        name, _, timing = value.partition(",")
        self.context.includes.append(Include(name.strip(), timing.strip() or None, variable.where))

    def _step(self, variable: _Variable, same: bool) -> None:
        where = variable.where
        if same:
            if self.last_extension is None:
                raise _error(
                    where,
                    f"'same =>' has no extension before it in context '{self.context.name}'",
                    "start the extension with 'exten => name,1,...'",
                )
            written, rest = self.last_extension, variable.value
        else:
            pieces = _strsep_brackets(variable.value)
            written = substitute(pieces[0], self.globals, None, self.context.name)
            written = written.replace(" ", "").replace("\t", "")
            rest = pieces[1] if len(pieces) > 1 else ""
            if not written:
                raise _error(
                    where, "'exten =>' has no extension name", "write exten => name,1,App()"
                )
            self.last_extension = written
        priority_text, _, application = rest.partition(",")
        number, label = self._priority(priority_text, written, where)
        if number is None:
            return  # a hint (device state, not a step) or a line Asterisk drops
        self.last_priority = number
        app, data = _application(application)
        if not app:
            raise _error(
                where,
                f"priority {number} of extension '{written}' runs no application",
                "write an application after the priority, e.g. NoOp()",
            )
        self._add(written, number, label, app, data, where)

    def _priority(self, text: str, written: str, where: Position) -> tuple[int | None, str | None]:
        text = text.strip()
        label = None
        opening = text.find("(")
        if opening >= 0:
            closing = text.find(")", opening)
            if closing < 0:
                raise _error(where, f"label in priority '{text}' has no closing ')'")
            label = text[opening + 1 : closing].strip() or None
            text = text[:opening].strip()
        base, plus, offset_text = text.partition("+")
        base = base.strip()
        if base == "hint":
            return None, None
        if base in ("n", "next", "s", "same"):
            if self.last_priority is None:
                # Asterisk drops such a line with a warning; FreePBX writes them, so
                # refusing the file would make generated dialplans impossible to audit.
                return None, None
            number = self.last_priority + (1 if base in ("n", "next") else 0)
        else:
            leading = re.match(r"[+-]?\d+", base)
            if leading:
                number = int(leading.group())
            else:
                extension = self.context.extensions.get(_key(written))
                found = extension.labels.get(base) if extension is not None else None
                if found is None:
                    raise _error(
                        where,
                        f"priority '{base}' of extension '{written}' is neither a number "
                        "nor a label defined above it",
                        "use a number, 'n', or a label of this extension",
                    )
                number = found
        if plus:
            offset = re.match(r"\s*[+-]?\d+", offset_text)
            number += int(offset.group()) if offset else 0
        if number < 1:
            raise _error(where, f"priority {number} of extension '{written}' is below 1")
        return number, label

    def _add(
        self, written: str, number: int, label: str | None, app: str, data: str, where: Position
    ) -> None:
        key = _key(written)
        extension = self.context.extensions.get(key)
        if extension is None:
            name, _, cid = written.partition("/")
            pattern = Pattern.parse(name) if name.startswith("_") else None
            extension = Extension(
                name=written,
                key=key,
                cid=cid or None,
                pattern=pattern,
                order=len(self.context.extensions),
                where=where,
            )
            self.context.extensions[key] = extension
        existing = extension.steps.get(number)
        if existing is not None:
            if existing.app.lower() == app.lower() and existing.data == data:
                return  # the same line twice (often the same file included twice)
            first = existing.where
            if "override" in os.path.basename(first.file).lower():
                return  # FreePBX's override files replace generated lines on purpose
            raise _error(
                where,
                f"priority {number} of extension '{written}' in context '{self.context.name}' "
                f"is defined twice (first at {first.file}:{first.line}); Asterisk keeps the "
                "first and drops this one",
                "renumber or remove one of them",
            )
        step = Step(self.context.name, extension, number, label, app, data, where)
        extension.steps[number] = step
        if label is not None:
            extension.labels.setdefault(label, number)


def _key(written: str) -> str:
    name, slash, cid = written.partition("/")
    if name.startswith("_"):
        return name + slash + cid
    return normalize(name) + slash + cid


def _strsep_brackets(value: str) -> list[str]:
    # pbx_strsep: the extension name ends at the first comma outside [...], "\," escapes.
    depth = 0
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char == "," and not depth:
            return [value[:index].strip(), value[index + 1 :]]
        index += 1
    return [value.strip()]


def _application(text: str) -> tuple[str, str]:
    text = text.strip()
    opening = text.find("(")
    if opening < 0:
        # Before Asterisk 1.6 arguments followed a comma ("Wait,2"); read them so.
        name, _, data = text.partition(",")
        return name.strip(), data.strip()
    name = text[:opening]
    if "${" in name or "$[" in name:
        return text, ""
    closing = text.rfind(")")
    data = text[opening + 1 : closing] if closing > opening else text[opening + 1 :]
    return name.strip(), data


class _Skipped(Exception):
    """A dialplan line pbx_config skips with a warning."""

    def __init__(self, where: Position, message: str, hint: str | None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.hint = hint


def _error(where: Position, message: str, hint: str | None = None) -> _Skipped:
    return _Skipped(where, message, hint)


# -- comments ----------------------------------------------------------------------------------


def _lines(text: str, path: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of every line with its comments removed, as config.c reads them.

    ``;`` starts a comment to the end of the line, ``\\;`` is a literal
    semicolon, and ``;--`` ... ``--;`` is a block comment that may span lines
    and nest.
    """
    depth = 0
    opened: list[tuple[int, int]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if depth == 0 and ";" not in line:  # the common case: no comment at all
            content = line.strip()
            if content:
                yield number, len(line) - len(line.lstrip()) + 1, content
            continue
        kept: list[tuple[int, str]] = []
        segment = 0 if depth == 0 else -1
        search = 0
        while True:
            found = line.find(";", search)
            if found < 0:
                break
            if found > search and line[found - 1] == "\\":
                if depth == 0:
                    kept.append((segment, line[segment : found - 1] + ";"))
                    segment = found + 1
                search = found + 1
            elif line[found + 1 : found + 3] == "--" and line[found + 3 : found + 4] != "-":
                if depth == 0:
                    kept.append((segment, line[segment:found]))
                depth += 1
                if depth > MAX_NESTED_COMMENTS:
                    raise MenuError(path, number, found + 1, "block comments nest too deeply")
                opened.append((number, found + 1))
                search = found + 3
            elif found >= search + 2 and line[found - 2 : found] == "--":
                if depth == 0:
                    raise MenuError(
                        path,
                        number,
                        found - 1,
                        "'--;' ends a block comment that was never opened: Asterisk "
                        "ignores the rest of the file after it",
                        "remove it, or write the semicolon as \\;",
                    )
                depth -= 1
                opened.pop()
                search = found + 1
                if depth == 0:
                    segment = search
            elif depth == 0:
                kept.append((segment, line[segment:found]))
                segment = -1
                break
            else:
                search = found + 1
        if depth == 0 and segment >= 0:
            kept.append((segment, line[segment:]))
        content = "".join(piece for _, piece in kept).strip()
        if not content:
            continue
        column = 1
        for offset, piece in kept:
            if piece.strip():
                column = offset + len(piece) - len(piece.lstrip()) + 1
                break
        yield number, column, content
    if depth:
        line, column = opened[0]
        raise MenuError(
            path,
            line,
            column,
            "block comment ';--' is never closed with '--;': Asterisk ignores everything after it",
            "close it with --; or, for a one-line comment, write ';' without '--'",
        )
