"""One prospect through the gateway: its detail, PATCH of its fields, its follow-up data and role
assignments, partner data; field errors 400 naming the field, wrong shapes 422, duplicates 409."""
import pytest

from services.prospects.tests.support import boom, create_one, member, row


def _patch(api, who, path, body):
    return api.request("PATCH", path, token=who.token, json=body)


def test_the_detail_has_the_documents_shape(api, ws, boss):
    prospect_id = create_one(api, boss, name="John Doe", company="Acme Corp", email="john@acme.example",
                             phone=5551234567, code=52, locale=1, monthly_shipments=150)
    body = api.get("/prospects/{}".format(prospect_id), token=boss.token).json()
    assert set(body) >= {"prospect", "follow_data", "notes", "contacts", "locations"}
    prospect = body["prospect"]
    assert {key: prospect[key] for key in ("id", "name", "company_name", "email", "phone_code", "phone",
                                           "company_id", "follow_up_id", "locale_id", "type", "status",
                                           "created_by")} == {
        "id": prospect_id, "name": "John Doe", "company_name": "Acme Corp", "email": "john@acme.example",
        "phone_code": "52", "phone": "5551234567", "company_id": None, "follow_up_id": 1, "locale_id": 1, "type": 1,
        "status": 1, "created_by": boss.id}
    assert prospect["created_at"].endswith("Z") and prospect["salesman_name"] == boss.name
    follow = body["follow_data"]
    assert follow["monthly_shipments"] == 150 and follow["monthly_shipments_desc"] == "100-500"
    assert body["notes"] == body["contacts"] == body["locations"] == [] and body["partner_data"] is None
    assert api.get("/prospects/{}?source=partner".format(prospect_id), token=boss.token).status_code == 200
    assert "source" in boom(api.get("/prospects/{}?source=elsewhere".format(prospect_id), token=boss.token),
                            400)["message"]


def test_patch_changes_the_core_fields_and_search_finds_the_new_name(api, ws, boss):
    prospect_id = create_one(api, boss)
    changed = _patch(api, boss, "/prospects/{}".format(prospect_id),
                     {"company_name": "Über Logística", "name": "Zoë", "email": "Zoe@Uber.example",
                      "phone_code": "+1", "phone": "(555) 987-6543"}).json()["prospect"]
    assert (changed["company_name"], changed["email"], changed["phone_code"], changed["phone"]) == \
        ("Über Logística", "Zoe@Uber.example", "1", "5559876543")
    found = api.get("/prospects/list?search=LOGISTICA", token=boss.token).json()["data"]
    assert [record["id"] for record in found] == [prospect_id]


@pytest.mark.parametrize("body, field", [({"email": "not-an-email"}, "email"), ({"phone": "55-CALL-ME"}, "phone"),
                                         ({"company_name": "x" * 201}, "company_name"),
                                         ({"created_by": 0}, "created_by"),
                                         ({"created_by": 2 ** 63}, "created_by"), ({"surprise": 1}, "surprise"),
                                         ({"phone_code": "abc"}, "phone_code")])
def test_a_field_error_is_400_naming_the_field(api, ws, boss, body, field):
    prospect_id = create_one(api, boss)
    assert field in boom(_patch(api, boss, "/prospects/{}".format(prospect_id), body), 400)["message"]


def test_a_body_of_the_wrong_shape_is_422_and_text_that_is_not_json_400(api, ws, boss):
    prospect_id = create_one(api, boss)
    for path in ("/prospects/{}", "/prospects/{}/data", "/prospects/{}/notes"):
        path = path.format(prospect_id)
        boom(api.request("PATCH" if "notes" not in path else "POST", path, token=boss.token, json=[1, 2]), 422)
    boom(api.request("PATCH", "/prospects/{}".format(prospect_id), token=boss.token, data="{oops",
                     headers={"Content-Type": "application/json"}), 400)
    boom(api.request("PATCH", "/prospects/{}".format(prospect_id), token=boss.token, data="[" * 100000,
                     headers={"Content-Type": "application/json"}), 400)


def test_an_email_or_phone_in_use_is_409(api, ws, boss):
    first = create_one(api, boss, email="taken@acme.example", phone=5550000001, code=52)
    second = create_one(api, boss)
    path = "/prospects/{}".format(second)
    assert "email" in boom(_patch(api, boss, path, {"email": "TAKEN@acme.example"}), 409)["message"]
    assert "phone" in boom(_patch(api, boss, path, {"phone_code": "52", "phone": "555 000 0001"}), 409)["message"]
    boom(_patch(api, boss, path, {"email": ws.email}), 409)  # the owner's: a user of the workspace
    assert _patch(api, boss, "/prospects/{}".format(first), {"email": "Taken@Acme.example"}).status_code == 200


