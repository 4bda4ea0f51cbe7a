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


# -- issue 15, any bytes -----------------------------------------------------------------------

STUDIO = {
    "description": "Help line",
    "initial_state": "Trigger",
    "flags": {"allow_concurrent_calls": True},
    "states": [
        {
            "name": "Trigger",
            "type": "trigger",
            "transitions": [{"event": "incomingCall", "next": "greeting"}],
            "properties": {},
        },
        {
            "name": "greeting",
            "type": "say-play",
            "transitions": [{"event": "audioComplete", "next": "agent"}],
            "properties": {"say": "Welcome SAY_TEXT"},
        },
        {
            "name": "agent",
            "type": "connect-call-to",
            "transitions": [{"event": "callCompleted"}],
            "properties": {"noun": "number", "to": "+15550100"},
        },
    ],
}


def _studio(say: str) -> str:
    """The Studio flow above as text, the greeting's ``say`` written as given (raw JSON)."""
    return json.dumps(STUDIO, indent=2).replace('"Welcome SAY_TEXT"', say)


def _valid_utf8(text: str) -> None:
    text.encode("utf-8")  # a lone surrogate would raise here


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html", "junit", "markdown"])
def test_a_lone_surrogate_escape_becomes_a_replacement_character(tmp_path, fmt):
    """Fuzz class 1: '\\ud800' in JSON made every report die with UnicodeEncodeError."""
    path = tmp_path / "flow.json"
    path.write_text(_studio('"Hello \\ud800 and \\udc00 world \\ud83d\\ude00"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "-f", fmt])
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.stderr
    _valid_utf8(result.output)
    say = ivraudit.load(path).nodes["greeting"].say
    assert say == "Hello \ufffd and \ufffd world \U0001f600"


def test_a_lone_surrogate_in_a_name_is_replaced_where_it_is_written(tmp_path):
    text = _studio('"Welcome"').replace('"greeting"', '"gre\\udfffeting"')
    menu = loads(text, name="flow.json")
    assert "gre\ufffdeting" in menu.nodes
    assert menu.locate("nodes", "gre\ufffdeting").line == 19  # positions do not move


def test_import_of_a_lone_surrogate_round_trips(tmp_path):
    source = tmp_path / "flow.json"
    source.write_text(_studio('"Hello \\ud800"'), encoding="utf-8")
    target = tmp_path / "flow.yaml"
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert ivraudit.load(target).nodes["greeting"].say == "Hello \ufffd"
    checked = CliRunner().invoke(main, ["check", str(target)])
    assert checked.exit_code == CliRunner().invoke(main, ["check", str(source)]).exit_code == 0


def test_a_lone_surrogate_in_a_native_json_key_and_a_yaml_escape():
    menu = loads('{"ivraudit": 1, "start": "\\ud800", "nodes": {"\\ud800": {"type": "say"}}}')
    assert list(menu.nodes) == ["\ufffd"] and menu.start == "\ufffd"
    with pytest.raises(MenuError) as caught:  # libyaml refuses the escape: say so plainly
        loads('ivraudit: 1\nstart: a\nnodes:\n  a: {type: say, say: "x \\ud800"}\n', name="m.yaml")
    assert str(caught.value) == (
        "m.yaml:4:28: invalid YAML: this escape is not a character (half of a surrogate pair, "
        "or past U+10FFFF) (write the character itself, or '\\U' and its code point in 8 digits)"
    )


VOICEXML = '<vxml version="2.1"><form><block><prompt>hello</prompt></block></form></vxml>\n'


@pytest.mark.parametrize(
    ("encoding", "why"),
    [
        ("punycode", "which XML parsers do not read"),  # was an internal UnicodeError
        ("idna", "which XML parsers do not read"),  # Python-only: was accepted
        ("utf-7", "which XML parsers do not read"),  # Python-only: was accepted
        ("euc-jp", "which XML parsers do not read"),  # multi-byte: expat refuses it
        ("cp037", "which XML parsers do not read"),  # EBCDIC: expat refuses it
        ("rot13", "which XML parsers do not read"),  # not a text encoding at all
        ("utf-16", "but the file is not saved in it"),
    ],
)
def test_xml_declarations_name_only_encodings_an_xml_parser_reads(tmp_path, encoding, why):
    """Fuzz class 2: a clear error at line 1 for what expat would refuse, never a crash."""
    path = tmp_path / "app.vxml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>\n{VOICEXML}'.encode("ascii"))
    result = CliRunner().invoke(main, ["check", str(path), "-f", "json"])
    assert result.exit_code == 2
    assert "internal error" not in result.stderr
    assert (
        f"{path}:1:1: the XML declaration names encoding '{encoding}', {why} (save the file "
        'as UTF-8 and declare encoding="UTF-8"'
    ) in result.stderr
    json.loads(result.stdout)


def test_an_unknown_xml_encoding_is_named(tmp_path):
    path = tmp_path / "app.vxml"
    path.write_bytes(f'<?xml version="1.0" encoding="klingon"?>\n{VOICEXML}'.encode("ascii"))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1:1: unknown encoding 'klingon' in the XML declaration" in result.stderr
    with pytest.raises(MenuError, match="unknown encoding 'klingon'"):  # menu text too
        loads(f'<?xml version="1.0" encoding="klingon"?>\n{VOICEXML}', name="a.vxml")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "latin-1", "windows-1252", "KOI8-R", "ascii"])
