"""The documentation site builds in strict mode: every page in the nav, every link
and anchor valid, the API reference generated from the code's docstrings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_the_docs_site_builds_with_no_warning(tmp_path):
    pytest.importorskip(
        "mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')"
    )
    pytest.importorskip("mkdocstrings", reason="the docs extra is not installed")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "ivraudit.audit" in api and "ivraudit.load" in api
    for page in ("rules/DE003/index.html", "formats/asterisk/index.html", "cli/index.html"):
        assert (tmp_path / "site" / page).is_file(), page
