"""Every sample request body of the customer goals document (seeds/001), sent as it is with our
ids in place of Gainsight's (CTA, success-plan and work ids are external: kept), answers the
documented shape."""
import pytest

from services.goals.customer_goals.tests.support import (CREATE, FETCH, METRIC, METRICS, PICKLIST, PICKLIST_CREATE,
                                                         TEMPLATE, TEMPLATE_DELETE, TEMPLATE_FETCH, UPDATE,
                                                         add_account)

CTA_1, CTA_2 = "1S010R2NEBJLG2RT8IP6XWLYWZDDAVCXEK5J", "1S010R2NEBJLG2RT8I19P44KW9MBT5QG6NBC"
SP_1 = "1S02J57N1K69N1VBJKLIBNH5YIJBBWEUOK4B"
WORK = ["1I005G22HP9QX1NRFCZYV81Y6QHH30TMXP49", "1I005G22HP9QX1NRFC4O3YXDHJ7BZDIAOE4M"]
COMPANY_LOOKUP = {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "company",
                  "multiMatchOption": "FIRSTMATCH", "onNoMatch": "ERROR"}
GOAL_KEYS = {"cf_picklist__gc", "CompanyId", "CreatedById", "CreatedById__gr", "CreatedDate", "CurrencyIsoCode",
             "Description", "DueDate", "EntityType", "GoalCategory", "GoalTypeId", "Gsid", "ModifiedById",
             "ModifiedById__gr", "ModifiedDate", "Name", "StatusId", "StatusId__gr"}


@pytest.fixture
def world(cs, api, ws):
    """IBM, NEW and Meta companies, the document's goal types, and two metrics."""
    companies = {name: add_account(api, ws, name) for name in ("IBM", "NEW", "Meta")}
    types = {p["name"]: p["gsid"] for p in cs.ok("POST", PICKLIST_CREATE, {"picklists": [
        {"name": name, "picklistCategory": "GOAL_TYPE"} for name in ("CP Goal Type", "CG4", "CG1")]})["successList"]}
    types["Default"] = cs.goal_types()["Default"]
    metrics = [cs.metric()["gsid"], cs.metric()["gsid"]]
    return {"companies": companies, "types": types, "metrics": metrics, "statuses": cs.statuses()}


def test_create_customer_goals_sample(cs, ws, world):
    data = cs.ok("POST", CREATE, {"requests": [{"record": {
        "Name": "create_test1", "StatusName": "New", "DueDate": "2022-12-21", "Description": "<p><br>Desc 7</p>",
        "CompanyName": "IBM", "cf_picklist__gc": "CISCO", "EntityType": "COMPANY"},
        "association": {"CTA": [CTA_1, CTA_2], "SP": [SP_1]}}], "lookups": {"CompanyId": COMPANY_LOOKUP}})
    goal = data["goal"]
    assert set(goal) == GOAL_KEYS
    assert (goal["CompanyId"], goal["StatusId__gr"], goal["cf_picklist__gc"], goal["GoalCategory"]) == (
        world["companies"]["IBM"], {"Name": "New"}, "CISCO", "GOAL")
    assert set(data) == {"goal", "userInfo"} and set(data["userInfo"][ws.owner["uuid"]]) == {
        "gsid", "name", "profilePicture"}
    linked = cs.fetch_one(goal["Gsid"], select=["Name"])
    assert linked["associatedCTAs"] == [{"gsid": CTA_2}, {"gsid": CTA_1}]  # by id
    assert linked["associatedSPs"] == [{"gsid": SP_1}]
    # Update Customer Goals: the first sample
    data = cs.ok("PUT", UPDATE, {"requests": [{"record": {
        "Name": "CG15", "StatusName": "On Track", "DueDate": "2022-12-24", "Description": "<p><br>Updated Desc</p>",
        "Gsid": goal["Gsid"]}, "dissociation": {"CTA": [CTA_1, CTA_2], "SP": [SP_1]}}]})
    assert (data["updatedGoals"], data["properties"]) == (None, {})
    assert set(data["record"]) == {"Description", "DueDate", "GoalCategory", "Gsid", "ModifiedById", "ModifiedDate",
                                   "Name", "StatusId"}
    assert data["record"]["StatusId"] == world["statuses"]["On Track"]
    linked = cs.fetch_one(goal["Gsid"])
    assert (linked["associatedCTAs"], linked["associatedSPs"]) == ([], [])
    # Fetch Customer Goals: the first sample
    cs.create(Name="CGnew", Description="<p><br>Desc 7</p>", DueDate="2023-02-01", EntityType="COMPANY",
              CompanyId=world["companies"]["IBM"])
    records = cs.ok("POST", FETCH, {"select": ["CompanyId", "Name", "RelationshipId", "OpportunityId", "Gsid"],
                                    "where": {"conditions": [{"fieldName": "Name", "value": ["CGnew"], "alias": "A",
                                                              "operator": "EQ"}], "expression": "A"},
                                    "pageSize": 100, "pageNumber": 1})["recordList"]
    assert len(records) == 1 and set(records[0]) == {"dataList", "associatedCTAs", "associatedSPs"}
    assert set(records[0]["dataList"]) == {"CompanyId", "Name", "Gsid"}  # no relationship or opportunity: left out