def test_xml_encodings_expat_reads_are_read(tmp_path, encoding):
    path = tmp_path / "app.vxml"
    body = VOICEXML.replace("hello", "caf\u00e9" if encoding != "KOI8-R" else "\u0434\u0430")
    if encoding == "ascii":
        body = VOICEXML
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>\n{body}'.encode(encoding))
    result = CliRunner().invoke(main, ["check", str(path), "-f", "json"])
    assert result.exit_code in (0, 1), result.output


# -- duplicate keys: platforms keep the last value and say so (ST004) --------------------------

CONNECT = """{
  "Version": "2019-10-30",
  "StartAction": "hello",
  "Actions": [
    {
      "Identifier": "hello",
      "Type": "MessageParticipant",
      "Parameters": {"Text": "Old words nobody hears", "Text": "Thanks for calling"},
      "Transitions": {"NextAction": "bye"}
    },
    {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
  ]
}
"""


def _st004(path) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(path), "-f", "json", "--select", "ST004"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)["findings"]


def test_a_twilio_flow_with_a_duplicate_key_is_audited_with_its_last_value(tmp_path):
    """As a production Studio flow exported through Terraform: the platform keeps the last."""
    path = tmp_path / "flow.json"
    text = _studio('"Old greeting",\n        "say": "Welcome to the help line"')
    path.write_text(text, encoding="utf-8")
    assert ivraudit.load(path).nodes["greeting"].say == "Welcome to the help line"
    [finding] = _st004(path)
    assert (finding["line"], finding["column"]) == (30, 9)
    assert finding["message"] == (
        "key 'say' is written twice in one object (first at line 29): the platform keeps "
        "this last value and ignores the first"
    )


def test_a_connect_flow_with_a_duplicate_key_is_audited_with_its_last_value(tmp_path):
    path = tmp_path / "flow.json"
    path.write_text(CONNECT, encoding="utf-8")
    assert ivraudit.load(path).nodes[ivraudit.load(path).start].say == "Thanks for calling"
    [finding] = _st004(path)
    assert (finding["line"], finding["column"]) == (8, 56)
    assert "key 'Text' is written twice in one object (first at line 8)" in finding["message"]


