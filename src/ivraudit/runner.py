"""Checking many files: find the menus under the paths given, load and audit each."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from .audit import audit
from .config import Config
from .context import AuditContext
from .errors import MenuError, NotAMenuError, UsageError
from .findings import Report
from .loaders import load_all, menu_files
from .metrics import metrics


@dataclass
class CheckResult:
    """A check run: the report, and the files skipped because they are not menus."""

    report: Report
    skipped: list[str] = field(default_factory=list)


def check(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    format: str | None = None,
    with_metrics: bool = False,
    skip_non_menus: bool = False,
) -> CheckResult:
    """Load and audit every menu file under ``paths`` (files, or directories searched).

    A file that cannot be read lands in ``report.errors``; the others are
    still audited.  Inside a directory, data files no format recognises
    (a package.json, a CI config) are skipped and listed in ``skipped``;
    a file named directly must be a menu unless ``skip_non_menus`` (for
    pre-commit, which names every changed file).  ``with_metrics`` adds each
    menu's :class:`~ivraudit.metrics.Metrics` to ``report.metrics``.
    """
    config = config or Config()
    result = CheckResult(Report())
    named = {os.fspath(path) for path in paths if not os.path.isdir(path)}
    files = menu_files(list(paths))
    if not files:
        raise UsageError("no menu files found in " + ", ".join(os.fspath(p) for p in paths))
    for path in files:
        try:
            menus = load_all(path, format, max_bytes=config.max_bytes)
        except NotAMenuError as error:
            if (path in named and not skip_non_menus) or format is not None:
                result.report.errors.append(error)
            else:
                result.skipped.append(path)
            continue
        except MenuError as error:
            result.report.errors.append(error)
            continue
        for menu in menus:
            context = AuditContext(menu, config)
            report = audit(menu, config, context=context)
            if with_metrics:
                report.metrics.append(metrics(menu, context=context))
            result.report.extend(report)
    result.report.sort()
    return result