def test_template_samples(cs, world):
    metric_1, metric_2 = world["metrics"]
    data = cs.ok("POST", TEMPLATE, {"requests": [{"record": {
        "Name": "Goal Template 1", "GoalTypeName": "Default", "StatusName": "Achieved", "DueDate": 2301,
        "Description": "Description of goal template", "CompName": "Meta", "cust_string_value__gc": "Facebook",
        "AssociatedWork": ["1I005G22HP9QX1NRFCMFSKO6E6SA4ZP9ZQ4B"], "metricsAssociation": [{"metricId": metric_1}]}}],
        "lookups": {"comp_lookup_gsid__gc": dict(COMPANY_LOOKUP, fields={"CompName": "Name"})}})
    assert data["failureList"] == []
    template = data["successList"][0]
    assert {k: template[k] for k in ("Name", "DueDate", "Description", "cust_string_value__gc", "AssociatedWork",
                                     "comp_lookup_gsid__gc", "GoalTypeId", "StatusId")} == {
        "Name": "Goal Template 1", "DueDate": 2301, "Description": "Description of goal template",
        "cust_string_value__gc": "Facebook", "AssociatedWork": ["1I005G22HP9QX1NRFCMFSKO6E6SA4ZP9ZQ4B"],
        "comp_lookup_gsid__gc": world["companies"]["Meta"], "GoalTypeId": world["types"]["Default"],
        "StatusId": world["statuses"]["Achieved"]}
    assert template["Gsid"].startswith("1CG0")
    data = cs.ok("PUT", TEMPLATE, {"requests": [{"record": {
        "Gsid": template["Gsid"], "Name": "Goal Template Name - updated", "DueDate": 25,
        "StatusId": world["statuses"]["On Track"], "Description": "Updated All fields", "CompNameGsid": "NEW",
        "cust_string_value__gc": "custom value - updated", "AssociatedWork": WORK,
        "metricsAssociation": [{"metricId": metric_2}], "metricsDissociation": [{"metricId": metric_1}]}}],
        "lookups": {"comp_lookup_gsid__gc": dict(COMPANY_LOOKUP, fields={"CompNameGsid": "Name"})}})
    updated = data["successList"][0]
    assert (updated["Gsid"], updated["Name"], updated["DueDate"], updated["comp_lookup_gsid__gc"]) == (
        template["Gsid"], "Goal Template Name - updated", 25, world["companies"]["NEW"])
    assert [m["metricId"] for m in updated["MetricValues"]] == [metric_2]
    assert {"ModifiedById", "ModifiedDate", "AssociatedWork", "cust_string_value__gc"} <= set(updated)
    cs.template(Name="barca_template", cust_string_value__gc="hello", DueDate=0)
    records = cs.ok("POST", TEMPLATE_FETCH, {"select": ["Name", "Gsid", "StatusId", "cust_string_value__gc",
                                                        "CurrencyIsoCode"],
                                             "where": {"conditions": [
                                                 {"fieldName": "Name", "value": ["barca"], "alias": "A",
                                                  "operator": "STARTS_WITH"},
                                                 {"fieldName": "Name", "value": ["b"], "alias": "B",
                                                  "operator": "CONTAINS"}], "expression": "A AND B"},
                                             "pageSize": 10, "pageNumber": 1})["recordList"]
    assert [r["Name"] for r in records] == ["barca_template"] and records[0]["cust_string_value__gc"] == "hello"
    deleted = cs.ok("DELETE", TEMPLATE_DELETE, {"recordIds": [template["Gsid"]]})
    assert set(deleted) == {"failureList", "successList", "success", "failCount"}
    assert (deleted["success"], deleted["failCount"], deleted["successList"][0]["Deleted"]) == (True, 0, True)
    assert set(deleted["successList"][0]) == {"Deleted", "GoalCategory", "Gsid", "ModifiedById", "ModifiedDate"}