def test_a_duplicate_key_in_an_embedded_connect_flow_points_into_the_outer_file(tmp_path):
    path = tmp_path / "describe.json"
    wrapper = {"ContactFlow": {"Name": "Main", "Type": "CONTACT_FLOW", "Content": CONNECT}}
    path.write_text(json.dumps(wrapper, indent=2), encoding="utf-8")
    [finding] = _st004(path)
    assert finding["line"] == 5  # the Content string's line in describe.json
    assert "key 'Text' is written twice" in finding["message"]


def test_a_native_json_menu_still_refuses_a_duplicate_key():
    with pytest.raises(MenuError, match=r"m\.json:1:63: duplicate key 'a' \(remove or rename"):
        loads(
            '{"ivraudit": 1, "start": "a", "nodes": {"a": {"type": "say"}, "a": {}}}', name="m.json"
        )


# -- nothing outside the root is read -----------------------------------------------------------

SECRET = "TOPSECRET"
SECRET_FILES = {
    "secret.vxml": '<?xml version="1.0"?>\n<vxml version="2.1"><form id="f"><block><prompt>'
    f"{SECRET} prompt</prompt></block></form></vxml>\n",
    "secret.yaml": f'ivraudit: 1\nstart: s\nnodes:\n  s: {{type: say, say: "{SECRET} say"}}\n',
    "secret.xml": f'<include>\n  <menu name="side" greet-long="say:{SECRET}" '
    'invalid-sound="x" exit-sound="y" max-failures="3" timeout="1000"/>\n</include>\n',
    "secret.txt": f"{SECRET} line one\n[{SECRET}]\nexten => s,1,Hangup()\n",
}
FREESWITCH = """<configuration name="ivr.conf" description="IVR menus">
  <menus>
    <X-PRE-PROCESS cmd="include" data="REFERENCE"/>
    <menu name="main" greet-long="say:hello" invalid-sound="x" exit-sound="y" timeout="1000"
          max-failures="3">
      <entry action="menu-exec-app" digits="1" param="transfer 1000 XML default"/>
      <entry action="menu-sub" digits="2" param="side"/>
    </menu>
  </menus>
</configuration>
"""
VXML_REFERENCES = {
    "goto": '<form id="m"><block><prompt>hello</prompt><goto next="REFERENCE"/></block></form>',
    "submit": '<form id="m"><block><prompt>hello</prompt><submit next="REFERENCE"/></block></form>',
    "subdialog": '<form id="m"><subdialog name="s" src="REFERENCE"/><block><prompt>after</prompt>'
    "</block></form>",
}
NATIVE_SUBFLOW = (
    'ivraudit: 1\nstart: a\nnodes:\n  a: {type: subflow, menu: "REFERENCE", next: bye}\n'
    "  bye: {type: hangup, reason: completed}\n"
)


def _reference_cases():
    for kind, element in VXML_REFERENCES.items():
        vxml = f'<?xml version="1.0"?>\n<vxml version="2.1">{element}</vxml>\n'
        for reference in (
            "{outside}/secret.vxml",
            "../secret.vxml",
            "file://{outside}/secret.vxml",
            "link.vxml",
            "../secret.txt",
        ):
            yield pytest.param("menu.vxml", vxml, reference, id=f"vxml-{kind}-{reference}")
    for reference in ("{outside}/secret.xml", "../secret.xml", "../*.xml", "../secret.txt"):
        yield pytest.param("ivr.xml", FREESWITCH, reference, id=f"freeswitch-{reference}")
    for reference in ("{outside}/secret.yaml", "../secret.yaml", "link.yaml", "../secret.txt"):
        yield pytest.param("menu.yaml", NATIVE_SUBFLOW, reference, id=f"subflow-{reference}")


