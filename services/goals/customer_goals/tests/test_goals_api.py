"""Customer goals through the gateway: create, update, fetch and delete, with the document's error
codes (8001, 8002, 8007, 8009, 8010) and our 400s and 404s, in the envelope on every answer."""
import pytest

from services.goals.customer_goals.tests.support import CREATE, DELETE, UPDATE


def create_body(**record):
    return {"requests": [{"record": dict({"Name": "G", "StatusName": "New", "EntityType": "GLOBAL"}, **record)}]}


# --- create -------------------------------------------------------------------------------------------
def test_a_goal_is_created_with_its_fields_audit_and_references(cs, ws):
    statuses = cs.statuses()
    goal = cs.create(Name="CG3", StatusName="At Risk", DueDate="2022-12-21", Description="<p><br>Desc 7</p>",
                     cf_picklist__gc="CISCO", cf_number__gc=12.5, cf_flag__gc=True)
    assert goal["Gsid"].startswith("1CG0") and len(goal["Gsid"]) == 36
    assert (goal["Name"], goal["DueDate"], goal["Description"], goal["EntityType"]) == (
        "CG3", "2022-12-21", "<p><br>Desc 7</p>", "GLOBAL")
    assert (goal["StatusId"], goal["StatusId__gr"]) == (statuses["At Risk"], {"Name": "At Risk"})
    assert goal["GoalTypeId"] == cs.goal_types()["Default"]
    assert (goal["cf_picklist__gc"], goal["cf_number__gc"], goal["cf_flag__gc"]) == ("CISCO", 12.5, True)
    assert (goal["GoalCategory"], goal["CurrencyIsoCode"]) == ("GOAL", "USD")
    owner = ws.owner["uuid"]
    assert goal["CreatedById"] == goal["ModifiedById"] == owner
    assert goal["CreatedById__gr"] == {"Name": "Olivia Owner"}
    assert isinstance(goal["CreatedDate"], int) and goal["CreatedDate"] == goal["ModifiedDate"] > 1.6e12


def test_create_answers_the_caller_in_user_info(cs, api, ws):
    data = cs.ok("POST", CREATE, create_body())
    assert data["userInfo"] == {ws.owner["uuid"]: {"gsid": ws.owner["uuid"], "name": "Olivia Owner",
                                                   "profilePicture": None}}


def test_descriptions_are_sanitised_html(cs):
    goal = cs.create(Description="<p onmouseover=\"x()\"><b>Q1</b></p><script>steal()</script>"
                                 "<a href=\"javascript:alert(1)\">l</a>")
    assert goal["Description"] == "<p><b>Q1</b></p><a rel=\"noopener noreferrer\">l</a>"


def test_status_by_id_or_by_name_case_insensitively(cs):
    statuses = cs.statuses()
    assert cs.create(StatusName=None, StatusId=statuses["Achieved"])["StatusId__gr"] == {"Name": "Achieved"}
    assert cs.create(StatusName="on track")["StatusId"] == statuses["On Track"]


@pytest.mark.parametrize("record", [{"StatusName": "Finished"}, {"StatusName": None, "StatusId": "1I00NOPE"},
                                    {"StatusName": "New", "StatusId": "1I00NOPE"}, {"StatusName": None}])
def test_an_unknown_or_missing_status_is_8010_not_a_500(cs, record):
    body = create_body(**record)
    body["requests"][0]["record"] = {k: v for k, v in body["requests"][0]["record"].items() if v is not None}
    status, code, envelope = cs.error("POST", CREATE, body)
    assert (status, code, envelope["errorDesc"]) == (400, 8010, "INVALID_STATUS_NAME")


def test_statusid_and_statusname_naming_different_statuses_is_8010(cs):
    body = create_body(StatusName="New", StatusId=cs.statuses()["Achieved"])
    assert cs.error("POST", CREATE, body)[:2] == (400, 8010)


def test_bulk_creation_is_refused(cs):
    body = create_body()
    body["requests"].append(body["requests"][0])
    status, code, envelope = cs.error("POST", CREATE, body)
    assert (status, code) == (400, "CG_INVALID_REQUEST") and "one record per request" in envelope["message"]


