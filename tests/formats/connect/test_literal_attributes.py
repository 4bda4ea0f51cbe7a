"""Check contact attributes on attributes the flow set to literals (issue 14, Connect).

Admin guide, Set contact attributes (a value set manually is a literal; set dynamically,
a JSONPath) and Check contact attributes (conditions checked in the order listed, no
case-insensitive comparison); flow language reference, UpdateContactAttributes, Compare.
"""

from __future__ import annotations

import json
from pathlib import Path

from ivraudit import load, loads
from ivraudit.rules.engine import audit
from tests.conftest import edges

HERE = Path(__file__).resolve().parent / "fixtures"


def _node(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, exclude_defaults=True, by_alias=True)


def test_compare_on_literals_set_upstream():
    menu = load(HERE / "literal-attributes.json")
    found = edges(menu)
    # 'Language' only ever sees 'en': 'es' never holds (MN008, at its condition; 'Menu
    # principal', which only it leads to, is that fault's), and 'en' is what is left
    assert [e for e in found if e[0] == "Language"] == [
        ("Language", "Main menu", "case", "1"),
        ("Language", "Main menu", "else", None),
    ]
    assert [case.get("never") for case in _node(menu, "Language")["cases"]] == [
        None,
        "$.Attributes.language is set to 'en' by Set contact attributes block 'Set language' "
        "(line 10) on every route here, and $.Attributes.language == 'es' does not hold for it",
    ]
    # 'Tier' sees 'gold' or 'silver': 'bronze' never holds (not a route: MN008 tells),
    # and No match is no route either.  Route by route: 'Set gold' goes on to 'Tier', read
    # for 'gold'; 'Set silver' to a copy decided for 'silver'.
    assert [e for e in found if e[0].startswith("Tier")] == [
        ("Tier", "Gold queue", "case", "1"),
        ("Tier", "Gold queue", "else", None),
        ("Tier (tier = silver)", "Silver queue", "next", None),
    ]
    assert ("Set silver", "Tier (tier = silver)", "next", None) in found
    never = [case.get("never") for case in _node(menu, "Tier")["cases"]]
    assert never == [
        None,
        "$.Attributes.tier is set to 'gold' by Set contact attributes block 'Set gold' "
        "(line 67) and 'silver' by Set contact attributes block 'Set silver' (line 76) on "
        "every route here, and $.Attributes.tier == 'bronze' does not hold for any of them",
    ]
    # 'VIP' sees what a Lambda function returned on one route: unchanged
    assert [e for e in found if e[0] == "VIP"] == [
        ("VIP", "Bronze queue", "case", "2"),
        ("VIP", "Gold queue", "case", "1"),
        ("VIP", "Silver queue", "else", None),
    ]
    assert [(f.rule, f.node, f.line) for f in audit(menu).findings] == [
        ("MN008", "Language", 27),
        ("DE005", "Main menu", 61),
        ("MN008", "Tier", 94),
        ("DE003", "End", 181),
    ]


def test_each_condition_one_literal_never_takes_is_reported_at_its_line():
    # 'Set tier' writes the literal 'silver' on the only route into 'Tier': 'gold' and
    # 'platinum' never hold, and 'starts with sil' never runs ('silver' takes it first).
    # One finding per condition, at its line; 'silver' is what is left.  'Gold' and
    # 'Platinum', which only those conditions lead to, are their faults (MN008 over ST002).
    menu = load(HERE / "literal-never.json")
    assert [e for e in edges(menu) if e[0] == "Tier"] == [
        ("Tier", "Silver", "case", "2"),
        ("Tier", "Silver", "else", None),
    ]
    told = (
        "$.Attributes.tier is set to 'silver' by Set contact attributes block 'Set tier' "
        "(line 10) on every route here, and "
    )
    assert [case.get("never") for case in _node(menu, "Tier")["cases"]] == [
        told + "$.Attributes.tier == 'gold' does not hold for it",
        None,
        told + "an earlier condition takes 'silver' first",
        told + "$.Attributes.tier == 'platinum' does not hold for it",
    ]
    assert [(f.rule, f.node, f.line) for f in audit(menu).findings] == [
        ("DP003", "Set tier", 10),
        ("MN008", "Tier", 38),
        ("MN008", "Tier", 56),
        ("MN008", "Tier", 65),
        ("DE003", "End", 133),
    ]