def _estate_beside_secrets(tmp_path, name, text, reference):
    """``tmp_path/root/name`` refers to ``reference``; the secrets lie outside root/."""
    for secret, content in SECRET_FILES.items():
        (tmp_path / secret).write_text(content, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    if reference.startswith("link."):  # a link inside the root to a file outside it
        (root / reference).symlink_to(tmp_path / ("secret" + reference[4:]))
    menu = root / name
    menu.write_text(text.replace("REFERENCE", reference.format(outside=tmp_path)), "utf-8")
    return menu


@pytest.mark.parametrize(("name", "text", "reference"), list(_reference_cases()))
def test_no_file_outside_the_root_is_read(tmp_path, monkeypatch, name, text, reference):
    """Fuzz classes 6-7: nothing of a file outside the root reaches any output."""
    menu = _estate_beside_secrets(tmp_path, name, text, reference)
    monkeypatch.chdir(tmp_path / "root")
    runner = CliRunner()
    runs = [["check", str(menu), "-f", fmt] for fmt in ("text", "json", "sarif")]
    runs += [["check", name, "--unknowns"], ["import", str(menu)]]
    if not reference.startswith("link."):  # a directory walk lists the link itself: below
        runs.append(["check", "."])
    for args in runs:
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "internal error" not in result.stderr, (args, result.stderr)
        assert SECRET not in result.output, (args, result.output)
        if "json" in args or "sarif" in args:
            json.loads(result.stdout)
    if name == "menu.yaml":  # a native subflow outside the root is refused, saying so
        result = runner.invoke(main, ["check", name])
        assert result.exit_code == 2
        assert "the root of the files given; nothing outside it is read" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "reference"),
    [
        pytest.param("menu.vxml", VXML_REFERENCES["subdialog"], "secret.vxml", id="subdialog"),
        pytest.param("menu.yaml", NATIVE_SUBFLOW, "secret.yaml", id="subflow"),
    ],
)
def test_the_same_reference_inside_the_root_is_read(tmp_path, name, text, reference):
    """The control for the test above: inside the root, the referenced file is read."""
    if name == "menu.vxml":
        text = f'<?xml version="1.0"?>\n<vxml version="2.1">{text}</vxml>\n'
    menu = _estate_beside_secrets(tmp_path, name, text, reference)
    (menu.parent / reference).write_text(SECRET_FILES[reference], encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(menu), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code in (0, 1, 2)
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(main, ["import", str(menu), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code == 0, result.output
    written = "".join(path.read_text("utf-8") for path in (tmp_path / "out").iterdir())
    assert SECRET in written


def test_a_directory_walk_skips_links_that_leave_the_root(tmp_path, monkeypatch):
    _estate_beside_secrets(tmp_path, "menu.yaml", NATIVE_SUBFLOW, "link.yaml")
    monkeypatch.chdir(tmp_path / "root")
    result = CliRunner().invoke(main, ["check", ".", "-f", "json"])
    assert SECRET not in result.output


def test_menu_text_reads_no_subflow_outside_where_it_is_read(tmp_path, monkeypatch):
    (tmp_path / "secret.yaml").write_text("ivraudit: 1\nstart: s\nnodes: {s: {type: return}}\n")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    text = (
        "ivraudit: 1\nstart: a\nnodes:\n"
        f"  a: {{type: subflow, menu: {tmp_path / 'secret.yaml'}, next: b}}\n"
        "  b: {type: hangup, reason: completed}\n"
    )
    with pytest.raises(MenuError) as raised:
        loads(text)
    assert "is outside" in raised.value.message
    assert raised.value.line == 4


def test_bytes_that_are_not_the_declared_encoding_are_named_where_they_are(tmp_path):
    path = tmp_path / "a.vxml"
    path.write_bytes(b'<?xml version="1.0" encoding="us-ascii"?>\n<vxml>\xe9</vxml>\n')
    with pytest.raises(MenuError) as raised:
        load(path)
    error = raised.value
    assert (error.line, error.column) == (2, 7)
    assert error.message == "file is not valid us-ascii (byte 0xe9)"
    assert error.hint == "fix the bytes or the encoding the XML declaration names"
