"""Metrics through the gateway (the document's paths without /v1): create, update, goal types by id
or by name, delete, and VC_8026 with errorInfo while goals or templates use the metric."""
import pytest

from services.goals.customer_goals.tests.support import CREATE, METRIC, METRICS, PICKLIST_CREATE


def add_goal_type(cs, name):
    return cs.ok("POST", PICKLIST_CREATE, {"picklists": [{"name": name, "picklistCategory": "GOAL_TYPE"}]})[
        "successList"][0]["gsid"]


def test_the_documents_metric_create_sample(cs, ws):
    cp_type = add_goal_type(cs, "CP Goal Type")
    default = cs.goal_types()["Default"]
    data = cs.ok("POST", METRIC, {"requests": [{
        "record": {"name": "Metric Name 1", "unitOfMeasure": "DECIMAL", "description": "<p>description</p>"},
        "associateGoalTypes": [default], "associateGoalTypeNames": ["CP Goal Type"]}]})
    assert data["failureList"] == []
    metric = data["successList"][0]
    assert {k: metric[k] for k in ("name", "description", "unitOfMeasure", "deleted", "active", "systemDefined",
                                   "externalId", "createdBy", "modifiedBy")} == {
        "name": "Metric Name 1", "description": "<p>description</p>", "unitOfMeasure": "DECIMAL", "deleted": False,
        "active": True, "systemDefined": False, "externalId": None, "createdBy": ws.owner["uuid"],
        "modifiedBy": ws.owner["uuid"]}
    assert metric["gsid"].startswith("1I05") and metric["createdAt"] == metric["modifiedAt"]
    assert isinstance(metric["displayOrder"], int)
    listed = cs.ok("POST", "/v1/csgoal/external/admin/picklist", {"includeMetrics": True})["metrics"]
    assert [m["gsid"] for m in listed] == [metric["gsid"]]
    assert cp_type


def test_the_documents_metric_update_sample(cs):
    cg4, cg1 = add_goal_type(cs, "CG4"), add_goal_type(cs, "CG1")
    other = add_goal_type(cs, "Other")
    metric = cs.metric(associateGoalTypes=[cg1], associateGoalTypeNames=["Other"])
    data = cs.ok("PUT", METRIC, {"requests": [{
        "record": {"gsid": metric["gsid"], "name": "Metric Name 1 - updated", "unitOfMeasure": "PERCENTAGE",
                   "description": "Updated description"},
        "associateGoalTypes": [cs.goal_types()["Default"]], "associateGoalTypeNames": ["CG4"],
        "dissociateGoalTypes": [other], "dissociateGoalTypeNames": ["CG1"]}]})
    updated = data["successList"][0]
    assert (updated["gsid"], updated["name"], updated["unitOfMeasure"], updated["description"]) == (
        metric["gsid"], "Metric Name 1 - updated", "PERCENTAGE", "Updated description")
    assert updated["modifiedAt"] >= metric["modifiedAt"] and updated["createdAt"] == metric["createdAt"]
    # the goal types it is associated with now are the layouts a delete reports
    goal = cs.create(metricsAssociation=[{"metricId": metric["gsid"]}])
    info = cs.error("DELETE", METRICS, {"recordIds": [metric["gsid"]]})[2]["errorInfo"]
    assert sorted(info["usageInLayouts"]) == ["CG4", "Default"] and cg4
    assert info["usageInGoals"] == [{"gsid": goal["Gsid"], "name": goal["Name"]}]


