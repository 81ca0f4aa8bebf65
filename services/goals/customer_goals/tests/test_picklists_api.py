"""Goal types and statuses per workspace: the defaults every workspace starts with, GET and POST
reads with the document's body, and the owner's way to add types and statuses."""
import pytest

from services.goals.customer_goals.tests.support import CREATE, PICKLIST, PICKLIST_CREATE, CsGoals


def test_every_workspace_starts_with_the_default_type_and_the_statuses(cs):
    data = cs.ok("GET", PICKLIST)
    assert data["childPicklists"] == [] and data["metrics"] is None
    (default,) = data["picklists"]
    assert {k: default[k] for k in ("name", "systemName", "picklistCategory", "systemDefined", "active",
                                    "displayOrder")} == {"name": "Default", "systemName": "DEFAULT_GOAL_TYPE",
                                                         "picklistCategory": "GOAL_TYPE", "systemDefined": True,
                                                         "active": True, "displayOrder": 1}
    assert default["associationDetails"]["associationIds"] == ["ALL_ENTITY"] and default["gsid"].startswith("1I00")
    statuses = cs.ok("GET", PICKLIST, params={"picklistCategory": "GOAL_STATUS"})["picklists"]
    assert [s["name"] for s in statuses] == ["New", "On Track", "At Risk", "Achieved", "Not Achieved"]
    assert {s["picklistCategory"] for s in statuses} == {"GOAL_STATUS"}
    assert [s["openStatusType"] for s in statuses] == [True, True, True, False, False]


def test_the_documents_post_body_reads_types_with_their_statuses(cs):
    data = cs.ok("POST", PICKLIST, {"entityIds": ["COMPANY"], "active": False, "includeMetrics": False,
                                    "includeChildPicklist": True, "picklistCategory": "GOAL_TYPE"})
    assert [p["name"] for p in data["picklists"]] == ["Default"]
    assert [p["name"] for p in data["childPicklists"]] == ["New", "On Track", "At Risk", "Achieved", "Not Achieved"]
    assert data["metrics"] is None


def test_each_workspace_has_its_own_picklists(cs, api):
    other = CsGoals(api, api.signup().token)
    assert set(cs.statuses().values()).isdisjoint(other.statuses().values())
    cs.ok("POST", PICKLIST_CREATE, {"picklists": [{"name": "Mine only", "picklistCategory": "GOAL_TYPE"}]})
    assert "Mine only" not in other.goal_types()


def test_the_owner_adds_types_and_statuses_that_goals_then_use(cs):
    data = cs.ok("POST", PICKLIST_CREATE, {"picklists": [
        {"name": "Renewal", "picklistCategory": "GOAL_TYPE", "color": "#112233", "associationIds": ["COMPANY"]},
        {"name": "Blocked", "picklistCategory": "GOAL_STATUS", "openStatusType": True}]})
    renewal, blocked = data["successList"]
    assert (renewal["name"], renewal["color"], renewal["systemDefined"], renewal["displayOrder"]) == (
        "Renewal", "#112233", False, 2)
    assert renewal["associationDetails"]["associationIds"] == ["COMPANY"] and "systemName" not in renewal
    assert blocked["displayOrder"] == 6
    goal = cs.create(GoalTypeName="renewal", StatusName="Blocked")
    assert (goal["GoalTypeId"], goal["StatusId"]) == (renewal["gsid"], blocked["gsid"])
    by_entity = cs.ok("GET", PICKLIST, params={"entityIds": "OPPORTUNITY"})["picklists"]
    assert [p["name"] for p in by_entity] == ["Default"]  # Renewal is for companies only
    assert [p["name"] for p in cs.ok("GET", PICKLIST, params={"entityIds": "COMPANY"})["picklists"]] == [
        "Default", "Renewal"]


@pytest.mark.parametrize("name", ["On Track", "on  track", "DEFAULT"])
def test_a_name_already_used_in_its_category_is_a_conflict(cs, name):
    category = "GOAL_TYPE" if name == "DEFAULT" else "GOAL_STATUS"
    status, code, _ = cs.error("POST", PICKLIST_CREATE, {"picklists": [{"name": name, "picklistCategory": category}]})
    assert (status, code) == (409, "CG_CONFLICT")


def test_only_the_owner_adds_picklists(cs, ws, api):
    seller = CsGoals(api, ws.add_user()["token"])
    body = {"picklists": [{"name": "X", "picklistCategory": "GOAL_TYPE"}]}
    status, code, _ = seller.error("POST", PICKLIST_CREATE, body)
    assert (status, code) == (403, "CG_FORBIDDEN")
    assert seller.statuses() == cs.statuses()  # every user reads them
    assert seller.create()["GoalCategory"] == "GOAL"


@pytest.mark.parametrize("params", [{"picklistCategory": "COLOR"}, {"active": "maybe"}, {"unknown": "1"}])
def test_bad_picklist_queries_are_400(cs, params):
    assert cs.error("GET", PICKLIST, params=params)[:2] == (400, "CG_INVALID_REQUEST")


def test_a_status_added_later_is_known_by_name(cs):
    cs.ok("POST", PICKLIST_CREATE, {"picklists": [{"name": "Parked", "picklistCategory": "GOAL_STATUS"}]})
    assert cs.create(StatusName="parked")["StatusId__gr"] == {"Name": "Parked"}
    body = {"requests": [{"record": {"Name": "g", "EntityType": "GLOBAL", "StatusName": "Parked2"}}]}
    assert cs.error("POST", CREATE, body)[:2] == (400, 8010)
