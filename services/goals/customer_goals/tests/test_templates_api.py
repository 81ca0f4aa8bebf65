"""Goal templates (the goals library) through the gateway, and goals created from them: the
template's type, status, description, custom fields, metrics and work, and a due date DueDate days
ahead, unless the request overrides them."""
from datetime import datetime, timedelta, timezone

from services.goals.customer_goals.tests.support import CREATE, TEMPLATE, TEMPLATE_DELETE, TEMPLATE_FETCH


def test_a_template_is_created_and_fetched_as_flat_records(cs):
    statuses = cs.statuses()
    template = cs.template(Name="barca_template", GoalTypeName="Default", StatusName="Achieved", DueDate=2301,
                           Description="Description of goal template", cust_string_value__gc="Facebook",
                           AssociatedWork=["1I005G22HP9QX1NRFCMFSKO6E6SA4ZP9ZQ4B"])
    assert template["Gsid"].startswith("1CG0") and template["GoalCategory"] == "TEMPLATE"
    assert (template["DueDate"], template["StatusId"], template["GoalTypeId"]) == (
        2301, statuses["Achieved"], cs.goal_types()["Default"])
    assert template["AssociatedWork"] == ["1I005G22HP9QX1NRFCMFSKO6E6SA4ZP9ZQ4B"]
    records = cs.fetch(TEMPLATE_FETCH, select=["Name", "Gsid", "StatusId", "cust_string_value__gc", "CurrencyIsoCode"],
                       where={"conditions": [
                           {"fieldName": "Name", "value": ["barca"], "alias": "A", "operator": "STARTS_WITH"},
                           {"fieldName": "Name", "value": ["b"], "alias": "B", "operator": "CONTAINS"}],
                           "expression": "A AND B"}, pageSize=10, pageNumber=1)
    assert records == [{"CurrencyIsoCode": "USD", "Gsid": template["Gsid"], "Name": "barca_template",
                        "StatusId": statuses["Achieved"], "cust_string_value__gc": "Facebook"}]


def test_templates_and_goals_are_fetched_apart(cs):
    template, goal = cs.template(), cs.create()
    assert [r["Gsid"] for r in cs.fetch(TEMPLATE_FETCH, select=["Gsid"])] == [template["Gsid"]]
    assert [r["dataList"]["Gsid"] for r in cs.fetch(select=["Gsid"])] == [goal["Gsid"]]


def test_a_template_without_status_or_type_starts_new_on_the_default_type(cs):
    template = cs.template(Name="plain")
    assert (template["StatusId"], template["GoalTypeId"]) == (cs.statuses()["New"], cs.goal_types()["Default"])
    assert "DueDate" not in template


def test_a_goal_from_a_template_takes_its_type_status_description_fields_metrics_and_work(cs):
    metric = cs.metric()["gsid"]
    cs.ok("POST", "/v1/csgoal/external/admin/picklist/create",
          {"picklists": [{"name": "Adoption", "picklistCategory": "GOAL_TYPE"}]})
    template = cs.template(GoalTypeName="Adoption", StatusName="At Risk", DueDate=25, Description="<p>From lib</p>",
                           kind__gc="library", score__gc=4, AssociatedWork=["w1", "w2"],
                           metricsAssociation=[{"metricId": metric, "baseValue": 1, "targetValue": 9}])
    goal = cs.ok("POST", CREATE, {"requests": [{"record": {
        "Name": "From template", "EntityType": "GLOBAL", "TemplateId": template["Gsid"]}}]})["goal"]
    today = datetime.now(timezone.utc).date()
    assert goal["DueDate"] in ((today + timedelta(days=25)).isoformat(), (today + timedelta(days=26)).isoformat())
    assert (goal["GoalTypeId"], goal["StatusId"], goal["Description"]) == (
        template["GoalTypeId"], template["StatusId"], "<p>From lib</p>")
    assert (goal["kind__gc"], goal["score__gc"], goal["AssociatedWork"], goal["TemplateId"]) == (
        "library", 4, ["w1", "w2"], template["Gsid"])
    assert [(m["metricId"], m["baseValue"], m["targetValue"], m["actualValue"]) for m in goal["MetricValues"]] == [
        (metric, 1.0, 9.0, [])]
    assert goal["StatusId__gr"] == {"Name": "At Risk"}


def test_the_request_overrides_what_the_template_gives(cs):
    metric = cs.metric()["gsid"]
    template = cs.template(StatusName="At Risk", DueDate=25, Description="lib", kind__gc="library",
                           score__gc=4, AssociatedWork=["w1"],
                           metricsAssociation=[{"metricId": metric, "baseValue": 1}])
    goal = cs.ok("POST", CREATE, {"requests": [{"record": {
        "Name": "Mine", "EntityType": "GLOBAL", "TemplateId": template["Gsid"], "StatusName": "On Track",
        "DueDate": "2030-01-01", "Description": "mine", "kind__gc": "own", "score__gc": None,
        "AssociatedWork": ["w9"], "metricsAssociation": [{"metricId": metric, "baseValue": 2}]}}]})["goal"]
    assert (goal["StatusId"], goal["DueDate"], goal["Description"], goal["kind__gc"]) == (
        cs.statuses()["On Track"], "2030-01-01", "mine", "own")
    assert "score__gc" not in goal and goal["AssociatedWork"] == ["w9"]
    assert goal["MetricValues"][0]["baseValue"] == 2.0


