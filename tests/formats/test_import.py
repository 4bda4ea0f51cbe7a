"""`ivraudit import`: every readable corpus file converts to native YAML that loads
back to the same graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit import MenuError, load_all, loads, to_graph
from ivraudit.cli import main
from ivraudit.formats.native import export
from tests.conftest import CORPUS, MENUS


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")


def shape(menu):
    graph = to_graph(menu)
    nodes = sorted((node, data["kind"]) for node, data in graph.nodes(data=True))
    edges = sorted((u, v, d["via"], d["key"]) for u, v, d in graph.edges(data=True))
    return nodes, edges


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.name)
def test_corpus_file_round_trips_through_the_native_format(corpus, path, tmp_path):
    try:
        menus = load_all(path)
    except MenuError:
        pytest.skip("not a readable menu (the importer tests say why)")
    for number, menu in enumerate(menus):
        folder = tmp_path / f"flow{number}"
        folder.mkdir()
        for name, text in export(menu, "imported").items():
            (folder / name).write_text(text, encoding="utf-8")
        again = load_all(folder / "imported.yaml")[0]
        assert shape(again) == shape(menu)


def test_import_command(tmp_path):
    out = tmp_path / "bank-copy.yaml"
    result = CliRunner().invoke(main, ["import", str(MENUS / "bank.yaml"), "-o", str(out)])
    assert result.exit_code == 0
    assert result.stderr == f"ivraudit: wrote {out} (17 nodes)\n"
    assert shape(loads(out.read_text(), name="x.yaml")) == shape(load_all(MENUS / "bank.yaml")[0])
    printed = CliRunner().invoke(main, ["import", str(MENUS / "bank.yaml")])
    assert printed.stdout.startswith("ivraudit: 1\nid: acme-bank\n")


def test_import_to_dash_prints_and_writes_no_file(tmp_path, monkeypatch):
    # '-o -' is stdout, as for check and diagram: not a file named '-.yaml'.
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(main, ["import", str(MENUS / "bank.yaml"), "-o", "-"])
    assert printed.exit_code == 0
    assert printed.stdout.startswith("ivraudit: 1\nid: acme-bank\n")
    assert list(tmp_path.iterdir()) == []


def test_import_never_overwrites_its_input_or_writes_nowhere(tmp_path):
    menu = tmp_path / "bank.yaml"
    menu.write_bytes((MENUS / "bank.yaml").read_bytes())
    same = CliRunner().invoke(main, ["import", str(menu), "-o", str(menu)])
    assert same.exit_code == 2
    assert same.stderr == (
        f"ivraudit: error: {menu} is the file being imported: choose another output\n"
    )
    assert menu.read_bytes() == (MENUS / "bank.yaml").read_bytes()
    nowhere = tmp_path / "missing" / "out.yaml"
    missing = CliRunner().invoke(main, ["import", str(menu), "-o", str(nowhere)])
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"ivraudit: error: cannot write {nowhere}: the directory {nowhere.parent} does not exist\n"
    )


def test_import_of_a_bad_file_exits_two(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = CliRunner().invoke(main, ["import", str(bad), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2
    assert not (tmp_path / "out.yaml").exists()
