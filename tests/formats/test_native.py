"""The native loader: every kind of bad input is one exact, positioned MenuError."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivraudit import MenuError, load, loads
from ivraudit.model.menu import AskNode, MenuNode

GOOD = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    say: For sales press 1.
    options: {1: sales, "*": main}
    no_input: main
    no_match: main
  sales: {type: transfer, target: "queue:sales"}
"""

BAD_TEXT = [
    pytest.param(
        "unknown.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n    sya: hello\n",
        "unknown.yaml:6:5: unknown field 'sya' in node 'main' (did you mean 'say'?)",
        id="unknown-field",
    ),
    pytest.param(
        "unknown.json",
        '{"ivraudit": 1, "start": "a",\n "nodes": {"a": {"type": "say", "nxt": "b"}}}',
        "unknown.json:2:33: unknown field 'nxt' in node 'a' (did you mean 'next'?)",
        id="unknown-field-json",
    ),
    pytest.param(
        "top.yaml",
        "ivraudit: 1\nstrat: main\nnodes:\n  main: {type: say}\n",
        "top.yaml:2:1: unknown field 'strat' in the menu (did you mean 'start'?)",
        id="unknown-top-level-field",
    ),
    pytest.param(
        "dup.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n  main:\n    type: say\n",
        "dup.yaml:6:3: duplicate key 'main' (first at line 4) (remove or rename one of them)",
        id="duplicate-key-yaml",
    ),
    pytest.param(
        "dup.json",
        '{"ivraudit": 1, "start": "a",\n "nodes": {"a": {"type": "say"}, "a": {"type": "say"}}}',
        "dup.json:2:34: duplicate key 'a' (remove or rename one of them)",
        id="duplicate-key-json",
    ),
    pytest.param(
        "type.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menuu\n",
        # At the bad value, with the types to choose from (issue 16, problem 13).
        "type.yaml:5:11: node 'main' has unknown type 'menuu' (did you mean 'menu'? known "
        "types: action, ask, branch, callback, hangup, hours, menu, return, say, subflow, "
        "transfer, unknown, voicemail)",
        id="unknown-node-type",
    ),
    pytest.param(
        "notype.yaml",
        "ivraudit: 1\nstart: a\nnodes:\n  a:\n    say: hi\n",
        "notype.yaml:4:3: node 'a' has no 'type' (add type: one of action, ask, branch, "
        "callback, hangup, hours, menu, return, say, subflow, transfer, unknown, voicemail)",
        id="missing-node-type",
    ),
    pytest.param(
        "wrong.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n    retries: three\n",
        "wrong.yaml:6:5: field 'retries' of node 'main' must be a whole number, got 'three'",
        id="wrong-value-type",
    ),
    pytest.param(
        "list.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n    options: [a, b]\n",
        "list.yaml:6:5: field 'options' of node 'main' must be a mapping of names to values, "
        "got a list",
        id="wrong-container-type",
    ),
    pytest.param(
        "key.yaml",
        'ivraudit: 1\nstart: main\nnodes:\n  main:\n    type: menu\n    options: {"1x": a}\n',
        "key.yaml:6:15: option key '1x' in node 'main' is not a phone key (use digits, '*' or "
        "'#' (quoted in YAML), or a /regular expression/)",
        id="bad-dtmf-key",
    ),
    pytest.param(
        "reason.yaml",
        "ivraudit: 1\nstart: a\nnodes:\n  a: {type: hangup, reason: done}\n",
        "reason.yaml:4:29: field 'reason' of node 'a' must be one of 'completed', 'closed', "
        "'error' or 'unavailable', got 'done'",
        id="bad-choice",
    ),
    pytest.param(
        "audit.yaml",
        "ivraudit: 1\nstart: a\nnodes:\n  a: {type: say, audit: {ignor: [X]}}\n",
        "audit.yaml:4:26: unknown field 'ignor' in 'audit' of node 'a' (did you mean 'ignore'?)",
        id="nested-unknown-field",
    ),
    pytest.param(
        "case.yaml",
        "ivraudit: 1\nstart: a\nnodes:\n  a:\n    type: branch\n    cases:\n"
        "      - {when: x, nxt: b}\n",
        # The missing 'next' is the same typo: reported once.
        "case.yaml:7:19: unknown field 'nxt' in case 1 of node 'a' (did you mean 'next'?)",
        id="unknown-field-in-case",
    ),
    pytest.param(
        "syntax.yaml",
        "ivraudit: 1\nstart: main\nnodes:\n  main: [\n",
        "syntax.yaml:4:9: invalid YAML: this '[' is not closed (close it with ']')",
        id="yaml-syntax",
    ),
    pytest.param(
        "tabs.yaml",
        "ivraudit: 1\nnodes:\n\tmain: {type: say}\n",
        "tabs.yaml:3:1: invalid YAML: a tab where YAML needs spaces (indent with spaces)",
        id="yaml-tabs",
    ),
    pytest.param(
        "syntax.json",
        '{"ivraudit": 1, "start": "a",\n "nodes": {"a": {"type": "say", }}}',
        "syntax.json:2:33: invalid JSON: Expecting property name enclosed in double quotes",
        id="json-syntax",
    ),
    pytest.param(
        "version.yaml",
        "ivraudit: 2\nnodes: {}\n",
        "version.yaml:1:1: unsupported format version 2 (this ivraudit reads 'ivraudit: 1')",
        id="wrong-version",
    ),
    pytest.param(
        "nonodes.yaml",
        "ivraudit: 1\nstart: a\n",
        "nonodes.yaml:1:1: the menu has no 'nodes' (add 'nodes:' with at least one node)",
        id="no-nodes",
    ),
    pytest.param(
        "python.yaml",
        'ivraudit: 1\nstart: a\nnodes:\n  a: !!python/object/apply:os.system ["ls"]\n',
        "python.yaml:4:6: YAML tag '!!python/object/apply:os.system' is not allowed "
        "(menus are plain data; remove the tag)",
        id="python-tag",
    ),
    pytest.param(
        "custom.yaml",
        "ivraudit: 1\nstart: a\nnodes:\n  a: {type: say, say: !Sub hello}\n",
        "custom.yaml:4:23: YAML tag '!Sub' is not allowed (remove the tag)",
        id="custom-tag",
    ),
    pytest.param(
        "two.yaml",
        "ivraudit: 1\nnodes: {}\n---\nivraudit: 1\n",
        "two.yaml:3:1: more than one YAML document in the file (keep one menu per file)",
        id="two-documents",
    ),
    pytest.param(
        "other.yaml",
        "name: my-app\nversion: 2\n",
        "other.yaml:1:1: not a menu: no format recognises a document with keys name, version "
        "(an ivraudit menu starts with 'ivraudit: 1'; also read: ",
        id="not-a-menu",
    ),
    pytest.param(
        "scalar.yaml",
        "just some words\n",
        "scalar.yaml:1:1: not a menu in any supported format (read: ",
        id="not-a-mapping",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_TEXT)
def test_bad_text_is_one_positioned_error(tmp_path: Path, name: str, text: str, expected: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MenuError) as caught:
        load(path)
    message = str(caught.value).replace(str(tmp_path) + "/", "")
    if expected.endswith(("also read: ", "(read: ")):
        assert message.startswith(expected)
    else:
        assert message == expected


# -- issue 16: every problem of a file, and YAML syntax said plainly --------------------------

TWO_TYPOS = """\
ivraudit: 1
start: main
nodes:
  main:
    type: menu
    sya: Press 1.
    options: {"1": bye}
    retries: three
  bye: {type: hangup, reason: eror}
  other: {type: menuu, say: hi}
"""

EVERY_PROBLEM = [
    "two.yaml:6:5: unknown field 'sya' in node 'main' (did you mean 'say'?)",
    "two.yaml:8:5: field 'retries' of node 'main' must be a whole number, got 'three'",
    "two.yaml:9:31: field 'reason' of node 'bye' must be one of 'completed', 'closed', "
    "'error' or 'unavailable', got 'eror' (did you mean 'error'?)",
    "two.yaml:10:17: node 'other' has unknown type 'menuu' (did you mean 'menu'? known types: "
    "action, ask, branch, callback, hangup, hours, menu, return, say, subflow, transfer, "
    "unknown, voicemail)",
]


def test_every_problem_of_a_file_is_reported_in_file_order():
    # Problem 6: not the first problem and "3 more problems in this file".
    with pytest.raises(MenuError) as caught:
        loads(TWO_TYPOS, name="two.yaml")
    error = caught.value
    assert str(error).splitlines() == EVERY_PROBLEM
    assert [problem.headline for problem in error.problems] == EVERY_PROBLEM
    assert (error.line, error.column, error.hint) == (6, 5, "did you mean 'say'?")


def test_every_problem_of_a_json_file_is_reported():
    text = (
        '{"ivraudit": 1, "start": "a",\n "nodes": {"a": {"type": "say", "nxt": "b"},\n'
        '  "b": {"type": "hangup", "reason": "eror"}}}'
    )
    with pytest.raises(MenuError) as caught:
        loads(text, name="two.json")
    assert str(caught.value).splitlines() == [
        "two.json:2:33: unknown field 'nxt' in node 'a' (did you mean 'next'?)",
        "two.json:3:37: field 'reason' of node 'b' must be one of 'completed', 'closed', "
        "'error' or 'unavailable', got 'eror' (did you mean 'error'?)",
    ]


def test_every_problem_survives_a_worker_process():
    import pickle

    with pytest.raises(MenuError) as caught:
        loads(TWO_TYPOS, name="two.yaml")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)
    assert len(again.problems) == 4


