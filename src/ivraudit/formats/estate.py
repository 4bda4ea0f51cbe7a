"""The estate: every file named in one run, read as one system (DESIGN.md §7a).

Real menus are estates, not files: a FreePBX box is several dialplan files, a
Connect instance is flows that transfer to each other, a VoiceXML application
is documents that link.  Converters use the estate to resolve references
between the files given (an ``#include``, a context defined in another file, a
flow named by ARN, a ``goto`` to another document).  What is not in the estate
stays unknown, and nothing outside the estate's root directory is ever read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ivraudit.model.errors import ConfigError


@dataclass(frozen=True)
class Estate:
    """The files of one run and the directory nothing is read outside of.

    ``root`` and ``files`` are absolute, with symbolic links resolved, so a link
    that points out of the root is outside it.  ``cache`` lets a converter keep
    what it parsed of another file for the rest of the run (per process).
    """

    root: str
    files: tuple[str, ...]
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    #: References the files cannot resolve by themselves, mapped by config to a file
    #: of the estate (absolute): ``{("twilio-flow", "FW..."): "/.../billing.json"}``.
    references: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, files: Sequence[str | os.PathLike[str]], root: str | None = None) -> Estate:
        """The estate of ``files`` (menu files, as :func:`~ivraudit.formats.menu_files`
        finds them): its root is ``root`` when given, else the deepest directory that
        holds them all."""
        real = tuple(dict.fromkeys(os.path.realpath(os.fspath(path)) for path in files))
        if root is not None:
            top = os.path.realpath(root)
        elif real:
            top = os.path.commonpath([os.path.dirname(path) for path in real])
        else:
            top = os.path.realpath(os.getcwd())
        return cls(top, real)

    @classmethod
    def named(
        cls, paths: Sequence[str | os.PathLike[str]], files: Sequence[str | os.PathLike[str]]
    ) -> Estate:
        """The estate of a run that named ``paths`` (files and directories) and found
        ``files`` in them: its root is the deepest directory holding what was named."""
        places = [
            os.path.realpath(os.fspath(path))
            if os.path.isdir(path)
            else os.path.dirname(os.path.realpath(os.fspath(path)))
            for path in paths
        ]
        return cls.of(files, os.path.commonpath(places) if places else None)

    @classmethod
    def alone(cls, path: str | os.PathLike[str]) -> Estate:
        """The estate of one file read on its own: itself, inside its own directory."""
        return cls.of([path])

    def referring(self, kind: str, files: Mapping[str, str], where: str) -> Estate:
        """This estate, with config's ``files`` (``{reference: absolute path}``) as the
        references of ``kind``; ``where`` names the config key for errors.  A file that
        does not exist is a :class:`ConfigError`; one outside the root is left out (nothing
        outside is read: a reference to it stays unknown), so a project's config still
        works when one folder or one changed file of it is checked."""
        found = dict(self.references)
        for reference, path in files.items():
            if not os.path.isfile(path):
                raise ConfigError(f"{where}: {reference} = '{path}' is not a file")
            if self.contains(path):
                found[(kind, reference)] = path
        return replace(self, cache={}, references=found)

    def contains(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` (after resolving links) lies inside the root."""
        real = os.path.realpath(os.fspath(path))
        return real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)

    def given(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` is one of the files named in the run."""
        return os.path.realpath(os.fspath(path)) in self.files

    def resolve(self, base_file: str, reference: str) -> str | None:
        """The file ``reference`` names, relative to ``base_file``'s directory (or
        absolute), if it lies inside the root; None when it would leave the root."""
        if not reference:
            return None
        base = os.path.dirname(os.path.realpath(base_file))
        target = os.path.realpath(os.path.join(base, reference))
        return target if self.contains(target) else None

    def with_suffix(self, suffixes: Iterable[str]) -> list[str]:
        """The files of the run whose names end with one of ``suffixes`` (lower case)."""
        endings = tuple(suffix.lower() for suffix in suffixes)
        return [path for path in self.files if path.lower().endswith(endings)]

    def shown(self, path: str) -> str:
        """A file of the estate as a person reads it: relative to the root."""
        return os.path.relpath(path, self.root)
