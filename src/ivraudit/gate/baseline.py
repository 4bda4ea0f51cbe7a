"""Baselines: accept today's findings, fail only on new ones.

A baseline file records each finding's fingerprint (rule, file, node and the
fact found -- never the line), so it survives unrelated edits.  Files are
spelt relative to the baseline file's own directory, so a baseline matches
whichever directory a check runs from.  Checking against it removes the
findings it holds and lists the entries that are now fixed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ivraudit._version import __version__
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Report, relative_path

BASELINE_VERSION = 1


def dump_baseline(report: Report, at: str | os.PathLike[str] | None = None) -> str:
    """The baseline file for a report's findings (JSON, sorted, deterministic), to be
    written at ``at`` (None or ``-``: the current directory): its files and
    fingerprints are relative to that file's directory."""
    base = _base(at)
    entries = [
        {
            "fingerprint": finding.fingerprint_from(base),
            "rule": finding.rule,
            "file": relative_path(finding.file, base),
            "node": finding.node,
            "message": finding.message,
        }
        for finding in report.findings
    ]
    entries.sort(key=lambda entry: (entry["file"], entry["rule"], entry["node"], entry["message"]))
    data = {
        "version": BASELINE_VERSION,
        "tool": {"name": "ivraudit", "version": __version__},
        "findings": entries,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _base(at: str | os.PathLike[str] | None) -> str | None:
    """The directory a baseline file's paths are relative to (None: the current one)."""
    if at is None or os.fspath(at) == "-":
        return None
    return os.path.dirname(os.path.abspath(os.fspath(at)))


@dataclass
class Baseline:
    """The findings a team has accepted, by fingerprint, with files relative to ``base``
    (the baseline file's directory; None: the current directory)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    base: str | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        """Read a baseline file; a missing or malformed one is a UsageError."""
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise UsageError(
                f"{name}: baseline not found (create it with 'ivraudit baseline PATH -o {name}')"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UsageError(f"{name}: not a readable baseline: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
            raise UsageError(f"{name}: not an ivraudit baseline (version {BASELINE_VERSION})")
        entries = data.get("findings")
        if not isinstance(entries, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
            for entry in entries
        ):
            raise UsageError(f"{name}: baseline 'findings' must be a list of entries")
        return cls(entries, _base(name))

    def apply(self, report: Report) -> Report:
        """Remove the findings this baseline holds; record which entries are fixed.

        An entry counts as fixed only when its file was checked in this run and
        no finding matched it.  Returns the same report, changed.
        """
        remaining = Counter(entry["fingerprint"] for entry in self.entries)
        kept = []
        for finding in report.findings:
            fingerprint = finding.fingerprint_from(self.base)
            if remaining[fingerprint] > 0:
                remaining[fingerprint] -= 1
                report.absorbed += 1
            else:
                kept.append(finding)
        report.findings = kept
        checked = {relative_path(file, self.base) for file in report.files}
        for entry in self.entries:
            fingerprint = entry["fingerprint"]
            if remaining[fingerprint] > 0 and entry.get("file") in checked:
                remaining[fingerprint] -= 1
                report.fixed.append(
                    {
                        key: entry.get(key)
                        for key in ("fingerprint", "rule", "file", "node", "message")
                    }
                )
        return report

    def outcome(self, report: Report) -> str:
        """What applying this baseline did, in one sentence for stderr: how many of its
        entries absorbed a finding, are fixed, or belong to files this run did not check."""
        total = len(self.entries)
        fixed = len(report.fixed)
        elsewhere = total - report.absorbed - fixed
        text = (
            f"{total} entr{'y' if total == 1 else 'ies'}: "
            f"{report.absorbed} still found (absorbed), {fixed} fixed, "
            f"{elsewhere} in files not checked"
        )
        if fixed:
            text += "; run 'ivraudit baseline' again to drop the fixed ones"
        return text
