"""The sales goals API through the gateway: every endpoint's request fields, rules, error codes and
response shapes of the document (seeds/000_8886c2696b04dfc0.txt)."""
import uuid

import pytest

from services.goals.tests.support import INPUT, error


# --- create -------------------------------------------------------------------------------------------
def test_example_1_create_sale_volume_goal_answers_the_documented_shape(goals, ws):
    seller, other = ws.add_user(), ws.add_user()
    response = goals.post("/goal", {"action": "create", "description": "Venta de Fertilizante Q1",
                                    "campaign_uuid": goals.campaign["uuid"], "goal_type": "sale",
                                    "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10000, "id_unit": 1,
                                    "users": [seller["id"], other["id"]]})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0 and body["message"] == "goal created successfully"
    data = body["data"]
    uuid.UUID(data["uuid"])
    assert data["description"] == "Venta de Fertilizante Q1"
    assert data["campaign"]["name"] == "Campaña 2025"
    assert (data["goal_type"], data["goal_subtype"], data["amount"], data["id_unit"], data["unit"]) == \
        ("sale", "volume", 10000, 1, "kg")
    assert data["assigned_to"] == [{"type": "user", "id": seller["id"]}, {"type": "user", "id": other["id"]}]
    assert data["created_at"].endswith("Z")


def test_create_with_groups_and_billing_in_a_currency(goals, ws):
    group = ws.add_group(members=[ws.owner["id"]])
    data = goals.create(goal_subtype="billing", id_unit=840, amount=2500.5, groups=[group["id"]])
    assert (data["unit"], data["amount"]) == ("USD", 2500.5)
    assert data["assigned_to"] == [{"type": "group", "id": group["id"]}]


def test_create_purchase_goal_with_crop_and_variety(goals):
    data = goals.create(goal_type="purchase", input_uuid=None, crop_id=7, variety_id=3, id_unit=2)
    assert (data["goal_type"], data["crop_id"], data["variety_id"], data["unit"]) == ("purchase", 7, 3, "t")


@pytest.mark.parametrize("change", [
    {"amount": 0}, {"amount": -5}, {"amount": "100"}, {"amount": True}, {"id_unit": None},
    {"id_unit": 999}, {"goal_subtype": "billing", "id_unit": 1}, {"input_uuid": None},
    {"goal_type": "purchase", "input_uuid": None}, {"description": ""}, {"campaign_uuid": "not-a-uuid"},
    {"users": ["12"]}, {"unexpected": 1},
], ids=lambda change: ",".join("{}={}".format(k, v) for k, v in change.items()))
def test_create_refuses_invalid_goals_with_code_30(goals, change):
    body = {"action": "create", "description": "x", "campaign_uuid": goals.campaign["uuid"], "goal_type": "sale",
            "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10, "id_unit": 1}
    body.update(change)
    body = {k: v for k, v in body.items() if not (k == "id_unit" and v is None)}
    assert error(goals.post("/goal", body)) == (400, 30)


@pytest.mark.parametrize("field,value", [("goal_type", "exchange"), ("goal_subtype", "revenue")])
def test_create_with_an_unknown_goal_type_is_code_32(goals, field, value):
    body = {"action": "create", "description": "x", "campaign_uuid": goals.campaign["uuid"], "goal_type": "sale",
            "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10, "id_unit": 1, field: value}
    assert error(goals.post("/goal", body)) == (400, 32)


def test_create_in_an_unknown_or_foreign_campaign_is_code_31(goals, api):
    foreign = api.signup().add_campaign()
    for campaign_uuid in (str(uuid.uuid4()), foreign["uuid"]):
        body = {"action": "create", "description": "x", "campaign_uuid": campaign_uuid, "goal_type": "sale",
                "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10, "id_unit": 1}
        assert error(goals.post("/goal", body)) == (404, 31)


def test_create_assigning_unknown_or_foreign_users_and_groups_is_code_33(goals, api):
    stranger = api.signup()
    foreign_group = stranger.add_group(members=[stranger.owner["id"]])
    for change in ({"users": [stranger.owner["id"]]}, {"users": [987654]}, {"groups": [foreign_group["id"]]}):
        body = {"action": "create", "description": "x", "campaign_uuid": goals.campaign["uuid"], "goal_type": "sale",
                "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10, "id_unit": 1}
        body.update(change)
        assert error(goals.post("/goal", body)) == (400, 33)


@pytest.mark.parametrize("path", ["", "/goal", "/assign", "/unassign", "/progress"])
def test_missing_or_malformed_body_is_code_1(goals, api, ws, path):
    url = "/api/sales/goals" + path
    headers = {"Authorization": "Bearer " + ws.token, "Content-Type": "application/json"}
    for raw in (b"", b"{not json", b"[1, 2]"):
        response = api.request("POST", url, data=raw, headers=headers)
        assert error(response) == (400, 1)
        assert response.json()["res"] == "error"


@pytest.mark.parametrize("path,body", [
    ("/goal", {"action": "archive"}), ("/goal", {"description": "no action"}),
    ("", {"action": "list"}), ("/unassign", {"action": "unassign_everyone", "goal_uuid": str(uuid.uuid4())}),
])
def test_unknown_action_is_code_2(goals, path, body):
    assert error(goals.post(path, body)) == (400, 2)


def test_goals_api_requires_a_token(api):
    response = api.post("/api/sales/goals", {"action": "get_all_goals"})
    assert response.status_code == 401 and response.json()["res"] == "error"


# --- update / delete ----------------------------------------------------------------------------------
def test_example_3_update_goal_amount(goals):
    goal = goals.create()
    response = goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "amount": 15000})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "goal updated successfully"
    assert body["data"]["uuid"] == goal["uuid"] and body["data"]["amount"] == 15000
    assert body["data"]["description"] == goal["description"]
    assert body["data"]["modified_at"].endswith("Z")


def test_update_replaces_assignments_of_the_kinds_provided(goals, ws):
    a, b = ws.add_user(), ws.add_user()
    group = ws.add_group(members=[a["id"]])
    goal = goals.create(users=[a["id"], b["id"]], groups=[group["id"]])
    response = goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "description": "Objetivo actualizado",
                                    "amount": 6000, "users": [a["id"]], "groups": []})
    data = response.json()["data"]
    assert data["description"] == "Objetivo actualizado" and data["amount"] == 6000
    assert data["assigned_to"] == [{"type": "user", "id": a["id"]}]
    response = goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "groups": [group["id"]]})
    assert response.json()["data"]["assigned_to"] == [{"type": "user", "id": a["id"]},
                                                      {"type": "group", "id": group["id"]}]


