"""Who may do what, through the gateway: 401 without credentials, 403 without the permission an
endpoint names, 404 for another workspace's records and (without all-prospects) another salesman's,
all in the Boom envelope."""
import pytest

from contracts.permissions import ALL_PROSPECTS, LOCATIONS, PARTNERS, PROSPECTS
from services.prospects.tests.support import boom, create_one, member, row
from tests.support.events import wait_for

READS = ["/prospects/grouped", "/prospects/list", "/prospects/kpis", "/prospects/follow-ups",
         "/prospects/activities?startDate=2026-01-01&endDate=2026-01-31"]


def _routes(prospect_id, company_id=1, location_id=1):
    """(method, path, body) of every endpoint that names a record."""
    return [("GET", "/prospects/{}".format(prospect_id), None),
            ("PATCH", "/prospects/{}".format(prospect_id), {"name": "x"}),
            ("PATCH", "/prospects/{}/data".format(prospect_id), {"channel": "web"}),
            ("POST", "/prospects/{}/contacts".format(prospect_id),
             {"name": "J", "email": "j@x.io", "phone_code": "52", "phone": "5550001111"}),
            ("PUT", "/prospects/{}/contacts".format(prospect_id), {"isDefault": True, "name": "x"}),
            ("POST", "/prospects/{}/notes".format(prospect_id), {"note": "hi"}),
            ("PATCH", "/prospects/{}/notes/1".format(prospect_id), {"scheduled_date": None, "origin": "prospect"}),
            ("POST", "/prospects/{}/locations".format(prospect_id), {"name": "HQ", "link": "l", "type": "office"}),
            ("GET", "/clients/{}".format(company_id), None), ("GET", "/clients/{}/onboarding".format(company_id), None),
            ("PUT", "/prospects/locations/{}".format(location_id), {"name": "x"}),
            ("DELETE", "/prospects/locations/{}".format(location_id), None)]


@pytest.mark.parametrize("method, path", [("GET", path) for path in READS] + [
    ("POST", "/prospects"), ("POST", "/prospects/process"), ("GET", "/prospects/1"), ("PATCH", "/prospects/1"),
    ("DELETE", "/prospects/1/contacts"), ("GET", "/clients/1"), ("PUT", "/clients/locations/1")])
def test_every_endpoint_wants_credentials(api, method, path):
    body = boom(api.request(method, path, json={}), 401)
    assert body["error"] == "Unauthorized"


def test_a_user_without_permissions_may_only_use_the_token_admin_endpoints(api, ws):
    nobody = member(ws, permissions=())
    for path in READS:
        assert boom(api.get(path, token=nobody.token), 403)["error"] == "Forbidden"
    assert api.post("/prospects/process", [row()], token=nobody.token).status_code == 200
    prospect_id = create_one(api, nobody)  # token_admin: any authenticated user of the workspace
    assert api.request("PATCH", "/prospects/{}".format(prospect_id), token=nobody.token,
                       json={"name": "Renamed"}).json()["prospect"]["name"] == "Renamed"
    for method, path, body in _routes(prospect_id)[2:8] + [("GET", "/prospects/{}".format(prospect_id), None)]:
        boom(api.request(method, path, token=nobody.token, json=body), 403)


def test_locations_want_crm_menu_and_partner_data_crm_partners(api, ws, boss):
    seller = member(ws, permissions=(PROSPECTS, ALL_PROSPECTS))
    partner_id = create_one(api, boss, type=3)
    location = {"name": "HQ", "link": "https://maps.example/hq", "type": "office"}
    boom(api.post("/prospects/{}/locations".format(partner_id), location, token=seller.token), 403)
    made = api.post("/prospects/{}/locations".format(partner_id), location, token=boss.token).json()
    boom(api.put("/prospects/locations/{}".format(made["id"]), {"name": "x"}, token=seller.token), 403)
    boom(api.delete("/prospects/locations/{}".format(made["id"]), token=seller.token), 403)
    partner = {"url": "https://partner.example", "partner_type_id": 1, "partner_origin_id": 1, "rating": 4,
               "locale_id": 1}
    boom(api.request("PATCH", "/prospects/{}/partner-data".format(partner_id), token=seller.token, json=partner), 403)
    partners = member(ws, permissions=(PARTNERS, ALL_PROSPECTS))
    assert api.request("PATCH", "/prospects/{}/partner-data".format(partner_id), token=partners.token,
                       json=partner).status_code == 200