def test_metric_samples(cs, world):
    data = cs.ok("POST", METRIC, {"requests": [{"record": {
        "name": "Metric Name 1", "unitOfMeasure": "DECIMAL", "description": "<p>description</p>"},
        "associateGoalTypes": [world["types"]["Default"]], "associateGoalTypeNames": ["CP Goal Type"]}]})
    metric = data["successList"][0]
    assert set(metric) == {"createdAt", "deleted", "modifiedAt", "createdBy", "modifiedBy", "name", "description",
                           "unitOfMeasure", "displayOrder", "externalId", "active", "systemDefined", "gsid"}
    data = cs.ok("PUT", METRIC, {"requests": [{"record": {
        "gsid": metric["gsid"], "name": "Metric Name 1 - updated", "unitOfMeasure": "PERCENTAGE",
        "description": "Updated description"}, "associateGoalTypes": [world["types"]["Default"]],
        "associateGoalTypeNames": ["CG4"], "dissociateGoalTypes": [world["types"]["CP Goal Type"]],
        "dissociateGoalTypeNames": ["CG1"]}]})
    assert data["successList"][0]["unitOfMeasure"] == "PERCENTAGE" and data["failureList"] == []
    goal = cs.create(Name="gggg", metricsAssociation=[{"metricId": metric["gsid"]}])
    status, code, envelope = cs.error("DELETE", METRICS, {"recordIds": [metric["gsid"]]})
    assert (status, code, envelope["errorInfo"]) == (400, "VC_8026", {
        "usageInLayouts": ["Default", "CG4"], "usageInGoals": [{"gsid": goal["Gsid"], "name": "gggg"}],
        "hasUsage": True})
    cs.update(goal["Gsid"], metricsDissociation=[metric["gsid"]])
    deleted = cs.ok("DELETE", METRICS, {"recordIds": [metric["gsid"]]})["deletedMetrics"]
    assert [(m["gsid"], m["deleted"]) for m in deleted] == [(metric["gsid"], True)]


