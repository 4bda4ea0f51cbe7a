"""Which names make a part a sample (a demo, test or example by its own name)."""

from __future__ import annotations

import pytest

from ivraudit.formats.samples import sample_kind
from ivraudit.model.menu import Menu
from ivraudit.model.names import name_words


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("demo_ivr", "demo"),
        ("new_demo_ivr", "demo"),
        ("VMXAWSTestFlow", "test"),
        ("holiday_routing_test", "test"),
        ("Sample Queue Configurations Flow", "sample"),
        ("remote-Sample", "sample"),
        ("ExampleFlow", "example"),
        ("main", None),
        ("Contest entries", None),
        ("LatestNews", None),
        ("attestation", None),
        ("demonstration_line", None),
        ("", None),
    ],
)
def test_a_sample_is_named_so_by_a_word_of_its_own(name, kind):
    menu = Menu.model_validate({"ivraudit": 1, "id": name or None, "nodes": {}})
    assert sample_kind(menu) == kind


def test_names_split_at_case_changes_and_separators():
    assert name_words("VMXAWSTestFlow") == ["vmxaws", "test", "flow"]
    assert name_words("kvs-StreamingFlow_2") == ["kvs", "streaming", "flow"]
