"""Pure rules of the customer goals: external ids, custom values, descriptions, lookups, links."""
import re
from datetime import date
from decimal import Decimal

import pytest

from services.goals.customer_goals import domain
from nameko.exceptions import deserialize, serialize

from services.goals.customer_goals.exceptions import (CtaRecordEmpty, InvalidCustomerGoalRequest,
                                                      InvalidLookupConfig, MetricInUse, SpRecordEmpty)


def test_external_ids_are_36_characters_with_a_kind_prefix_and_random():
    ids = {domain.new_gsid("goal") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"1CG0[0-9A-Z]{32}", gsid) for gsid in ids)
    assert domain.new_gsid("picklist").startswith("1I00") and domain.new_gsid("metric").startswith("1I05")
    assert {gsid[-1] for gsid in ids} != {"0"}  # every position is random


@pytest.mark.parametrize("name, ok", [("cf_picklist__gc", True), ("comp_lookup_gsid__gc", True), ("X__gc", True),
                                      ("__gc", False), ("1a__gc", False), ("a b__gc", False), ("Name", False),
                                      ("a" * 61 + "__gc", False), ("a__gc__", False)])
def test_custom_field_names_end_in_gc(name, ok):
    assert domain.is_custom_field(name) is ok


def test_custom_values_keep_their_json_type():
    assert domain.custom_value("a__gc", "CISCO") == domain.CustomValue("s", text="CISCO")
    assert domain.custom_value("a__gc", 5).as_json() == 5 and domain.custom_value("a__gc", 0.1).number == Decimal("0.1")
    assert domain.custom_value("a__gc", 2.5).as_json() == 2.5
    assert domain.custom_value("a__gc", True) == domain.CustomValue("b", number=Decimal(1))
    assert domain.custom_value("a__gc", False).as_json() is False
    assert domain.custom_value("a__gc", None) is None


@pytest.mark.parametrize("value", [[1], {"a": 1}, float("nan"), float("inf"), 10 ** 18, -1e20, "x" * 10001])
def test_custom_values_that_cannot_be_stored_are_refused(value):
    with pytest.raises(InvalidCustomerGoalRequest):
        domain.custom_value("a__gc", value)


@pytest.mark.parametrize("html, clean", [
    ("<p><br>Desc 7</p>", "<p><br>Desc 7</p>"),
    ("<p onclick=\"steal()\">x</p>", "<p>x</p>"),
    ("<b>bold</b><script>alert(1)</script><i>it</i>", "<b>bold</b><i>it</i>"),
    ("<a href=\"javascript:alert(1)\">l</a>", "<a rel=\"noopener noreferrer\">l</a>"),
    ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
    ("<ul><li>one</li></ul><h2>T</h2>", "<ul><li>one</li></ul><h2>T</h2>"),
    ("Feb Test Description ", "Feb Test Description "),
])
def test_descriptions_keep_formatting_and_lose_scripts_and_event_handlers(html, clean):
    assert domain.sanitize_description(html) == clean


def test_a_templates_due_date_is_days_ahead():
    assert domain.due_date_from_template(25, date(2025, 1, 10)) == date(2025, 2, 4)
    assert domain.due_date_from_template(0, date(2025, 1, 10)) == date(2025, 1, 10)
    assert domain.due_date_from_template(None, date(2025, 1, 10)) is None


DOC_LOOKUP = {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "company",
              "multiMatchOption": "FIRSTMATCH", "onNoMatch": "ERROR"}


def test_the_documents_lookups_parse():
    specs = domain.parse_lookups({"CompanyId": DOC_LOOKUP, "comp_lookup_gsid__gc": dict(
        DOC_LOOKUP, fields={"CompName": "Name"}), "OpportunityId": dict(
        DOC_LOOKUP, fields={"OpportunityName": "Name"}, objectName="opportunity")})
    assert specs["CompanyId"] == domain.LookupSpec("CompanyId", "CompanyName", "company", "Name", "FIRSTMATCH", "ERROR")
    assert specs["comp_lookup_gsid__gc"].source == "CompName"
    assert specs["OpportunityId"].object_name == "opportunity"


