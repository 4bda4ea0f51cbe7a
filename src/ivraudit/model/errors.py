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

    ``str(error)`` is ``path:line:column: message (hint)``, ready to print: one
    line per problem, the first being this error's own.  A file with several
    problems (two misspelt fields) is one error whose :attr:`problems` lists them
    all, in file order, so a person fixes them in one pass.

    >>> str(MenuError("bad.yaml", 3, 5, "unknown field 'sya'", "did you mean 'say'?"))
    "bad.yaml:3:5: unknown field 'sya' (did you mean 'say'?)"
    """

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        hint: str | None = None,
        more: tuple[MenuError, ...] = (),
    ) -> None:
        self.position = Position(file, max(line, 1), max(column, 1))
        self.message = message
        self.hint = hint
        #: The file's other problems, after this one.
        self.more = tuple(more)
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

    @property
    def problems(self) -> tuple[MenuError, ...]:
        """Every problem of the file: this one, then :attr:`more`."""
        return (self, *self.more)

    @property
    def headline(self) -> str:
        """This problem alone, on one line: ``path:line:column: message (hint)``."""
        text = f"{self.position}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return "\n".join(problem.headline for problem in self.problems)

    def __reduce__(self):  # keep the error picklable for worker processes
        return (type(self), (self.file, self.line, self.column, self.message, self.hint, self.more))


class NotAMenuError(MenuError):
    """A file that no supported format recognises (as opposed to a broken menu)."""


class EstatePartError(NotAMenuError):
    """A file of an estate that is no menu itself but gives other files what they need
    (an Asterisk channel config: its ``context=`` lines are where calls enter the
    dialplan).  Named with the files it serves, it is read for them, not refused."""


class ConfigError(IvrauditError):
    """An ivraudit.toml or [tool.ivraudit] table that cannot be used."""


class UsageError(IvrauditError):
    """A request the library cannot carry out as asked (bad option value, unknown rule)."""
