"""Hostile input: any bytes end as a Menu or a MenuError, never anything else.

Property tests (hypothesis) for the loaders, and one test per known attack.
"""

from __future__ import annotations

import hashlib
import json
import os
import string
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivraudit
from ivraudit import MenuError, load, loads, to_graph
from ivraudit.analysis.metrics import metrics
from ivraudit.cli import main
from ivraudit.reports import REPORTERS, render
from ivraudit.rules.engine import audit
from tests.conftest import MENUS

FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def survives(text_or_path) -> ivraudit.Menu | None:
    """Load; a Menu is audited and rendered, and nothing but MenuError may escape."""
    try:
        menus = ivraudit.load_all(text_or_path)
    except MenuError:
        return None
    for menu in menus:
        report = audit(menu)
        assert not [f for f in report.findings if f.rule == "AU002"], report.findings
        metrics(menu)
        for format in REPORTERS:
            render(report, format)
    return menus[0] if menus else None


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    for suffix in (".yaml", ".json", ".xml", ".conf", ".vxml", ""):
        path = folder / f"menu{suffix}"
        path.write_bytes(data)
        survives(path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@FAST
@given(JSON_VALUES)
def test_arbitrary_json_and_yaml_values(value):
    survives(json.dumps(value) + "\n")
    survives(yaml.safe_dump(value))
    if isinstance(value, dict):
        survives(json.dumps({"ivraudit": 1, **value}) + "\n")
        survives(json.dumps({"ivraudit": 1, "start": "a", "nodes": value}) + "\n")


EXAMPLES = [
    path.read_text(encoding="utf-8")
    for path in sorted(MENUS.iterdir())
    if path.suffix in (".yaml", ".json")
]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(EXAMPLES))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "garble", "indent", "swap"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "garble":
            junk = draw(st.text(alphabet=string.printable, max_size=8))
            cut = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:cut] + junk + lines[index][cut:]
        elif action == "indent":
            lines[index] = "  " + lines[index]
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "".join(lines)


@FAST
@given(mutated())
def test_mutated_example_menus(text):
    survives(text if "\n" in text else text + "\n")


TYPES = [
    "menu",
    "ask",
    "say",
    "branch",
    "hours",
    "transfer",
    "voicemail",
    "callback",
    "hangup",
    "action",
    "return",
]


@st.composite
def valid_menus(draw):
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
            min_size=1,
            max_size=25,
            unique=True,
        )
    )
    target = st.sampled_from([*names, "nowhere"])
    nodes = {}
    for name in names:
        kind = draw(st.sampled_from(TYPES))
        node: dict = {"type": kind}
        if draw(st.booleans()):
            node["say"] = draw(
                st.sampled_from(
                    [
                        "For billing press 1. For an adviser press 0.",
                        "Please enter your date of birth.",
                        "Sorry, we are not taking calls. Goodbye.",
                        "Your call is important to us.",
                        "",
                    ]
                )
            )
        if kind == "menu":
            node["options"] = draw(
                st.dictionaries(st.sampled_from(list("0123456789*#")), target, max_size=6)
            )
            if draw(st.booleans()):
                node["speech"] = draw(
                    st.dictionaries(st.sampled_from(["sales", "help"]), target, max_size=2)
                )
        if kind in ("menu", "ask"):
            for via in ("no_input", "no_match", "retries_exhausted"):
                if draw(st.booleans()):
                    node[via] = draw(target)
            if draw(st.booleans()):
                node["retries"] = draw(st.integers(0, 5))
        if kind == "ask":
            node["collects"] = draw(st.sampled_from(["account_number", "pin", "acct", "x"]))
        if kind in ("ask", "say", "action", "voicemail", "callback") and draw(st.booleans()):
            node["next"] = draw(target)
        if kind == "branch":
            node["cases"] = [
                {"when": "x", "next": draw(target)} for _ in range(draw(st.integers(0, 3)))
            ]
            if draw(st.booleans()):
                node["else"] = draw(target)
        if kind == "hours":
            for via in ("open", "closed", "holiday"):
                if draw(st.booleans()):
                    node[via] = draw(target)
        if kind == "transfer":
            node["human"] = draw(st.booleans())
            node["passes"] = draw(st.lists(st.sampled_from(["account_number", "pin"]), max_size=2))
            if draw(st.booleans()):
                node["fail"] = draw(target)
        if kind == "hangup" and draw(st.booleans()):
            node["reason"] = draw(st.sampled_from(["completed", "closed", "error", "unavailable"]))
        nodes[name] = node
    start = draw(st.sampled_from([*names, "missing_start"]))
    return {"ivraudit": 1, "start": start, "nodes": nodes}


@settings(max_examples=300, deadline=None)
@given(valid_menus())
def test_generated_valid_menus_load_build_and_audit(data):
    for text in (json.dumps(data) + "\n", yaml.safe_dump(data, sort_keys=False)):
        menu = loads(text)
        graph = to_graph(menu)
        assert set(menu.nodes) <= set(graph.nodes)
        report = audit(menu)
        assert not [f for f in report.findings if f.rule == "AU002"]
        for format in REPORTERS:
            render(report, format)
        metrics(menu)


