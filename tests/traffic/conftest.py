"""The menu and call log most traffic report tests share, written into a temporary
working directory (test_check_traffic.py writes its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.traffic.test_check_traffic import MENU
from tests.traffic.test_report import calls


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("menu.yaml").write_text(MENU, encoding="utf-8")
    Path("calls.csv").write_text(calls(), encoding="utf-8")
    return tmp_path
