"""The format table knows its names and suffixes before the platforms are imported,
and they match what the platform packages declare."""

from __future__ import annotations

import subprocess
import sys

from ivraudit.formats import FORMATS
from ivraudit.formats.registry import MENU_SUFFIXES, PLATFORM_NAMES


def test_names_and_suffixes_match_the_platform_packages():
    loaded = FORMATS.loaded()
    assert tuple(loaded) == ("native", *PLATFORM_NAMES)
    assert tuple(FORMATS) == tuple(loaded)
    assert tuple(sorted({s for fmt in loaded.values() for s in fmt.suffixes})) == MENU_SUFFIXES


def test_a_native_menu_is_read_without_importing_any_platform():
    code = (
        "import sys, ivraudit\n"
        "ivraudit.audit(ivraudit.load('menus/bank.yaml'))\n"
        "print(sorted(m for m in sys.modules if m.startswith('ivraudit.formats.')))\n"
    )
    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "ivraudit.formats.twilio" not in done.stdout
    assert "ivraudit.formats.asterisk" not in done.stdout
    assert "ivraudit.formats.native" in done.stdout


def test_a_directory_walk_lists_no_link_to_a_file_outside_it(tmp_path):
    from ivraudit.formats import menu_files

    (tmp_path / "menus").mkdir()
    (tmp_path / "outside.conf").write_text("[secret]\n")
    (tmp_path / "menus" / "main.yaml").write_text("ivraudit: 1\n")
    (tmp_path / "menus" / "link.conf").symlink_to(tmp_path / "outside.conf")
    (tmp_path / "menus" / "alias.yaml").symlink_to(tmp_path / "menus" / "main.yaml")
    found = menu_files([str(tmp_path / "menus")])
    # the alias of main.yaml inside the directory is the same file, listed once
    assert [p.rsplit("/", 1)[-1] for p in found] == ["alias.yaml"]