@pytest.mark.parametrize("lookups", [
    [], {"CompanyId": "x"}, {"CompanyId": dict(DOC_LOOKUP, fields={})},
    {"CompanyId": dict(DOC_LOOKUP, fields={"CompanyName": "Name", "Other": "Name"})},
    {"CompanyId": dict(DOC_LOOKUP, fields={"CompanyName": "Industry"})},
    {"CompanyId": dict(DOC_LOOKUP, lookupField="Name")}, {"CompanyId": dict(DOC_LOOKUP, objectName="person")},
    {"CompanyId": dict(DOC_LOOKUP, objectName="opportunity")}, {"CompanyId": dict(DOC_LOOKUP, multiMatchOption="ALL")},
    {"CompanyId": dict(DOC_LOOKUP, onNoMatch="IGNORE")}, {"RelationshipId": DOC_LOOKUP}, {"Name": DOC_LOOKUP},
    {"CompanyId": DOC_LOOKUP, "x__gc": DOC_LOOKUP}, {"CompanyId": dict(DOC_LOOKUP, objectName=["company"])},
    {"CompanyId": dict(DOC_LOOKUP, fields={"CompanyName": ["Name"]})},
    {"f{}__gc".format(i): dict(DOC_LOOKUP, fields={"Src{}".format(i): "Name"}) for i in range(21)},
], ids=lambda lookups: str(lookups)[:60])
def test_bad_lookup_configurations_are_8008(lookups):
    with pytest.raises(InvalidLookupConfig) as refused:
        domain.parse_lookups(lookups)
    assert refused.value.code == 8008 and refused.value.status == 400


def test_matches_follow_the_options():
    spec = domain.parse_lookups({"CompanyId": DOC_LOOKUP})["CompanyId"]
    assert domain.pick_match(spec, "IBM", ["a", "b"]) == "a"
    with pytest.raises(InvalidLookupConfig) as refused:
        domain.pick_match(spec, "IBM", [])
    assert "no company matches Name 'IBM'" in refused.value.info
    strict = domain.parse_lookups({"CompanyId": dict(DOC_LOOKUP, multiMatchOption="ERROR", onNoMatch="MARKNULL")})
    assert domain.pick_match(strict["CompanyId"], "IBM", []) is None
    with pytest.raises(InvalidLookupConfig):
        domain.pick_match(strict["CompanyId"], "IBM", ["a", "b"])


def test_links_are_sets_of_external_ids_and_an_empty_set_is_8001_or_8002():
    assert domain.parse_links({"CTA": ["a", "b", "a"], "SP": ["c"]}, "association") == {"CTA": ["a", "b"], "SP": ["c"]}
    assert domain.parse_links(None, "association") == {} and domain.parse_links({"CTA": None}, "x") == {}
    with pytest.raises(CtaRecordEmpty) as cta:
        domain.parse_links({"CTA": [], "SP": ["c"]}, "association")
    with pytest.raises(SpRecordEmpty) as sp:
        domain.parse_links({"SP": []}, "dissociation")
    assert (cta.value.code, sp.value.code) == (8001, 8002)
    for bad in ({"XYZ": ["a"]}, {"CTA": "a"}, {"CTA": [1]}, {"CTA": [""]}, {"CTA": ["x" * 65]}, ["a"]):
        with pytest.raises(InvalidCustomerGoalRequest):
            domain.parse_links(bad, "association")


def test_vc_8026_keeps_its_error_info_and_types_across_rpc():
    info = {"usageInLayouts": ["CP Goal Type"], "usageInGoals": [{"gsid": "1CG0X", "name": "gggg"}], "hasUsage": True}
    received = deserialize(serialize(MetricInUse(error_info=info)))
    assert type(received) is MetricInUse
    assert (received.code, received.status, received.error_info) == ("VC_8026", 400, info)
    assert received.info == "Metric is used in some goals or templates. Cannot delete the metric."
    assert deserialize(serialize(CtaRecordEmpty())).code == 8001