def test_goal_api_samples(cs, world):
    metric_1, metric_2 = world["metrics"]
    data = cs.ok("POST", CREATE, {"requests": [{"record": {
        "Name": "Custom Goal 1", "GoalTypeId": world["types"]["CP Goal Type"],
        "StatusId": world["statuses"]["Achieved"],
        "DueDate": "2025-01-07", "Description": "Feb Test Description ", "CompanyName": "IBM", "CompName": "NEW",
        "cust_string_value__gc": "custom value",
        "metricsAssociation": [{"metricId": metric_1, "baseValue": 10.0,
                                "actualValue": [{"value": 5.0, "timestamp": "2025-01-04"}], "targetValue": 8.0}],
        "EntityType": "GLOBAL", "AssociatedWork": WORK},
        "association": {"CTA": ["1S015065Y1L4AP5SUXPXKGDH9S0CAT75F3CY", "1S015065Y1L4AP5SUXAN0N0MYVAFR66HRNQR"],
                        "SP": ["1S02JJSBDT2ZT78W7NMT0VBJP3QF725QD8RC", "1S02JJSBDT2ZT78W7N3SX0J712OA8HOTBSQ7"]}}],
        "lookups": {"CompanyId": COMPANY_LOOKUP,
                    "comp_lookup_gsid__gc": dict(COMPANY_LOOKUP, fields={"CompName": "Name"})}})
    goal = data["goal"]
    assert (goal["CompanyId"], goal["comp_lookup_gsid__gc"], goal["EntityType"], goal["StatusId__gr"]) == (
        world["companies"]["IBM"], world["companies"]["NEW"], "GLOBAL", {"Name": "Achieved"})
    (values,) = goal["MetricValues"]
    assert {k: values[k] for k in ("metricId", "goalId", "baseValue", "targetValue")} == {
        "metricId": metric_1, "goalId": goal["Gsid"], "baseValue": 10.0, "targetValue": 8.0}
    assert [(p["value"], p["timestamp"]) for p in values["actualValue"]] == [(5.0, "2025-01-04")]
    data = cs.ok("PUT", UPDATE, {"requests": [{"record": {
        "Gsid": goal["Gsid"], "Name": "Goal Template Name: Updated", "StatusId": world["statuses"]["On Track"],
        "DueDate": "2025-01-31", "Description": " Feb : Update 1", "CompName": "NEW",
        "cust_string_value__gc": " Feb ujjwal custom value - updated",
        "metricsAssociation": [{"metricId": metric_2, "baseValue": 10.0,
                                "actualValue": [{"value": 8.0, "timestamp": "2025-01-10"}], "targetValue": 8.0}],
        "metricsDissociation": [metric_2, metric_1]},
        "association": {"CTA": ["1S015065Y1L4AP5SUXV96R83SMQ523UNWRXP"],
                        "SP": ["1S02JJSBDT2ZT78W7N3V2OYXMWCH2B720L51"]},
        "dissociation": {"CTA": ["1S015065Y1L4AP5SUXO3AX169IGVLKKJ5N7R"],
                         "SP": ["1S02JJSBDT2ZT78W7N326U5W640ZRK54GLAT"]}}],
        "lookups": {"comp_lookup_gsid__gc": dict(COMPANY_LOOKUP, fields={"CompName": "Name"})}})
    record = data["record"]
    assert {k: record[k] for k in ("comp_lookup_gsid__gc", "cust_string_value__gc", "Description", "DueDate",
                                   "GoalCategory", "Gsid", "Name", "StatusId")} == {
        "comp_lookup_gsid__gc": world["companies"]["NEW"],
        "cust_string_value__gc": " Feb ujjwal custom value - updated",
        "Description": " Feb : Update 1", "DueDate": "2025-01-31", "GoalCategory": "GOAL", "Gsid": goal["Gsid"],
        "Name": "Goal Template Name: Updated", "StatusId": world["statuses"]["On Track"]}
    # dissociations apply first, then associations: metric_2 is (re)associated, metric_1 is gone
    assert [(m["metricId"], [p["value"] for p in m["actualValue"]]) for m in record["MetricValues"]] == [
        (metric_2, [8.0])]
    linked = cs.fetch_one(goal["Gsid"])
    assert [c["gsid"] for c in linked["associatedCTAs"]] == sorted([
        "1S015065Y1L4AP5SUXPXKGDH9S0CAT75F3CY", "1S015065Y1L4AP5SUXAN0N0MYVAFR66HRNQR",
        "1S015065Y1L4AP5SUXV96R83SMQ523UNWRXP"])


def test_get_picklist_sample(cs, world):
    data = cs.ok("POST", PICKLIST, {"entityIds": ["COMPANY"], "active": False, "includeMetrics": False,
                                    "includeChildPicklist": True, "picklistCategory": "GOAL_TYPE"})
    assert set(data) == {"picklists", "childPicklists", "metrics"}
    assert [p["name"] for p in data["picklists"]] == ["Default", "CP Goal Type", "CG4", "CG1"]
    for item in data["picklists"]:
        assert set(item) >= {"gsid", "name", "color", "picklistCategory", "displayOrder", "active", "openStatusType",
                             "recurring", "systemDefined", "associationDetails", "childPicklistIds"}
    assert cs.ok("GET", PICKLIST, params={"picklistCategory": "GOAL_STATUS"})["picklists"][0]["name"] == "New"
