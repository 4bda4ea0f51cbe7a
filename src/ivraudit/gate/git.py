"""Menus as they were at a git revision, for ``ivraudit diff --git REF``.

The directory holding the paths given is copied, as it was at REF, into a
temporary directory (read as blobs; the repository is not touched), so that
references between files -- a subflow, an include, a flow module -- resolve
inside that copy exactly as they do in the working tree, wherever the command
runs from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ivraudit.config import Config
from ivraudit.formats import Estate, load_all, menu_files
from ivraudit.gate.diff import Diff, diff, pair_flows
from ivraudit.model.errors import MenuError, NotAMenuError, UsageError
from ivraudit.model.menu import Menu


def _git(folder: str, *args: str, feed: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", folder, *args], input=feed, capture_output=True, timeout=60, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; --git needs it") from None
    except subprocess.TimeoutExpired:
        raise UsageError("git did not answer within 60 s") from None


@dataclass(frozen=True)
class Snapshot:
    """The directory ``given`` (as the user spells it; ``""`` is the current one) as it
    was at ``ref``, copied to ``copy``."""

    ref: str
    given: str
    copy: str

    def at_ref(self, path: str) -> str:
        """Where the file the working tree calls ``path`` lies in the copy."""
        relative = os.path.relpath(path or ".", self.given or ".")
        return os.path.normpath(os.path.join(self.copy, relative))

    def in_tree(self, path: str) -> str:
        """The working tree's spelling of a file of the copy (paths outside it unchanged)."""
        relative = os.path.relpath(os.path.abspath(path), self.copy)
        if relative.startswith(".."):
            return path
        return os.path.normpath(os.path.join(self.given, relative))

    def menu_files(self, paths: Sequence[str]) -> list[str]:
        """The menu files ``check`` would find under the directories in ``paths`` at
        ``ref``, spelt as the working tree spells them."""
        folders = [self.at_ref(path) for path in paths if os.path.isdir(path)]
        present = [folder for folder in folders if os.path.isdir(folder)]
        return [self.in_tree(path) for path in menu_files(list(present))] if present else []


def _holding(paths: Sequence[str]) -> str:
    """The deepest existing directory holding every path given, as the user spells it."""
    places = [path if os.path.isdir(path) else os.path.dirname(path) for path in paths]
    if any(os.path.isabs(place) for place in places):
        places = [os.path.abspath(place) for place in places]
    places = [os.path.normpath(place or ".") for place in places]
    folder = os.path.commonpath(places) if places else "."
    while folder and not os.path.isdir(folder):  # a directory deleted since the ref
        folder = os.path.dirname(folder)
    return "" if folder in ("", ".") else folder


@contextmanager
def snapshot(paths: Sequence[str], ref: str, max_bytes: int) -> Iterator[Snapshot]:
    """The directory holding ``paths`` as it was at ``ref``, in a temporary directory
    removed afterwards.  Files larger than ``max_bytes`` are left out.

    Raises UsageError when git is missing, the paths are not in a repository, or
    ``ref`` is not a revision there.
    """
    given = _holding(paths)
    folder = given or "."
    shown = paths[0] if paths else folder
    if _git(folder, "rev-parse", "--show-toplevel").returncode != 0:
        raise UsageError(f"{shown} is not in a git repository, so --git cannot compare it")
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"'{ref}' is not a git revision in the repository of {shown}")
    copy = tempfile.mkdtemp(prefix="ivraudit-git-")
    try:
        _extract(folder, ref, copy, max_bytes)
        yield Snapshot(ref, given, copy)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _extract(folder: str, ref: str, into: str, max_bytes: int) -> None:
    """Write the files under ``folder`` at ``ref`` into ``into``: regular files only,
    read as blobs (``ls-tree`` and one ``cat-file --batch``), so that no attribute
    (``export-ignore``, ``export-subst``) leaves a file out or changes it."""
    listed = _git(folder, "ls-tree", "-r", "-z", "-l", ref, "--", ".")
    blobs: list[tuple[str, str]] = []
    for entry in listed.stdout.split(b"\0") if listed.returncode == 0 else ():
        meta, _, name = entry.partition(b"\t")
        fields = meta.split()
        regular = len(fields) == 4 and fields[0] in (b"100644", b"100755")
        if regular and fields[3].isdigit() and int(fields[3]) <= max_bytes:
            blobs.append((fields[2].decode("ascii"), os.fsdecode(name)))
    if not blobs:
        return  # the directory did not exist at the ref, or held nothing
    request = "".join(f"{sha}\n" for sha, _ in blobs).encode("ascii")
    data = _git(folder, "cat-file", "--batch", feed=request).stdout
    at = 0
    for _, name in blobs:
        header_end = data.index(b"\n", at)
        start = header_end + 1
        end = start + int(data[at:header_end].split()[2])
        target = os.path.normpath(os.path.join(into, name))
        if target.startswith(os.path.join(into, "")):  # never outside the copy
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data[start:end])
        at = end + 1


