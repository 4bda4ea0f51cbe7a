"""Baselines: accept today's findings, fail only on new ones.

A baseline file records each finding's fingerprint (rule, file, node and the
fact found -- never the line), so it survives unrelated edits.  Checking
against it removes the findings it holds and lists the entries that are now
fixed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ivraudit._version import __version__
from ivraudit.model.errors import UsageError
from ivraudit.model.findings import Report, normal_path

BASELINE_VERSION = 1


def dump_baseline(report: Report) -> str:
    """The baseline file for a report's findings (JSON, sorted, deterministic)."""
    entries = [
        {
            "fingerprint": finding.fingerprint,
            "rule": finding.rule,
            "file": normal_path(finding.file),
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


@dataclass
class Baseline:
    """The findings a team has accepted, by fingerprint."""

    entries: list[dict[str, Any]] = field(default_factory=list)

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
        return cls(entries)

    def apply(self, report: Report) -> Report:
        """Remove the findings this baseline holds; record which entries are fixed.

        An entry counts as fixed only when its file was checked in this run and
        no finding matched it.  Returns the same report, changed.
        """
        remaining = Counter(entry["fingerprint"] for entry in self.entries)
        kept = []
        for finding in report.findings:
            if remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                report.absorbed += 1
            else:
                kept.append(finding)
        report.findings = kept
        checked = {normal_path(file) for file in report.files}
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
