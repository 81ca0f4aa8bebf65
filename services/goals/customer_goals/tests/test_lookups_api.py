"""Lookups against the real accounts and deals services: a COMPANY goal's company by its account
name (FIRSTMATCH: the oldest of a name), an OPPORTUNITY goal's deal by name, a GLOBAL goal's
optional company, custom lookup fields; nothing found, another workspace's record or an unknown
option is 8008."""
import pytest

from services.goals.customer_goals.tests.support import (CREATE, UPDATE, CsGoals, add_account, add_deal,
                                                         company_lookup, opportunity_lookup)


def body(record, lookups, **item):
    return dict({"requests": [dict({"record": dict({"Name": "g", "StatusName": "New"}, **record)}, **item)],
                 "lookups": lookups})


def test_a_company_goal_finds_its_company_by_name(cs, api, ws):
    ibm = add_account(api, ws, "IBM")
    add_account(api, ws, "IBM")  # a later namesake: FIRSTMATCH takes the first
    goal = cs.ok("POST", CREATE, body({"EntityType": "COMPANY", "CompanyName": "IBM"}, company_lookup()))["goal"]
    assert goal["CompanyId"] == ibm and "CompanyName" not in goal


def test_a_company_given_by_id_must_be_one_of_the_workspace(cs, api, ws):
    acme = add_account(api, ws, "Acme")
    assert cs.create(EntityType="COMPANY", CompanyId=acme)["CompanyId"] == acme
    foreign = add_account(api, api.signup(), "Foreign Corp")
    status, code, envelope = cs.error("POST", CREATE, body({"EntityType": "COMPANY", "CompanyId": foreign}, None))
    assert (status, code) == (400, 8008) and foreign in envelope["message"]


@pytest.mark.parametrize("lookup", [
    company_lookup(multiMatchOption="SOMETIMES"), company_lookup(onNoMatch="IGNORE"),
    company_lookup(objectName="person"), company_lookup(lookupField="Name"),
], ids=["multiMatchOption", "onNoMatch", "objectName", "lookupField"])
def test_an_unknown_lookup_option_is_8008(cs, api, ws, lookup):
    add_account(api, ws, "IBM")
    status, code, envelope = cs.error("POST", CREATE, body({"EntityType": "COMPANY", "CompanyName": "IBM"}, lookup))
    assert (status, code, envelope["errorDesc"]) == (400, 8008, "INVALID_LOOKUP_CONFIG")


def test_a_lookup_that_finds_nothing_is_8008_also_for_another_workspaces_company(cs, api):
    add_account(api, api.signup(), "Only Elsewhere")
    for name in ("Nobody Inc", "Only Elsewhere", "ibm"):
        status, code, envelope = cs.error("POST", CREATE, body({"EntityType": "COMPANY", "CompanyName": name},
                                                               company_lookup()))
        assert (status, code) == (400, 8008) and name in envelope["message"]


def test_marknull_options_leave_the_field_empty(cs, api, ws):
    add_account(api, ws, "Twice")
    add_account(api, ws, "Twice")
    lookups = company_lookup(multiMatchOption="MARKNULL", onNoMatch="MARKNULL")
    goal = cs.ok("POST", CREATE, body({"EntityType": "GLOBAL", "CompanyName": "Twice"}, lookups))["goal"]
    assert "CompanyId" not in goal
    strict = company_lookup(multiMatchOption="ERROR")
    assert cs.error("POST", CREATE, body({"EntityType": "GLOBAL", "CompanyName": "Twice"}, strict))[:2] == (400, 8008)


def test_a_global_goal_takes_a_company_when_given_and_none_otherwise(cs, api, ws):
    meta = add_account(api, ws, "Meta")
    goal = cs.ok("POST", CREATE, body({"EntityType": "GLOBAL", "CompanyName": "Meta"}, company_lookup()))["goal"]
    assert goal["CompanyId"] == meta
    assert "CompanyId" not in cs.create(EntityType="GLOBAL")


def test_a_custom_lookup_field_is_resolved_stored_selectable_and_filterable(cs, api, ws):
    new = add_account(api, ws, "NEW")
    lookups = company_lookup(source="CompName", target="comp_lookup_gsid__gc")
    goal = cs.ok("POST", CREATE, body({"EntityType": "GLOBAL", "CompName": "NEW"}, lookups))["goal"]
    assert goal["comp_lookup_gsid__gc"] == new and "CompName" not in goal
    found = cs.fetch(select=["Gsid", "comp_lookup_gsid__gc"], where={"conditions": [
        {"fieldName": "comp_lookup_gsid__gc", "operator": "EQ", "value": [new], "alias": "A"}]})
    assert [r["dataList"] for r in found] == [{"Gsid": goal["Gsid"], "comp_lookup_gsid__gc": new}]
    other = add_account(api, ws, "OTHER")
    update = {"requests": [{"record": {"Gsid": goal["Gsid"], "CompName": "OTHER"}}], "lookups": lookups}
    assert cs.ok("PUT", UPDATE, update)["record"]["comp_lookup_gsid__gc"] == other


def test_an_opportunity_goal_finds_its_deal_by_name(cs, api, ws):
    deal = add_deal(api, ws, "Big renewal")
    add_deal(api, ws, "Big renewal")
    goal = cs.ok("POST", CREATE, body({"EntityType": "OPPORTUNITY", "OpportunityName": "Big renewal"},
                                      opportunity_lookup()))["goal"]
    assert goal["OpportunityId"] == deal
    fetched = cs.fetch(select=["OpportunityId"], where={"conditions": [
        {"fieldName": "OpportunityId", "operator": "EQ", "value": [deal], "alias": "A"}]})
    assert [r["dataList"] for r in fetched] == [{"OpportunityId": deal}]


def test_an_opportunity_of_another_workspace_or_none_is_8008(cs, api, ws):
    stranger = api.signup()
    foreign = add_deal(api, stranger, "Their deal")
    for record, lookups in (({"OpportunityName": "Their deal"}, opportunity_lookup()),
                            ({"OpportunityName": "No such deal"}, opportunity_lookup()),
                            ({"OpportunityId": foreign}, None)):
        status, code, _ = cs.error("POST", CREATE, body(dict(record, EntityType="OPPORTUNITY"), lookups))
        assert (status, code) == (400, 8008), record
    mine = add_deal(api, ws, "Mine")
    assert cs.create(EntityType="OPPORTUNITY", OpportunityId=mine)["OpportunityId"] == mine
    assert CsGoals(api, stranger.token).fetch() == []