def test_the_same_check_on_a_value_set_dynamically_has_every_condition():
    menu = load(HERE / "literal-dynamic.json")
    assert [e for e in edges(menu) if e[0] == "Tier"] == [
        ("Tier", "Gold", "case", "1"),
        ("Tier", "Other", "else", None),
        ("Tier", "Platinum", "case", "4"),
        ("Tier", "Silver", "case", "2"),
        ("Tier", "Silver promo", "case", "3"),
    ]
    assert [(f.rule, f.node, f.line) for f in audit(menu).findings] == [
        ("DP003", "Set tier", 10),
        ("DE003", "End", 133),
    ]


def _flow(first: dict, compare_operator: str = "Equals") -> str:
    actions = [
        first,
        {
            "Identifier": "Check",
            "Type": "Compare",
            "Parameters": {"ComparisonValue": "$.Attributes.tier"},
            "Transitions": {
                "NextAction": "Other",
                "Conditions": [
                    {
                        "NextAction": "Gold",
                        "Condition": {"Operator": compare_operator, "Operands": ["gold"]},
                    }
                ],
                "Errors": [{"NextAction": "Other", "ErrorType": "NoMatchingCondition"}],
            },
        },
        {
            "Identifier": "Gold",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Gold."},
            "Transitions": {"NextAction": "End"},
        },
        {
            "Identifier": "Other",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Other."},
            "Transitions": {"NextAction": "End"},
        },
        {"Identifier": "End", "Type": "DisconnectParticipant", "Parameters": {}},
    ]
    return json.dumps(
        {"Version": "2019-10-30", "StartAction": first["Identifier"], "Actions": actions}
    )


def _set(value: str, error_to: str | None = None, target: str = "Current") -> dict:
    errors = [{"NextAction": error_to, "ErrorType": "NoMatchingError"}] if error_to else []
    return {
        "Identifier": "Set",
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"tier": value}, "TargetContact": target},
        "Transitions": {"NextAction": "Check", "Errors": errors},
    }


def test_what_is_not_a_literal_on_every_route_changes_nothing():
    def check(text: str) -> str:
        return loads(text, name="flow.json").nodes["Check"].type

    assert check(_flow(_set("gold"))) == "action"
    # 'silver' takes No match: the 'gold' condition stays, never holding (MN008)
    assert check(_flow(_set("silver"))) == "branch"
    # set dynamically, on the related contact, or the set failing into the check
    assert check(_flow(_set("$.External.tier"))) == "branch"
    assert check(_flow(_set("gold", target="Related"))) == "branch"
    assert check(_flow(_set("gold", error_to="Check"))) == "branch"
    # another case is another value (no case-insensitive comparison): No match, and the
    # 'gold' condition never holds (MN008), as for 'silver'
    gold = loads(_flow(_set("Gold")), name="flow.json").nodes["Check"]
    assert (gold.type, gold.else_, gold.cases[0].never is not None) == ("branch", "Other", True)
    # an operator ivraudit does not know
    assert check(_flow(_set("gold"), "SomethingNew")) == "branch"
    assert check(_flow(_set("golden"), "TextStartsWith")) == "action"
    # no Set contact attributes: the attribute comes from before the flow
    start = {
        "Identifier": "Hello",
        "Type": "MessageParticipant",
        "Parameters": {"Text": "Hi."},
        "Transitions": {"NextAction": "Check"},
    }
    assert check(_flow(start)) == "branch"