# -- specific attacks --------------------------------------------------------------------------


def test_yaml_alias_bomb_fails_fast():
    lines = ["ivraudit: 1", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    with pytest.raises(MenuError, match="aliases expand to too many values"):
        loads("\n".join(lines) + "\nnodes: {}\n", name="bomb.yaml")


def test_yaml_python_object_tags_are_refused():
    for tag in (
        "!!python/object/apply:os.system ['true']",
        "!!python/name:os.system",
        "!!python/object/new:subprocess.Popen [['true']]",
    ):
        with pytest.raises(MenuError, match="is not allowed"):
            loads(f"ivraudit: 1\nstart: a\nnodes:\n  a: {tag}\n", name="evil.yaml")


XXE = """<?xml version="1.0"?>
<!DOCTYPE vxml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<vxml version="2.1"><form><block><prompt>&xxe;</prompt></block></form></vxml>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE vxml [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<vxml version="2.1"><form><block><prompt>&d;</prompt></block></form></vxml>
"""


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["external-entity", "entity-expansion"])
def test_xml_entities_are_refused(tmp_path, text):
    path = tmp_path / "evil.vxml"
    path.write_text(text)
    with pytest.raises(MenuError) as caught:
        load(path)
    assert "root:" not in str(caught.value)
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", '{"ivraudit": 1, "nodes": ' + "[" * 200_000 + "]" * 200_000 + "}"),
        ("deep.yaml", "ivraudit: 1\nnodes: " + "[" * 200_000 + "]" * 200_000 + "\n"),
        ("deep.xml", "<vxml>" + "<a>" * 100_000 + "</a>" * 100_000 + "</vxml>"),
    ],
)
def test_deep_nesting_is_an_error_not_a_crash(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(MenuError, match=r"nested|deep"):
        load(path)


def test_huge_file_is_refused_with_a_way_to_raise_the_limit(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # sparse: 100 MB without writing them
        handle.truncate(100 * 1024 * 1024)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:1:1: file is 104,857,600 bytes, over the 67,108,864-byte limit "
        "(raise it with --max-bytes or max_bytes in ivraudit.toml)\n"
    )


def test_symlink_loops_in_a_directory_end(tmp_path):
    (tmp_path / "menus").mkdir()
    (tmp_path / "menus" / "bank.yaml").write_text((MENUS / "bank.yaml").read_text())
    os.symlink(tmp_path / "menus", tmp_path / "menus" / "loop")
    os.symlink(tmp_path / "menus" / "bank.yaml", tmp_path / "menus" / "alias.yaml")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "menus")])
    assert result.exit_code == 0, result.output
    # the loop is not followed, and a file linked twice is audited once
    assert result.output.endswith("in 1 file.\n")


def test_names_with_spaces_and_unicode(tmp_path):
    folder = tmp_path / "menüs and more"
    folder.mkdir()
    path = folder / "Caisse d'épargne \u2013 menu.yaml"
    path.write_text((MENUS / "telecom-bad.yaml").read_text())
    result = CliRunner().invoke(
        main, ["check", str(folder), "--select", "ST002", "--no-witness", "-f", "github"]
    )
    assert result.exit_code == 1
    assert "file=" in result.output and "%3A" not in result.output.split("file=")[1][:5]


def _digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(path): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_input_files_are_never_modified_and_output_is_byte_identical(tmp_path, corpus):
    before = {**_digest(MENUS), **_digest(corpus)}
    runner = CliRunner()
    for format in REPORTERS:
        first = tmp_path / f"first.{format}"
        second = tmp_path / f"second.{format}"
        # A serial run and a run on two worker processes write the same bytes.
        for out, jobs in ((first, "1"), (second, "2")):
            runner.invoke(
                main, ["check", str(MENUS), str(corpus), "-f", format, "-o", str(out), "-j", jobs]
            )
        assert first.read_bytes() == second.read_bytes(), format
    assert {**_digest(MENUS), **_digest(corpus)} == before


def test_a_failing_render_never_leaves_a_partial_output_file(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    out.write_text("previous report\n")

    def broken(report, options):
        raise RuntimeError("disk full")

    monkeypatch.setitem(ivraudit.reports.REPORTERS, "json", broken)
    result = CliRunner().invoke(
        main, ["check", str(MENUS / "bank.yaml"), "-f", "json", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "internal error: RuntimeError: disk full" in result.stderr
    assert out.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_audit_frees_its_work_without_the_cyclic_collector():
    """The context and everything it built go when the last reference does: a cycle
    would keep a huge menu's graphs alive until the collector rescans them all."""
    import gc
    import weakref

    from ivraudit.analysis.context import AuditContext

    menu = load(MENUS / "telecom-bad.yaml")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        context = AuditContext(menu, ivraudit.Config())
        audit(menu, context=context)
        metrics(menu, context=context)
        gone = weakref.ref(context)
        del context
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
