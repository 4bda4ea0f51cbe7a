"""How a report is shown: the options every reporter takes."""

from __future__ import annotations

from dataclasses import dataclass

from ivraudit.model.findings import Severity

#: The JSON output version written by default (docs/output.md).
JSON_VERSION = 2

#: The most characters a Markdown report has by default: GitHub's limit for a
#: pull-request comment (GitLab's for a note is 1,000,000, a job summary 1 MiB).
MARKDOWN_LIMIT = 65_536


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change how a report is shown, not what it says.

    ``fail_on`` decides which findings are failures (JUnit).  Pictures come with
    the report itself (``Report.drawings``), when the check was asked to draw.
    """

    witness: bool = True
    fail_on: Severity | None = Severity.WARNING
    #: List each route that leaves what was read (text), not only their count.
    unknowns: bool = False
    #: The JSON output version (docs/output.md): 2, or 1 for readers not yet migrated.
    json_version: int = JSON_VERSION
    #: Markdown: list the most severe findings that fit in this many characters, and say
    #: how many were left out (None: list every finding).
    markdown_limit: int | None = MARKDOWN_LIMIT
