"""Errors a person can act on: where the problem is, what it is, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """A place in a source file; line and column count from 1."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class IvrauditError(Exception):
    """Base class of every error ivraudit raises on purpose."""


class MenuError(IvrauditError):
    """A menu file that cannot be read as a menu.

    ``str(error)`` is one line, ``path:line:column: message``, ready to print.

    >>> str(MenuError("bad.yaml", 3, 5, "unknown field 'sya'", "did you mean 'say'?"))
    "bad.yaml:3:5: unknown field 'sya' (did you mean 'say'?)"
    """

    def __init__(
        self, file: str, line: int, column: int, message: str, hint: str | None = None
    ) -> None:
        self.position = Position(file, max(line, 1), max(column, 1))
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    @property
    def file(self) -> str:
        return self.position.file

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def column(self) -> int:
        return self.position.column

    def __str__(self) -> str:
        text = f"{self.position}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self):  # keep the error picklable for worker processes
        return (MenuError, (self.file, self.line, self.column, self.message, self.hint))


class NotAMenuError(MenuError):
    """A file that no supported format recognises (as opposed to a broken menu)."""

    def __reduce__(self):
        return (NotAMenuError, (self.file, self.line, self.column, self.message, self.hint))


class ConfigError(IvrauditError):
    """An ivraudit.toml or [tool.ivraudit] table that cannot be used."""


class UsageError(IvrauditError):
    """A request the library cannot carry out as asked (bad option value, unknown rule)."""