@pytest.mark.parametrize("record, field", [
    ({"Name": ""}, "Name"), ({"Name": "   "}, "Name"), ({"Name": None}, "Name"), ({"EntityType": None}, "EntityType"),
    ({"EntityType": "PERSON"}, "EntityType"), ({"EntityType": "RELATIONSHIP"}, "Relationships"),
    ({"RelationshipId": "r1"}, "Relationships"), ({"EntityType": "COMPANY"}, "COMPANY goal"),
    ({"EntityType": "OPPORTUNITY"}, "OPPORTUNITY goal"), ({"DueDate": "21-12-2022"}, "DueDate"),
    ({"Industry": "x"}, "Unknown field Industry"), ({"bad name__gc": "x"}, "Unknown field"),
    ({"cf__gc": {"a": 1}}, "cf__gc"), ({"CurrencyIsoCode": "XXX"}, "CurrencyIsoCode"),
    ({"GoalTypeName": "Nope"}, "GoalTypeName"), ({"TemplateId": "1CG0NOPE"}, "TemplateId"),
    ({"metricsAssociation": [{"metricId": "1I05NOPE"}]}, "metricsAssociation"),
    ({"OpportunityId": 2 ** 63}, "OpportunityId"),
    ({"f{}__gc".format(i): i for i in range(201)}, "At most 200 custom fields"),
], ids=lambda record: str(record)[:60])
def test_records_that_cannot_be_accepted_are_400_naming_the_problem(cs, record, field):
    body = create_body(**record)
    body["requests"][0]["record"] = {k: v for k, v in body["requests"][0]["record"].items()
                                     if v is not None or k == "Name"}
    status, code, envelope = cs.error("POST", CREATE, body)
    assert (status, code) == (400, "CG_INVALID_REQUEST") and field in envelope["message"], envelope


def test_company_name_without_a_lookup_is_8008(cs):
    status, code, envelope = cs.error("POST", CREATE, create_body(EntityType="COMPANY", CompanyName="IBM"))
    assert (status, code, envelope["errorDesc"]) == (400, 8008, "INVALID_LOOKUP_CONFIG")


@pytest.mark.parametrize("links, code", [({"CTA": []}, 8001), ({"SP": []}, 8002), ({"CTA": ["a"], "SP": []}, 8002)])
def test_an_empty_cta_or_sp_set_is_8001_or_8002(cs, links, code):
    body = create_body()
    body["requests"][0]["association"] = links
    assert cs.error("POST", CREATE, body)[:2] == (400, code)
    goal = cs.create()
    update = {"requests": [{"record": {"Gsid": goal["Gsid"]}, "dissociation": links}]}
    status, error_code, envelope = cs.error("PUT", UPDATE, update)
    assert (status, error_code) == (400, code)
    assert envelope["errorDesc"] == {8001: "CTA_RECORD_EMPTY", 8002: "SP_RECORD_EMPTY"}[code]


# --- update ---------------------------------------------------------------------------------------------
def test_update_answers_the_fields_it_set_and_keeps_the_others(cs):
    statuses = cs.statuses()
    goal = cs.create(Name="CG1", DueDate="2022-12-21", Description="d", keep__gc="k")
    record = cs.update(goal["Gsid"], Name="CG15", StatusName="On Track", DueDate="2022-12-24",
                       Description="<p><br>Updated Desc</p>")
    assert record == {"Description": "<p><br>Updated Desc</p>", "DueDate": "2022-12-24", "GoalCategory": "GOAL",
                      "Gsid": goal["Gsid"], "ModifiedById": goal["CreatedById"],
                      "ModifiedDate": record["ModifiedDate"], "Name": "CG15", "StatusId": statuses["On Track"]}
    assert record["ModifiedDate"] >= goal["ModifiedDate"]
    stored = cs.fetch_one(goal["Gsid"])["dataList"]
    assert (stored["Name"], stored["keep__gc"], stored["CreatedDate"]) == ("CG15", "k", goal["CreatedDate"])


def test_update_clears_fields_given_as_null_and_custom_fields_too(cs):
    goal = cs.create(DueDate="2022-12-21", Description="d", a__gc="x", b__gc=1)
    record = cs.update(goal["Gsid"], DueDate=None, Description=None, a__gc=None)
    assert (record["DueDate"], record["Description"], record["a__gc"]) == (None, None, None)
    stored = cs.fetch_one(goal["Gsid"])["dataList"]
    assert "DueDate" not in stored and "a__gc" not in stored and stored["b__gc"] == 1


@pytest.mark.parametrize("name", ["", "  ", None])
def test_name_may_not_be_emptied(cs, name):
    goal = cs.create(Name="Keep me")
    status, code, envelope = cs.error("PUT", UPDATE, {"requests": [{"record": {"Gsid": goal["Gsid"], "Name": name}}]})
    assert (status, code) == (400, "CG_INVALID_REQUEST") and "Name" in envelope["message"]
    assert cs.fetch_one(goal["Gsid"])["dataList"]["Name"] == "Keep me"