def diff_at_ref(
    paths: Sequence[str],
    ref: str,
    config: Config | None = None,
    *,
    format: str | None = None,
    seconds_tolerance: float = 1.0,
) -> list[Diff]:
    """Compare each menu under ``paths`` (files, or directories searched) with its
    version at git revision ``ref``: ``ivraudit diff --git REF PATH...``.

    Both versions are read as whole estates: a subflow or an included file resolves
    relative to the file that names it, in the working tree for the new version and
    in the tree of ``ref`` for the old, wherever this runs from.  A menu new since
    ``ref`` is compared with nothing, one deleted since with nothing.  Data files in
    the directories that are not menus are skipped.
    """
    config = config or Config()
    given = [os.fspath(path) for path in paths]
    named = {os.path.normpath(path) for path in given if not os.path.isdir(path)}
    now = menu_files(list(given))
    new_estate = Estate.named(given, now) if now else None
    diffs: list[Diff] = []
    with snapshot(given, ref, config.max_bytes) as snap:
        then = sorted({*now, *snap.menu_files(given)})
        old_estate = Estate.of([snap.at_ref(path) for path in then], snap.at_ref(snap.given))
        for path in then:
            try:
                old = _old_menus(snap, path, format, config, old_estate)
                new = _load(path, format, config, new_estate)
            except NotAMenuError:
                if path in named:
                    raise
                continue  # a data file in a directory that is not a menu
            if not old and not new:
                raise UsageError(f"{path} exists neither in the working tree nor at {ref}")
            for before, after in pair_flows(old, new):
                result = diff(before, after, config, seconds_tolerance=seconds_tolerance)
                result.fixed = [finding.respelt(snap.in_tree) for finding in result.fixed]
                if before is not None:
                    label = f"{path}@{ref}"
                    result.old = label + (f" ({before.id})" if len(old) > 1 else "")
                diffs.append(result)
    return diffs


def _load(path: str, format: str | None, config: Config, estate: Estate | None) -> list[Menu]:
    if not os.path.exists(path):
        return []
    return load_all(path, format, max_bytes=config.max_bytes, estate=estate)


def _old_menus(
    snap: Snapshot, path: str, format: str | None, config: Config, estate: Estate
) -> list[Menu]:
    """The flows of ``path`` at the ref (none if it did not exist); an error in them
    names the file as ``path@REF``."""
    try:
        return _load(snap.at_ref(path), format, config, estate)
    except MenuError as error:
        spelt = [
            type(problem)(
                f"{snap.in_tree(problem.file)}@{snap.ref}",
                problem.line,
                problem.column,
                problem.message,
                problem.hint,
            )
            for problem in error.problems
        ]
        raise type(error)(
            spelt[0].file, error.line, error.column, error.message, error.hint, tuple(spelt[1:])
        ) from None