def test_a_goal_from_a_template_takes_the_templates_name_when_it_gives_none(cs):
    template = cs.template(Name="Library goal")
    goal = cs.ok("POST", CREATE, {"requests": [{"record": {"EntityType": "GLOBAL",
                                                           "TemplateId": template["Gsid"]}}]})["goal"]
    assert goal["Name"] == "Library goal"


def test_templates_are_updated(cs):
    template = cs.template(Name="Goal Template 1", DueDate=10, cust_string_value__gc="custom value",
                           AssociatedWork=["w1"])
    statuses = cs.statuses()
    updated = cs.ok("PUT", TEMPLATE, {"requests": [{"record": {
        "Gsid": template["Gsid"], "Name": "Goal Template Name - updated", "DueDate": 25,
        "StatusId": statuses["On Track"], "Description": "Updated All fields",
        "cust_string_value__gc": "custom value - updated", "AssociatedWork": ["w2", "w3"]}}]})
    record = updated["successList"][0]
    assert updated["failureList"] == []
    assert (record["Gsid"], record["Name"], record["DueDate"], record["StatusId"], record["Description"]) == (
        template["Gsid"], "Goal Template Name - updated", 25, statuses["On Track"], "Updated All fields")
    assert (record["cust_string_value__gc"], record["AssociatedWork"]) == ("custom value - updated", ["w2", "w3"])
    assert record["ModifiedById"] == template["CreatedById"] and record["ModifiedDate"] >= template["ModifiedDate"]


def test_template_writes_are_all_or_nothing(cs):
    body = {"requests": [{"record": {"Name": "ok"}}, {"record": {"Name": "bad", "StatusName": "Nope"}}]}
    assert cs.error("POST", TEMPLATE, body)[:2] == (400, 8010)
    assert cs.fetch(TEMPLATE_FETCH) == []
    template = cs.template(Name="kept")
    body = {"requests": [{"record": {"Gsid": template["Gsid"], "Name": "changed"}},
                         {"record": {"Gsid": "1CG0" + "Q" * 32, "Name": "missing"}}]}
    assert cs.error("PUT", TEMPLATE, body)[:2] == (404, "CG_NOT_FOUND")
    assert cs.fetch(TEMPLATE_FETCH, select=["Name"]) == [{"Name": "kept"}]


def test_template_records_refuse_what_belongs_to_goals(cs):
    for record in ({"Name": "t", "DueDate": "2025-01-01"}, {"Name": "t", "DueDate": -1},
                   {"Name": "t", "CompanyId": "x"},
                   {"Name": "t", "EntityType": "COMPANY"}, {"Name": ""},
                   {"Name": "t", "metricsAssociation": [{"metricId": "1I05X", "actualValue": []}]}):
        assert cs.error("POST", TEMPLATE, {"requests": [{"record": record}]})[:2] == (400, "CG_INVALID_REQUEST"), record
    body = {"requests": [{"record": {"Name": "t"}, "association": {"CTA": ["a"]}}]}
    assert cs.error("POST", TEMPLATE, body)[:2] == (400, "CG_INVALID_REQUEST")


def test_templates_are_deleted_and_goals_made_from_them_stay(cs, api):
    template = cs.template()
    goal = cs.ok("POST", CREATE, {"requests": [{"record": {"EntityType": "GLOBAL",
                                                           "TemplateId": template["Gsid"]}}]})["goal"]
    foreign = type(cs)(api, api.signup().token).template()
    data = cs.ok("DELETE", TEMPLATE_DELETE, {"recordIds": [template["Gsid"], foreign["Gsid"]]})
    assert data["successList"] == [{"Deleted": True, "GoalCategory": "TEMPLATE", "Gsid": template["Gsid"],
                                    "ModifiedById": goal["CreatedById"],
                                    "ModifiedDate": data["successList"][0]["ModifiedDate"]}]
    assert [item["Gsid"] for item in data["failureList"]] == [foreign["Gsid"]]
    assert (data["success"], data["failCount"]) == (False, 1)
    assert cs.fetch(TEMPLATE_FETCH) == []
    assert cs.fetch_one(goal["Gsid"], select=["TemplateId"])["dataList"] == {"TemplateId": template["Gsid"]}
    body = {"requests": [{"record": {"EntityType": "GLOBAL", "TemplateId": template["Gsid"]}}]}
    assert cs.error("POST", CREATE, body)[:2] == (400, "CG_INVALID_REQUEST")
    assert cs.ok("DELETE", TEMPLATE_DELETE, {"recordIds": [template["Gsid"]]})["failCount"] == 1