@pytest.mark.parametrize("request_item, code", [
    ({"record": {"name": "m"}}, "CG_INVALID_REQUEST"),
    ({"record": {"name": "m", "unitOfMeasure": "LITERS"}}, "CG_INVALID_REQUEST"),
    ({"record": {"name": "", "unitOfMeasure": "DECIMAL"}}, "CG_INVALID_REQUEST"),
    ({"record": {"name": "m", "unitOfMeasure": "DECIMAL"}, "associateGoalTypeNames": ["Nope"]}, "CG_INVALID_REQUEST"),
    ({"record": {"name": "m", "unitOfMeasure": "DECIMAL"}, "associateGoalTypes": ["1I00NOPE"]}, "CG_INVALID_REQUEST"),
    ({"record": {"name": "m", "unitOfMeasure": "DECIMAL", "color": "red"}}, "CG_INVALID_REQUEST"),
], ids=str)
def test_metric_records_that_cannot_be_accepted_are_400(cs, request_item, code):
    assert cs.error("POST", METRIC, {"requests": [request_item]})[:2] == (400, code)


def test_updating_a_missing_metric_is_404(cs, api):
    foreign = type(cs)(api, api.signup().token).metric()
    for gsid in (foreign["gsid"], "1I05" + "Z" * 32):
        assert cs.error("PUT", METRIC, {"requests": [{"record": {"gsid": gsid, "name": "x"}}]})[:2] == (
            404, "CG_NOT_FOUND")


def test_a_metric_no_goal_uses_is_deleted(cs):
    metric = cs.metric()
    data = cs.ok("DELETE", METRICS, {"recordIds": [metric["gsid"]]})
    deleted = data["deletedMetrics"][0]
    assert (deleted["gsid"], deleted["deleted"], deleted["name"]) == (metric["gsid"], True, metric["name"])
    assert cs.ok("POST", "/v1/csgoal/external/admin/picklist", {"includeMetrics": True})["metrics"] == []
    assert cs.error("DELETE", METRICS, {"recordIds": [metric["gsid"]]})[:2] == (404, "CG_NOT_FOUND")
    body = {"requests": [{"record": {"Name": "g", "StatusName": "New", "EntityType": "GLOBAL",
                                     "metricsAssociation": [{"metricId": metric["gsid"]}]}}]}
    assert cs.error("POST", CREATE, body)[:2] == (400, "CG_INVALID_REQUEST")


def test_deleting_a_metric_goals_or_templates_use_is_vc_8026_with_error_info(cs):
    metric = cs.metric(associateGoalTypeNames=["Default"])
    goal = cs.create(Name="gggg", metricsAssociation=[{"metricId": metric["gsid"], "baseValue": 1}])
    template = cs.template(Name="tttt", metricsAssociation=[{"metricId": metric["gsid"]}])
    status, code, envelope = cs.error("DELETE", METRICS, {"recordIds": [metric["gsid"]]})
    assert (status, code) == (400, "VC_8026")
    assert envelope["message"] == "Metric is used in some goals or templates. Cannot delete the metric."
    assert envelope["errorInfo"] == {"usageInLayouts": ["Default"], "hasUsage": True, "usageInGoals": [
        {"gsid": goal["Gsid"], "name": "gggg"}, {"gsid": template["Gsid"], "name": "tttt"}]}
    cs.update(goal["Gsid"], metricsDissociation=[metric["gsid"]])
    cs.ok("PUT", "/v1/csgoal/external/template", {"requests": [{"record": {
        "Gsid": template["Gsid"], "metricsDissociation": [{"metricId": metric["gsid"]}]}}]})
    assert cs.ok("DELETE", METRICS, {"recordIds": [metric["gsid"]]})["deletedMetrics"][0]["deleted"] is True


def test_metric_deletion_is_all_or_nothing(cs):
    free, used = cs.metric(), cs.metric()
    cs.create(metricsAssociation=[{"metricId": used["gsid"]}])
    assert cs.error("DELETE", METRICS, {"recordIds": [free["gsid"], used["gsid"]]})[:2] == (400, "VC_8026")
    assert cs.error("DELETE", METRICS, {"recordIds": [free["gsid"], "1I05" + "Y" * 32]})[:2] == (404, "CG_NOT_FOUND")
    listed = cs.ok("POST", "/v1/csgoal/external/admin/picklist", {"includeMetrics": True})["metrics"]
    assert {m["gsid"] for m in listed} == {free["gsid"], used["gsid"]}