def test_only_the_owner_updates_deletes_assigns_and_unassigns(goals, ws):
    goal = goals.create()
    intruder = ws.add_user()
    attempts = [("/goal", {"action": "update", "uuid": goal["uuid"], "amount": 1}),
                ("/goal", {"action": "delete", "uuid": goal["uuid"]}),
                ("/assign", {"goal_uuid": goal["uuid"], "users": [intruder["id"]]}),
                ("/unassign", {"action": "unassign_users", "goal_uuid": goal["uuid"], "users": [intruder["id"]]}),
                ("/unassign", {"action": "unassign_groups", "goal_uuid": goal["uuid"], "groups": [1]})]
    for path, body in attempts:
        assert error(goals.post(path, body, token=intruder["token"])) == (403, 21)
    assert goals.progress(goal["uuid"])["target"] == 10000  # nothing changed


def test_update_validation_and_not_found(goals, api):
    goal = goals.create()
    assert error(goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "amount": 0})) == (400, 30)
    assert error(goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "id_unit": 2})) == (400, 30)
    assert error(goals.post("/goal", {"action": "update", "amount": 5})) == (400, 30)
    assert error(goals.post("/goal", {"action": "update", "uuid": str(uuid.uuid4()), "amount": 5})) == (404, 20)
    stranger = api.signup()
    assert error(api.post("/api/sales/goals/goal", {"action": "update", "uuid": goal["uuid"], "amount": 5},
                          token=stranger.token)) == (404, 20)


def test_a_deleted_goal_is_gone_for_everyone(goals, ws):
    goal = goals.create()
    response = goals.post("/goal", {"action": "delete", "uuid": goal["uuid"]})
    assert response.status_code == 200
    assert response.json() == {"code": 0, "message": "goal deleted successfully"}
    colleague = ws.add_user()
    for token in (ws.token, colleague["token"]):
        assert error(goals.post("/progress", {"goal_uuid": goal["uuid"]}, token=token)) == (404, 20)
    assert error(goals.post("/goal", {"action": "delete", "uuid": goal["uuid"]})) == (404, 20)
    assert error(goals.post("/goal", {"action": "update", "uuid": goal["uuid"], "amount": 3})) == (404, 20)
    assert error(goals.post("/assign", {"goal_uuid": goal["uuid"], "users": [colleague["id"]]})) == (404, 20)
    assert goal["uuid"] not in [g["uuid"] for g in goals.listed()["data"]]