def test_cli_prints_every_problem(tmp_path: Path):
    from click.testing import CliRunner

    from ivraudit.cli import main

    (tmp_path / "two.yaml").write_text(TWO_TYPOS, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "two.yaml")])
    assert result.exit_code == 2
    prefix = f"{tmp_path}/"
    assert result.stderr == "".join(f"{prefix}{line}\n" for line in EVERY_PROBLEM)


YAML_SYNTAX = [
    pytest.param(
        "ivraudit: 1\nnodes:\n  main: {type: menu, say: Press 1., options: {'1': bye}\n"
        "  bye: {type: hangup}\n",
        "bad.yaml:3:9: invalid YAML: this '{' is not closed: expected ',' or '}' at line 4, "
        "column 3, found 'bye' (close it with '}', and separate its entries with ', ')",
        id="unclosed-brace-at-its-opening",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  bye: {type: transfer, target: q, passes: [pin, name}\n",
        "bad.yaml:3:44: invalid YAML: this '[' is not closed: expected ',' or ']' at line 3, "
        "column 54, found '}' (close it with ']', and separate its entries with ', ')",
        id="unclosed-bracket",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  main:\n    type: say\n    say: Note: press 1.\n",
        "bad.yaml:5:14: invalid YAML: ': ' inside text that is not quoted "
        "(quote the text that contains ': ')",
        id="colon-in-text",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  main:\n    type: say\n     say: hello\n",
        "bad.yaml:5:9: invalid YAML: this line is indented more than the keys of its mapping "
        "(line up the keys of one mapping with spaces)",
        id="over-indented-key",
    ),
    pytest.param(
        'ivraudit: 1\nnodes:\n  main:\n    type: say\n    say: "hello\n    next: main\n'
        '  b: {type: say, say: "x"}\n',
        "bad.yaml:5:10: invalid YAML: this quote is not closed on its line "
        '(end the text with " on the same line)',
        id="unclosed-quote",
    ),
    pytest.param(
        'ivraudit: 1\nnodes:\n  main: {type: say, say: "hello}\n',
        'bad.yaml:3:26: invalid YAML: this quote is never closed (end the text with ")',
        id="quote-never-closed",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  main: {type: menu, options: {*: main}}\n",
        "bad.yaml:3:32: invalid YAML: '*' starts a YAML alias or anchor here (quote it: \"*\")",
        id="unquoted-star-key",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  main: {type: menu, options: {#: main}}\n",
        "bad.yaml:3:31: invalid YAML: this '{' is not closed (close it with '}'; '#' starts a "
        'comment, so quote it: "#")',
        id="unquoted-hash-key",
    ),
    pytest.param(
        "ivraudit: 1\nnodes:\n  main: {type: say, say: @home}\n",
        "bad.yaml:3:26: invalid YAML: text cannot start with '@' unless it is quoted "
        "(quote the text)",
        id="reserved-first-character",
    ),
]


@pytest.mark.parametrize(("text", "expected"), YAML_SYNTAX)
def test_yaml_syntax_errors_say_where_to_fix_and_how(text: str, expected: str):
    # Problem 13: not PyYAML's text at the place it gave up.
    with pytest.raises(MenuError) as caught:
        loads(text, name="bad.yaml")
    assert str(caught.value) == expected


BAD_BYTES = [
    pytest.param(
        b"",
        "empty.yaml:1:1: file is empty (a menu needs at least 'ivraudit: 1' and nodes)",
        id="empty",
    ),
    pytest.param(
        b"  \n\n",
        "empty.yaml:1:1: file is empty (a menu needs at least 'ivraudit: 1' and nodes)",
        id="blank",
    ),
    pytest.param(
        b"ivraudit: 1\n\x00\x01\x02",
        "empty.yaml:2:1: file is binary (NUL byte), not a menu",
        id="binary",
    ),
    pytest.param(
        b"ivraudit: 1\nsay: caf\xe9\n",
        "empty.yaml:2:9: file is not valid UTF-8 (byte 0xe9) (save it as UTF-8)",
        id="latin-1",
    ),
    pytest.param(
        "ivraudit: 1".encode("utf-16"),
        "empty.yaml:1:1: file is UTF-16 encoded (save it as UTF-8)",
        id="utf-16",
    ),
]


@pytest.mark.parametrize(("data", "expected"), BAD_BYTES)
def test_bad_bytes_are_one_positioned_error(tmp_path: Path, data: bytes, expected: str):
    path = tmp_path / "empty.yaml"
    path.write_bytes(data)
    with pytest.raises(MenuError) as caught:
        load(path)
    assert str(caught.value).replace(str(tmp_path) + "/", "") == expected


def test_missing_file_and_directory(tmp_path: Path):
    with pytest.raises(MenuError, match=r"nope.yaml:1:1: cannot read file: No such file"):
        load(tmp_path / "nope.yaml")
    with pytest.raises(MenuError, match=r":1:1: is a directory, not a menu file"):
        load(tmp_path)


def test_size_limit_is_an_error_with_a_way_out(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(MenuError, match=r"over the 10-byte limit \(raise it with --max-bytes"):
        load(path, max_bytes=10)


def test_good_menu_loads_with_keys_as_text_and_positions():
    menu = loads(GOOD, name="good.yaml")
    main = menu.nodes["main"]
    assert isinstance(main, MenuNode)
    assert main.options == {"1": "sales", "*": "main"}
    assert str(menu.locate("nodes", "main")) == "good.yaml:4:3"
    assert str(menu.locate("nodes", "main", "options", "1")) == "good.yaml:7:15"
    assert str(menu.locate("nodes", "sales", "target")) == "good.yaml:10:27"
    assert str(menu.locate("nodes", "nowhere", "x")) == "good.yaml:3:1"


def test_json_positions_are_found():
    text = (
        '{\n  "ivraudit": 1,\n  "start": "a",\n  "nodes": {\n    "a": {"type": "ask", '
        '"say": "Your PIN?", "next": "b"},\n    "b": {"type": "hangup"}\n  }\n}\n'
    )
    menu = loads(text, name="m.json")
    assert isinstance(menu.nodes["a"], AskNode)
    assert str(menu.locate("nodes", "b")) == "m.json:6:5"
    assert str(menu.locate("nodes", "a", "next")) == "m.json:5:46"


def test_yaml_core_schema_not_yaml_1_1():
    menu = loads(
        "ivraudit: 1\nstart: no\nnodes:\n  no: {type: say, say: yes, next: on}\n"
        "  on: {type: hangup}\n"
    )
    assert menu.start == "no"
    assert sorted(menu.nodes) == ["no", "on"]
    assert menu.nodes["no"].say == "yes"


def test_alias_bomb_is_refused():
    lines = ["ivraudit: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("nodes: {}")
    with pytest.raises(MenuError, match="aliases expand to too many values"):
        loads("\n".join(lines) + "\n", name="bomb.yaml")


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(
        MenuError,
        match=r"deep\.yaml:2:\d+: (invalid YAML: )?nested too deeply \(more than 500 levels\)",
    ):
        loads("ivraudit: 1\nnodes: " + "[" * 5000 + "\n", name="deep.yaml")
    with pytest.raises(MenuError, match=r"deep\.json:1:1: "):
        loads('{"ivraudit": 1, "nodes": ' + "[" * 100000 + "]" * 100000 + "}", name="deep.json")


def test_text_versus_path():
    menu = load("ivraudit: 1\nstart: a\nnodes: {a: {type: hangup, reason: completed}}")
    assert menu.path == "<text>"
    with pytest.raises(MenuError, match="cannot read file"):
        load("no-such-menu.yaml")


def test_input_file_is_not_modified(tmp_path: Path):
    path = tmp_path / "menu.yaml"
    path.write_text(GOOD, encoding="utf-8")
    before = path.stat().st_mtime_ns, path.read_bytes()
    load(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_xml_declared_encoding_is_honoured():
    from ivraudit.formats._parse import decode

    latin = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<vxml>già</vxml>'.encode("latin-1")
    assert decode(latin, "a.vxml").endswith("<vxml>già</vxml>")
    with pytest.raises(MenuError, match=r"a.vxml:1:1: unknown encoding 'klingon'"):
        decode(b'<?xml version="1.0" encoding="klingon"?><vxml/>', "a.vxml")
    with pytest.raises(MenuError, match=r"a.xml:2:1: file is not valid UTF-8 \(byte 0xe0\)"):
        decode(b'<?xml version="1.0" encoding="UTF-8"?>\n\xe0', "a.xml")