def test_older_export_check_attribute_on_a_set_attribute():
    flow = {
        "modules": [
            {
                "id": "set",
                "type": "SetAttributes",
                "branches": [{"condition": "Success", "transition": "check"}],
                "parameters": [
                    {"name": "Attribute", "key": "tier", "value": "gold", "namespace": None}
                ],
            },
            {
                "id": "check",
                "type": "CheckAttribute",
                "branches": [
                    {
                        "condition": "Evaluate",
                        "conditionType": "Equals",
                        "conditionValue": "gold",
                        "transition": "gold",
                    },
                    {"condition": "NoMatch", "transition": "other"},
                ],
                "parameters": [
                    {"name": "Attribute", "value": "tier"},
                    {"name": "Namespace", "value": "User Defined"},
                ],
            },
            {
                "id": "gold",
                "type": "PlayPrompt",
                "branches": [{"condition": "Success", "transition": "end"}],
                "parameters": [{"name": "Text", "value": "Gold."}],
            },
            {
                "id": "other",
                "type": "PlayPrompt",
                "branches": [{"condition": "Success", "transition": "end"}],
                "parameters": [{"name": "Text", "value": "Other."}],
            },
            {"id": "end", "type": "Disconnect", "branches": [], "parameters": []},
        ],
        "start": "set",
    }
    menu = loads(json.dumps(flow), name="flow.json")
    assert [e for e in edges(menu) if e[0] == "check"] == [("check", "gold", "next", None)]


def test_each_route_takes_the_condition_of_its_own_literal():
    # Key 1 sets tier 'gold', key 2 'silver'; Check tier sends gold to its queue, anything
    # else (No match) to the busy message.  The route that meets No match is key 2's: the
    # witness never shows key 1 then "no case holds".
    menu = load(HERE / "literal-per-route.json")
    found = edges(menu)
    assert ("Set en", "Check tier", "next", None) in found
    assert ("Set fr", "Check tier (tier = silver)", "next", None) in found
    assert [e for e in found if e[0].startswith("Check tier")] == [
        ("Check tier", "Gold queue", "case", "1"),
        ("Check tier", "Gold queue", "else", None),  # No match is no route for 'gold'
        ("Check tier (tier = silver)", "Disconnect", "next", None),
    ]
    report = audit(menu)
    refusal = next(f for f in report.findings if f.rule == "DE003")
    assert [(step.node, step.key) for step in refusal.witness][1:4] == [
        ("Main menu", "2"),
        ("Set fr", None),
        ("Check tier (tier = silver)", None),
    ]


def test_flow_attributes_set_to_a_literal_decide_the_check_too():
    # API reference, UpdateFlowAttributes ({"FlowAttributes": {name: {"Value": ...}}}, the
    # "Set contact attributes" block with the Flow namespace); Compare on
    # $.FlowAttributes.mode.  'night' never meets == 'day': MN008 at the condition.
    text = (HERE / "literal-flow-attributes.json").read_text(encoding="utf-8")
    menu = loads(text, name="flow.json")
    found = [(f.rule, f.node, f.line) for f in audit(menu).findings]
    assert ("MN008", "Check mode", 41) in found
    # The same flow setting 'day': the check always takes the day queue, nothing never holds.
    day = loads(text.replace('"Value": "night"', '"Value": "day"'), name="flow.json")
    assert day.nodes["Check mode"].type == "action"
    assert "MN008" not in [f.rule for f in audit(day).findings]
    # A contact attribute of the same name says nothing of the flow attribute.
    flow = json.loads(text)
    setter = flow["Actions"][0]
    assert setter["Type"] == "UpdateFlowAttributes"
    setter["Type"] = "UpdateContactAttributes"
    setter["Parameters"] = {"Attributes": {"mode": "night"}}
    contact = loads(json.dumps(flow), name="flow.json")
    assert contact.nodes["Check mode"].type == "branch"
    assert "MN008" not in [f.rule for f in audit(contact).findings]


def test_a_literal_whose_route_is_empty_keeps_the_check_as_it_is():
    # 'silver' takes No match, left empty here: no copy can stand for it, so the check is
    # not narrowed to 'gold' (which would send a silver caller to the gold queue).
    flow = json.loads((HERE / "literal-per-route.json").read_text(encoding="utf-8"))
    check = next(a for a in flow["Actions"] if a["Identifier"] == "Check tier")
    check["Transitions"].pop("NextAction", None)
    check["Transitions"]["Errors"] = [
        e for e in check["Transitions"].get("Errors", []) if e["ErrorType"] != "NoMatchingCondition"
    ]
    menu = loads(json.dumps(flow), name="flow.json")
    assert menu.nodes["Set fr"].next == "Check tier"
    tier = menu.nodes["Check tier"]
    assert (tier.type, tier.else_, [c.next for c in tier.cases]) == ("branch", None, ["Gold queue"])