def test_created_by_hands_the_prospect_to_another_salesman_of_the_workspace(api, ws, boss):
    ann = member(ws, first_name="Ann")
    prospect_id = create_one(api, boss)
    moved = _patch(api, boss, "/prospects/{}".format(prospect_id), {"created_by": ann.id}).json()["prospect"]
    assert moved["created_by"] == ann.id and moved["salesman_name"] == ann.name
    assert [record["id"] for record in api.get("/prospects/list", token=ann.token).json()["data"]] == [prospect_id]
    outsider = api.signup().owner["id"]
    boom(_patch(api, boss, "/prospects/{}".format(prospect_id), {"created_by": outsider}), 400)


def test_follow_data_and_assignments(api, ws, boss):
    kae, csr = member(ws, first_name="Kay"), member(ws, first_name="Cee")
    prospect_id = create_one(api, boss)
    data = {"channel": "referral", "account_value": 8000.5, "monthly_shipments": 200, "ecommerce_type_id": 3,
            "weight_id": 2, "content_id": 1, "account_type": "enterprise", "estimated_close_date": "2026-05-01",
            "annotations": "High-priority", "name": "Display", "locale": 2, "campaign": "Q1-2026",
            "lead_status": "qualified", "has_recharge": True, "tier": "gold", "services": [1, 3, 5],
            "assignments": {"kae": kae.id, "csr": csr.id}}
    body = _patch(api, boss, "/prospects/{}/data".format(prospect_id), data).json()
    follow = body["follow_data"]
    assert (follow["channel"], follow["account_value"], follow["monthly_shipments_desc"], follow["account_type"],
            follow["estimated_close_date"], follow["services"], follow["has_recharge"]) == \
        ("referral", 8000.5, "100-500", "enterprise", "2026-05-01", [1, 3, 5], True)
    assert body["assignments"]["kae"] == kae.id and body["assignments"]["csr"] == csr.id
    assert body["prospect"]["name"] == "Display" and body["prospect"]["locale_id"] == 2
    cleared = _patch(api, boss, "/prospects/{}/data".format(prospect_id), {"assignments": {"kae": None}}).json()
    assert cleared["assignments"]["kae"] is None and cleared["assignments"]["csr"] == csr.id


@pytest.mark.parametrize("body, field", [({"account_type": "huge"}, "account_type"),
                                         ({"account_value": -1}, "account_value"),
                                         ({"account_value": "1.234"}, "account_value"),
                                         ({"estimated_close_date": "May 1st"}, "estimated_close_date"),
                                         ({"assignments": {"kae": 999999999}}, "assignments.kae"),
                                         ({"assignments": {"boss": 1}}, "assignments.boss"),
                                         ({"services": [1, "x"]}, "services")])
def test_invalid_follow_data_is_400_naming_the_field(api, ws, boss, body, field):
    prospect_id = create_one(api, boss)
    assert field in boom(_patch(api, boss, "/prospects/{}/data".format(prospect_id), body), 400)["message"]


def test_an_assignee_from_another_workspace_or_deactivated_is_refused(api, ws, boss):
    prospect_id = create_one(api, boss)
    outsider = api.signup().owner["id"]
    boom(_patch(api, boss, "/prospects/{}/data".format(prospect_id), {"assignments": {"wms": outsider}}), 400)
    leaver = member(ws)
    assert api.post("/api/directory/users/{}/deactivate".format(leaver.id), {}, token=ws.token).status_code == 200
    boom(_patch(api, boss, "/prospects/{}/data".format(prospect_id), {"assignments": {"wms": leaver.id}}), 400)
    boom(_patch(api, boss, "/prospects/{}".format(prospect_id), {"created_by": leaver.id}), 400)


def test_partner_data_only_on_partners(api, ws, boss):
    partner = create_one(api, boss, type=3)
    lead = create_one(api, boss)
    data = {"url": "https://partner-store.example", "partner_type_id": 2, "partner_origin_id": 1, "rating": 4,
            "locale_id": 1, "social_network": "@partnerstore"}
    saved = _patch(api, boss, "/prospects/{}/partner-data".format(partner), data).json()["partner_data"]
    assert saved["rating"] == 4 and saved["social_network"] == "@partnerstore"
    assert api.get("/prospects/{}".format(partner), token=boss.token).json()["partner_data"]["url"] == data["url"]
    assert "type" in boom(_patch(api, boss, "/prospects/{}/partner-data".format(lead), data), 400)["message"]
    for bad, field in ((dict(data, rating=6), "rating"), (dict(data, rating=0), "rating"),
                       (dict(data, url="not a url"), "url"),
                       ({name: value for name, value in data.items() if name != "url"}, "url"),
                       (dict(data, social_network="x" * 151), "social_network")):
        assert field in boom(_patch(api, boss, "/prospects/{}/partner-data".format(partner), bad), 400)["message"]
    assert api.get("/prospects/list?source=partner", token=boss.token).json()["data"][0]["id"] == partner
    assert partner not in [r["id"] for r in api.get("/prospects/list", token=boss.token).json()["data"]]


def test_an_import_row_with_an_unknown_field_is_imported_without_it(api, ws, boss):
    prospect_id = create_one(api, boss, **{"favourite_colour": "teal"})
    assert api.get("/prospects/{}".format(prospect_id), token=boss.token).status_code == 200
    assert row()["code"] == 52