# --- assign / unassign --------------------------------------------------------------------------------
def test_assign_adds_users_and_groups_and_unassign_removes_them(goals, ws):
    a, b = ws.add_user(first_name="Carlos", last_name="Gomez"), ws.add_user()
    group = ws.add_group(name="Zona Sur", members=[b["id"]])
    goal = goals.create()
    response = goals.post("/assign", {"goal_uuid": goal["uuid"], "users": [a["id"]], "groups": [group["id"]]})
    assert response.status_code == 200
    assert response.json() == {"code": 0, "message": "goal assigned successfully"}
    goals.post("/assign", {"goal_uuid": goal["uuid"], "users": [b["id"]]})
    assigned = goals.progress(goal["uuid"])["assigned_to"]
    assert {(x["type"], x["id"], x["name"]) for x in assigned} == {
        ("user", a["id"], "Carlos Gomez"), ("user", b["id"], "Sam Seller"), ("group", group["id"], "Zona Sur")}
    response = goals.post("/unassign", {"action": "unassign_users", "goal_uuid": goal["uuid"], "users": [a["id"]]})
    assert response.json() == {"code": 0, "message": "goal unassigned successfully"}
    goals.post("/unassign", {"action": "unassign_groups", "goal_uuid": goal["uuid"], "groups": [group["id"]]})
    assert [(x["type"], x["id"]) for x in goals.progress(goal["uuid"])["assigned_to"]] == [("user", b["id"])]


def test_assign_and_unassign_validation_errors(goals, ws):
    goal = goals.create()
    assert error(goals.post("/assign", {"goal_uuid": goal["uuid"]})) == (400, 3)
    assert error(goals.post("/assign", {"goal_uuid": goal["uuid"], "users": [], "groups": []})) == (400, 3)
    assert error(goals.post("/assign", {"goal_uuid": goal["uuid"], "users": "12"})) == (400, 3)
    assert error(goals.post("/assign", {"users": [ws.owner["id"]]})) == (400, 3)
    assert error(goals.post("/assign", {"goal_uuid": str(uuid.uuid4()), "users": [ws.owner["id"]]})) == (404, 20)
    assert error(goals.post("/assign", {"goal_uuid": goal["uuid"], "users": [987654]})) == (400, 33)
    assert error(goals.post("/unassign", {"action": "unassign_users", "goal_uuid": goal["uuid"]})) == (400, 3)
    assert error(goals.post("/unassign", {"action": "unassign_groups", "goal_uuid": goal["uuid"],
                                          "groups": []})) == (400, 3)
    assert error(goals.post("/unassign", {"action": "unassign_users", "goal_uuid": str(uuid.uuid4()),
                                          "users": [1]})) == (404, 20)


# --- progress (request rules; figures are in test_progress_events.py) ---------------------------------
def test_progress_answers_the_documented_shape(goals, ws):
    user = ws.add_user(first_name="Carlos", last_name="Gomez")
    goal = goals.create(description="Objetivo Zona Sur", users=[user["id"]])
    data = goals.progress(goal["uuid"])
    assert data["uuid"] == goal["uuid"] and data["description"] == "Objetivo Zona Sur"
    assert data["campaign"] == {"uuid": goals.campaign["uuid"], "name": "Campaña 2025"}
    assert (data["goal_type"], data["goal_subtype"], data["target"], data["unit"]) == ("sale", "volume", 10000, "kg")
    assert data["assigned_to"] == [{"type": "user", "id": user["id"], "uuid": user["uuid"], "name": "Carlos Gomez"}]
    detail = data["progress_detail"]
    assert (detail["current"], detail["progress"], detail["operations"], detail["other_units_opportunities"]) == \
        (0, 0.0, [], [])


def test_progress_request_errors(goals, ws):
    goal = goals.create()
    both = {"goal_uuid": goal["uuid"], "user_id": ws.owner["id"], "group_id": 1}
    assert error(goals.post("/progress", both)) == (400, 3)
    assert error(goals.post("/progress", {})) == (400, 3)
    assert error(goals.post("/progress", {"goal_uuid": goal["uuid"], "user_id": "12"})) == (400, 3)
    assert error(goals.post("/progress", {"goal_uuid": str(uuid.uuid4())})) == (404, 20)


