"""The JSON Schema is generated from the models and accepts every example menu."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from ivraudit.model.menu import menu_json_schema
from tests.conftest import MENUS


def _menus():
    return sorted(p for p in MENUS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


@pytest.mark.parametrize("path", _menus(), ids=lambda p: p.name)
def test_example_menu_validates_against_schema(path):
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    jsonschema.validate(data, menu_json_schema())


def test_schema_rejects_what_the_loader_rejects():
    schema = menu_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    bad = {"ivraudit": 1, "nodes": {"a": {"type": "menu", "sya": "x"}}}
    assert not validator.is_valid(bad)
    assert not validator.is_valid({"ivraudit": 2, "nodes": {}})
    assert validator.is_valid({"ivraudit": 1, "nodes": {"a": {"type": "hangup"}}})


def test_there_are_at_least_four_example_menus():
    assert len(_menus()) >= 4
