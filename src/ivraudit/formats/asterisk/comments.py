"""Comments of a dialplan, read as main/config.c reads them: what a line keeps once its
comments are gone, and the notes its author wrote beside the code."""

from __future__ import annotations

from collections.abc import Iterator

from ivraudit.model.errors import MenuError

#: Asterisk's own limit on nested ;-- --; block comments.
MAX_NESTED_COMMENTS = 128
#: Most comment lines read as one note beside a line of code.
_MAX_NOTE_LINES = 8


def comments_beside(found: dict[int, tuple[int, str, bool]]) -> dict[int, str]:
    """line -> the comment beside its code, with the comment-only lines right under it
    whose ``;`` stands in the same column (a note written on as a column):

    ``same => n,Playback(C04)   ; Your order is cancelled.``
    ``                          ; Thank you for calling.``
    """
    notes: dict[int, str] = {}
    for line, (column, text, code) in found.items():
        if not code:
            continue
        parts = [text] if text else []
        below = line + 1
        while below in found and len(parts) < _MAX_NOTE_LINES:
            other_column, other_text, other_code = found[below]
            if other_code or other_column != column:
                break
            if other_text:
                parts.append(other_text)
            below += 1
        if parts:
            notes[line] = " ".join(parts)
    return notes


def config_lines(
    text: str, path: str, comments: dict[int, tuple[int, str, bool]] | None = None
) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of every line with its comments removed, as config.c reads them.

    ``;`` starts a comment to the end of the line, ``\\;`` is a literal
    semicolon, and ``;--`` ... ``--;`` is a block comment that may span lines
    and nest.  ``comments``, when given, gets each one-line comment: line ->
    (the column its ``;`` is shown at, with tabs of 8; its text; whether code
    comes before it on the line).
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
                if comments is not None:
                    code = any(piece.strip() for _, piece in kept)
                    shown = len(line[:found].expandtabs(8))
                    comments[number] = (shown, line[found + 1 :].strip("; /\t"), code)
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