def test_another_workspaces_records_answer_404(api, ws, boss):
    prospect_id = create_one(api, boss, type=2)
    company_id = api.get("/prospects/{}".format(prospect_id), token=boss.token).json()["prospect"]["company_id"]
    location_id = api.post("/prospects/{}/locations".format(prospect_id), {"name": "HQ", "link": "l", "type": "office"},
                           token=boss.token).json()["id"]
    stranger = api.signup()
    for method, path, body in _routes(prospect_id, company_id, location_id):
        assert boom(api.request(method, path, token=stranger.token, json=body), 404)["error"] == "Not Found", path
    assert api.get("/prospects/list", token=stranger.token).json()["recordsTotal"] == 0


def test_without_all_prospects_a_salesman_sees_and_changes_only_their_own(api, ws, boss):
    ann, bob = member(ws, first_name="Ann"), member(ws, first_name="Bob")
    anns, bobs = create_one(api, ann, type=2), create_one(api, bob)
    company_id = api.get("/prospects/{}".format(anns), token=ann.token).json()["prospect"]["company_id"]
    location_id = api.post("/prospects/{}/locations".format(anns), {"name": "HQ", "link": "l", "type": "office"},
                           token=ann.token).json()["id"]
    for method, path, body in _routes(anns, company_id, location_id):
        boom(api.request(method, path, token=bob.token, json=body), 404)
    listed = api.get("/prospects/list", token=bob.token).json()
    assert [record["id"] for record in listed["data"]] == [bobs] and listed["recordsTotal"] == 1
    grouped = api.get("/prospects/grouped?counters=true", token=bob.token).json()["categories"]
    assert sum(category["count"] for category in grouped) == 1
    assert sum(kpi["count"] for kpi in api.get("/prospects/kpis", token=bob.token).json()) == 1
    everyone = {record["id"] for record in api.get("/prospects/list", token=boss.token).json()["data"]}
    assert {anns, bobs} <= everyone


@pytest.mark.parametrize("query", ["salesman=1", "startDate=2026-01-01", "endDate=2026-01-31"])
def test_the_salesman_and_date_filters_want_all_prospects(api, ws, query):
    seller = member(ws)
    for path in ("/prospects/grouped", "/prospects/list", "/prospects/kpis"):
        assert "all-prospects" in boom(api.get("{}?{}".format(path, query), token=seller.token), 403)["message"]
    assert api.get("/prospects/list?search=x", token=seller.token).status_code == 200


def test_unknown_routes_methods_and_oversized_ids_answer_in_the_boom_envelope(api, boss):
    boom(api.get("/prospects/nothing/here", token=boss.token), 404)
    boom(api.request("DELETE", "/prospects/grouped", token=boss.token), 405)
    boom(api.get("/prospects/99999999999999999999", token=boss.token), 404)
    boom(api.get("/prospects/9223372036854775807", token=boss.token), 404)
    boom(api.get("/clients/9223372036854775807/onboarding", token=boss.token), 404)


def test_the_permissions_come_from_the_directory_and_the_owner_holds_them_all(api, ws, boss):
    listed = api.get("/api/directory/users", token=ws.token).json()["data"]
    assert set(listed[0]["permissions"]) == {PROSPECTS, LOCATIONS, PARTNERS, ALL_PROSPECTS}
    assert api.get("/prospects/list", token=boss.token).status_code == 200


def test_a_permission_taken_away_or_a_deactivation_takes_effect_within_seconds(api, ws):
    seller = member(ws)
    assert api.get("/prospects/list", token=seller.token).status_code == 200
    changed = api.put("/api/directory/users/{}/permissions".format(seller.id), {"permissions": [LOCATIONS]},
                      token=ws.token)
    assert changed.status_code == 200, changed.text
    wait_for(lambda: api.get("/prospects/list", token=seller.token).status_code, lambda status: status == 403)
    assert api.post("/api/directory/users/{}/deactivate".format(seller.id), {}, token=ws.token).status_code == 200
    wait_for(lambda: api.get("/prospects/list", token=seller.token).status_code, lambda status: status == 401)
    boom(api.post("/prospects", [row()], token=seller.token), 401)