def test_update_with_an_unknown_status_is_8010_and_changes_nothing(cs):
    goal = cs.create(Name="Before")
    body = {"requests": [{"record": {"Gsid": goal["Gsid"], "Name": "After", "StatusName": "Done-ish"}}]}
    assert cs.error("PUT", UPDATE, body)[:2] == (400, 8010)
    assert cs.fetch_one(goal["Gsid"])["dataList"]["Name"] == "Before"


@pytest.mark.parametrize("record, expected", [
    ({"Gsid": "1CG0" + "Z" * 32}, (404, "CG_NOT_FOUND")), ({}, (400, "CG_INVALID_REQUEST")),
    ({"Gsid": "x", "EntityType": "COMPANY"}, (400, "CG_INVALID_REQUEST")),
])
def test_update_of_a_missing_goal_or_without_gsid(cs, record, expected):
    if record.get("Gsid") == "x":
        record["Gsid"] = cs.create()["Gsid"]  # EntityType cannot change
    assert cs.error("PUT", UPDATE, {"requests": [{"record": record}]})[:2] == expected


def test_ctas_and_success_plans_are_sets_added_and_removed(cs):
    body = create_body()
    body["requests"][0]["association"] = {"CTA": ["cta-1", "cta-2", "cta-1"], "SP": ["sp-1"]}
    goal = cs.ok("POST", CREATE, body)["goal"]
    fetched = cs.fetch_one(goal["Gsid"])
    assert fetched["associatedCTAs"] == [{"gsid": "cta-1"}, {"gsid": "cta-2"}]
    assert fetched["associatedSPs"] == [{"gsid": "sp-1"}]
    cs.ok("PUT", UPDATE, {"requests": [{"record": {"Gsid": goal["Gsid"]}, "association": {"CTA": ["cta-3"]},
                                        "dissociation": {"CTA": ["cta-1", "unknown"], "SP": ["sp-1"]}}]})
    fetched = cs.fetch_one(goal["Gsid"])
    assert (fetched["associatedCTAs"], fetched["associatedSPs"]) == ([{"gsid": "cta-2"}, {"gsid": "cta-3"}], [])


def test_metric_values_keep_a_dated_series_that_updates_add_to(cs):
    metric = cs.metric()["gsid"]
    body = create_body(metricsAssociation=[{"metricId": metric, "baseValue": 10.0, "targetValue": 8.0,
                                            "actualValue": [{"value": 5.0, "timestamp": "2025-01-04"}]}])
    goal = cs.ok("POST", CREATE, body)["goal"]
    values = goal["MetricValues"][0]
    assert (values["metricId"], values["goalId"], values["baseValue"], values["targetValue"]) == (
        metric, goal["Gsid"], 10.0, 8.0)
    assert [(p["value"], p["timestamp"]) for p in values["actualValue"]] == [(5.0, "2025-01-04")]
    record = cs.update(goal["Gsid"], metricsAssociation=[{"metricId": metric, "actualValue": [
        {"value": 6.5, "timestamp": "2025-01-10"}, {"value": 5.5, "timestamp": "2025-01-04"}]}])
    series = record["MetricValues"][0]
    assert [(p["value"], p["timestamp"]) for p in series["actualValue"]] == [(5.5, "2025-01-04"), (6.5, "2025-01-10")]
    assert (series["baseValue"], series["targetValue"]) == (10.0, 8.0)  # not given: kept
    fetched = cs.fetch_one(goal["Gsid"], select=["MetricValues"])["dataList"]
    assert fetched == {"MetricValues": record["MetricValues"]}
    cleared = cs.update(goal["Gsid"], metricsDissociation=[metric])
    assert cleared["MetricValues"] == []


# --- delete (not in the document) ---------------------------------------------------------------------
def test_goals_are_deleted_by_record_ids_and_unknown_ids_are_reported(cs, api):
    goal, other = cs.create(), api.signup()
    foreign = type(cs)(api, other.token).create()
    data = cs.ok("DELETE", DELETE, {"recordIds": [goal["Gsid"], foreign["Gsid"]]})
    assert [item["Gsid"] for item in data["successList"]] == [goal["Gsid"]]
    assert data["successList"][0]["Deleted"] is True and data["successList"][0]["GoalCategory"] == "GOAL"
    assert data["failureList"] == [{"Gsid": foreign["Gsid"], "Deleted": False, "errorCode": "CG_NOT_FOUND",
                                    "message": "Goal not found"}]
    assert (data["success"], data["failCount"]) == (False, 1)
    assert cs.fetch_one(goal["Gsid"]) is None
    assert cs.error("PUT", UPDATE, {"requests": [{"record": {"Gsid": goal["Gsid"], "Name": "x"}}]})[0] == 404