def test_progress_of_another_user_needs_the_goal_owner(goals, ws):
    seller, other = ws.add_user(), ws.add_user()
    goal = goals.create(users=[seller["id"], other["id"]])
    assert error(goals.post("/progress", {"goal_uuid": goal["uuid"], "user_id": other["id"]},
                            token=seller["token"])) == (403, 21)
    own = goals.progress(goal["uuid"], token=seller["token"], user_id=seller["id"])
    assert own["filter"] == {"user_id": seller["id"], "group_id": None}
    assert goals.progress(goal["uuid"], token=seller["token"])["uuid"] == goal["uuid"]  # consolidated: anyone


# --- list ---------------------------------------------------------------------------------------------
def test_example_2_list_goals_of_a_campaign_with_names(goals, ws):
    seller = ws.add_user(first_name="Carlos", last_name="Gomez")
    group = ws.add_group(name="Zona Sur", members=[seller["id"]])
    mine = goals.create(description="Objetivo Zona Sur", users=[seller["id"]], groups=[group["id"]])
    other_campaign = ws.add_campaign()
    goals.create(campaign_uuid=other_campaign["uuid"])
    body = goals.listed(campaigns=[goals.campaign["uuid"]], page_size=20)
    assert body["code"] == 0 and body["next_page"] is None
    assert [g["uuid"] for g in body["data"]] == [mine["uuid"]]
    goal = body["data"][0]
    assert goal["campaign"] == {"uuid": goals.campaign["uuid"], "name": "Campaña 2025"}
    assert goal["created_by"] == {"id": ws.owner["id"], "uuid": ws.owner["uuid"], "first_name": "Olivia",
                                  "last_name": "Owner"}
    assert goal["assigned_to"] == [
        {"type": "user", "id": seller["id"], "uuid": seller["uuid"], "name": "Carlos Gomez"},
        {"type": "group", "id": group["id"], "uuid": group["uuid"], "name": "Zona Sur"}]
    assert (goal["goal_type"], goal["goal_subtype"], goal["amount"], goal["unit"], goal["progress"]) == \
        ("sale", "volume", 10000, "kg", 0)


def test_list_filters_combine(goals, ws):
    seller = ws.add_user()
    group = ws.add_group(members=[seller["id"]])
    colleague = ws.add_user()
    a = goals.create(users=[seller["id"]])
    b = goals.create(groups=[group["id"]])
    c = goals.create(token=colleague["token"], users=[seller["id"]])
    uuids = lambda body: {g["uuid"] for g in body["data"]}  # noqa: E731
    assert uuids(goals.listed()) == {a["uuid"], b["uuid"], c["uuid"]}
    assert uuids(goals.listed(user_assigned=[seller["id"]])) == {a["uuid"], c["uuid"]}
    assert uuids(goals.listed(group_assigned=[group["id"]])) == {b["uuid"]}
    assert uuids(goals.listed(owner=[colleague["uuid"]])) == {c["uuid"]}
    assert uuids(goals.listed(owner=[ws.owner["uuid"]], user_assigned=[seller["id"]])) == {a["uuid"]}
    assert uuids(goals.listed(campaigns=[str(uuid.uuid4())])) == set()
    assert uuids(goals.listed(progress_min=0, progress_max=0)) == {a["uuid"], b["uuid"], c["uuid"]}
    assert uuids(goals.listed(progress_min=1)) == set()


def test_list_filter_errors(goals):
    both = {"action": "get_all_goals", "user_assigned": [1], "group_assigned": [2]}
    assert error(goals.post("", both)) == (400, 10)
    assert error(goals.post("", {"action": "get_all_goals", "progress_min": 80, "progress_max": 20})) == (400, 10)
    assert error(goals.post("", {"action": "get_all_goals", "page": "not-a-cursor!"})) == (400, 10)
    for bad in ({"progress_min": -1}, {"progress_max": 101}, {"page_size": 0}, {"user_assigned": "1"},
                {"campaigns": "x"}, {"progress_min": "10"}):
        assert error(goals.post("", dict({"action": "get_all_goals"}, **bad))) == (400, 3), bad


def test_list_pages_with_an_opaque_cursor_and_only_the_callers_workspace(goals, api):
    created = [goals.create(description="goal {}".format(i))["uuid"] for i in range(5)]
    api.signup()  # another workspace's goals never show up
    GoalsOther = type(goals)
    GoalsOther(api, api.signup()).create()
    seen, page = [], None
    while True:
        body = goals.post("", {"action": "get_all_goals", "page_size": 2, "page": page}).json()
        assert len(body["data"]) <= 2
        seen += [g["uuid"] for g in body["data"]]
        page = body["next_page"]
        if page is None:
            break
        assert isinstance(page, str)
    assert seen == list(reversed(created))  # newest first, no duplicates, none missing
