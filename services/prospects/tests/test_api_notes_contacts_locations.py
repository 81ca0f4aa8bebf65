"""Notes, contacts and locations of a prospect through the gateway."""
from datetime import datetime, timedelta, timezone

import pytest

from services.prospects.tests.support import boom, create_one, member

TODAY = datetime.now(timezone.utc).date()


def _at(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _detail(api, who, prospect_id):
    return api.get("/prospects/{}".format(prospect_id), token=who.token).json()


# --- notes ---------------------------------------------------------------------------------------------
def test_a_note_with_follow_moves_the_prospect_to_that_status(api, ws, boss):
    prospect_id = create_one(api, boss)
    note = api.post("/prospects/{}/notes".format(prospect_id),
                    {"follow": 3, "action": "call", "note": "Discussed pricing", "scheduled_date": _at(2)},
                    token=boss.token)
    assert note.status_code == 200, note.text
    assert (note.json()["follow"], note.json()["note"], note.json()["created_by_name"]) == (3, "Discussed pricing",
                                                                                           boss.name)
    detail = _detail(api, boss, prospect_id)
    assert detail["prospect"]["follow_up_id"] == 3 and detail["prospect"]["follow_name"] == "negotiation"
    assert detail["notes"][0]["id"] == note.json()["id"]
    grouped = api.get("/prospects/grouped?category=3", token=boss.token).json()["categories"][0]["records"]
    assert [record["id"] for record in grouped] == [prospect_id]


def test_a_note_logged_afterwards_counts_at_its_scheduled_date_and_one_ahead_is_the_next_contact(api, ws, boss):
    prospect_id = create_one(api, boss)
    api.post("/prospects/{}/notes".format(prospect_id), {"note": "called last week", "scheduled_date": _at(-6)},
             token=boss.token)
    prospect = _detail(api, boss, prospect_id)["prospect"]
    assert prospect["last_contact"][:10] == (TODAY - timedelta(days=6)).isoformat()
    assert prospect["days_without_contact"] == 6 and prospect["next_contact"] is None
    later, sooner = (api.post("/prospects/{}/notes".format(prospect_id), {"note": "plan", "scheduled_date": _at(days)},
                              token=boss.token).json() for days in (9, 4))
    assert _detail(api, boss, prospect_id)["prospect"]["next_contact"] == sooner["scheduled_date"]
    moved = api.request("PATCH", "/prospects/{}/notes/{}".format(prospect_id, sooner["id"]), token=boss.token,
                        json={"scheduled_date": _at(20), "origin": "prospect"})
    assert moved.status_code == 200 and moved.json()["scheduled_date"] == _at(20)[:19] + ".000Z"
    assert _detail(api, boss, prospect_id)["prospect"]["next_contact"] == later["scheduled_date"]
    api.request("PATCH", "/prospects/{}/notes/{}".format(prospect_id, later["id"]), token=boss.token,
                json={"scheduled_date": None, "origin": "prospect"})
    assert _detail(api, boss, prospect_id)["prospect"]["next_contact"][:10] == (TODAY + timedelta(days=20)).isoformat()


def test_a_note_may_be_patched_through_the_clients_company_id(api, ws, boss):
    prospect_id = create_one(api, boss, type=2)
    company_id = _detail(api, boss, prospect_id)["prospect"]["company_id"]
    note = api.post("/clients/{}/notes".format(company_id), {"note": "kickoff", "scheduled_date": _at(1)},
                    token=boss.token).json()
    path = "/prospects/{}/notes/{}".format(company_id, note["id"])
    assert api.request("PATCH", path, token=boss.token,
                       json={"scheduled_date": _at(3), "origin": "company"}).status_code == 200
    other = create_one(api, boss)
    boom(api.request("PATCH", "/prospects/{}/notes/{}".format(other, note["id"]), token=boss.token,
                     json={"scheduled_date": None, "origin": "prospect"}), 404)


@pytest.mark.parametrize("body, field", [({}, "note"), ({"note": "  "}, "note"),
                                         ({"note": "x", "action": "fax"}, "action"),
                                         ({"note": "x", "follow": 7}, "follow"),
                                         ({"note": "x", "scheduled_date": "tomorrow"}, "scheduled_date")])
def test_an_invalid_note_is_400_naming_the_field(api, ws, boss, body, field):
    prospect_id = create_one(api, boss)
    assert field in boom(api.post("/prospects/{}/notes".format(prospect_id), body, token=boss.token), 400)["message"]


def test_patching_a_note_wants_origin_and_a_scheduled_date(api, ws, boss):
    prospect_id = create_one(api, boss)
    note = api.post("/prospects/{}/notes".format(prospect_id), {"note": "n"}, token=boss.token).json()
    path = "/prospects/{}/notes/{}".format(prospect_id, note["id"])
    assert "origin" in boom(api.request("PATCH", path, token=boss.token, json={"scheduled_date": None}), 400)["message"]
    assert "scheduled_date" in boom(api.request("PATCH", path, token=boss.token, json={"origin": "prospect"}),
                                    400)["message"]
    boom(api.request("PATCH", "/prospects/{}/notes/999999999".format(prospect_id), token=boss.token,
                     json={"scheduled_date": None, "origin": "prospect"}), 404)


# --- contacts ------------------------------------------------------------------------------------------
CONTACT = {"name": "Jane Smith", "email": "jane@acme.example", "phone_code": "52", "phone": "5559876543",
           "position": "CTO"}


def test_contacts_are_added_changed_by_id_and_deleted_by_their_id(api, ws, boss):
    prospect_id = create_one(api, boss)
    added = api.post("/prospects/{}/contacts".format(prospect_id), CONTACT, token=boss.token)
    assert added.status_code == 200, added.text
    contact = added.json()
    assert (contact["name"], contact["position"], contact["isDefault"]) == ("Jane Smith", "CTO", False)
    changed = api.put("/prospects/{}/contacts".format(prospect_id),
                      {"id": contact["id"], "email": "jane.smith@acme.example", "position": "VP Engineering"},
                      token=boss.token).json()
    assert (changed["email"], changed["position"], changed["name"]) == ("jane.smith@acme.example", "VP Engineering",
                                                                         "Jane Smith")
    assert _detail(api, boss, prospect_id)["contacts"] == [changed]
    assert api.delete("/prospects/{}/contacts".format(contact["id"]), token=boss.token).json()["id"] == contact["id"]
    assert _detail(api, boss, prospect_id)["contacts"] == []
    boom(api.delete("/prospects/{}/contacts".format(contact["id"]), token=boss.token), 404)


def test_is_default_changes_the_prospects_own_contact(api, ws, boss):
    prospect_id = create_one(api, boss)
    own = api.put("/prospects/{}/contacts".format(prospect_id),
                  {"isDefault": True, "name": "New Name", "email": "new.own@acme.example", "phone": "5551112222",
                   "phone_code": "1"}, token=boss.token).json()
    assert own["isDefault"] is True and own["email"] == "new.own@acme.example"
    prospect = _detail(api, boss, prospect_id)["prospect"]
    assert (prospect["name"], prospect["email"], prospect["phone_code"], prospect["phone"]) == \
        ("New Name", "new.own@acme.example", "1", "5551112222")


def test_a_contact_email_or_phone_in_use_is_409(api, ws, boss):
    taken = create_one(api, boss, email="owner-of@acme.example")
    prospect_id = create_one(api, boss)
    path = "/prospects/{}/contacts".format(prospect_id)
    boom(api.post(path, dict(CONTACT, email="OWNER-OF@acme.example"), token=boss.token), 409)  # a prospect's
    boom(api.post(path, dict(CONTACT, email=ws.email), token=boss.token), 409)  # a user's
    first = api.post(path, CONTACT, token=boss.token).json()
    boom(api.post(path, dict(CONTACT, email="other@acme.example"), token=boss.token), 409)  # same phone, same record
    second = api.post(path, dict(CONTACT, email="other@acme.example", phone="5550000099"), token=boss.token).json()
    boom(api.put(path, {"id": second["id"], "email": first["email"]}, token=boss.token), 409)
    boom(api.put(path, {"isDefault": True, "email": "owner-of@acme.example"}, token=boss.token), 409)
    assert taken != prospect_id


def test_put_wants_an_id_or_is_default_and_finds_only_the_records_contacts(api, ws, boss):
    prospect_id, other = create_one(api, boss), create_one(api, boss)
    contact = api.post("/prospects/{}/contacts".format(other), CONTACT, token=boss.token).json()
    path = "/prospects/{}/contacts".format(prospect_id)
    assert "id" in boom(api.put(path, {"name": "x"}, token=boss.token), 400)["message"]
    boom(api.put(path, {"id": contact["id"], "name": "x"}, token=boss.token), 404)
    for missing in ("name", "email", "phone_code", "phone"):
        body = {key: value for key, value in CONTACT.items() if key != missing}
        assert missing in boom(api.post(path, body, token=boss.token), 400)["message"]


def test_another_salesmans_contact_cannot_be_deleted(api, ws):
    ann, bob = member(ws), member(ws)
    anns = create_one(api, ann)
    contact = api.post("/prospects/{}/contacts".format(anns), CONTACT, token=ann.token).json()
    boom(api.delete("/prospects/{}/contacts".format(contact["id"]), token=bob.token), 404)
    assert api.delete("/prospects/{}/contacts".format(contact["id"]), token=ann.token).status_code == 200


# --- locations -----------------------------------------------------------------------------------------
LOCATION = {"name": "Main Office", "link": "https://maps.example/?q=main", "type": "headquarters"}


def test_locations_are_created_updated_and_deleted(api, ws, boss):
    prospect_id = create_one(api, boss)
    made = api.post("/prospects/{}/locations".format(prospect_id), LOCATION, token=boss.token)
    assert made.status_code == 200, made.text
    location = made.json()
    assert (location["name"], location["type"]) == ("Main Office", "headquarters")
    changed = api.put("/prospects/locations/{}".format(location["id"]), {"type": "warehouse"}, token=boss.token).json()
    assert (changed["name"], changed["type"]) == ("Main Office", "warehouse")
    assert _detail(api, boss, prospect_id)["locations"] == [changed]
    assert api.delete("/prospects/locations/{}".format(location["id"]), token=boss.token).status_code == 200
    assert _detail(api, boss, prospect_id)["locations"] == []
    boom(api.delete("/prospects/locations/{}".format(location["id"]), token=boss.token), 404)


@pytest.mark.parametrize("body, field", [(dict(LOCATION, type="garage"), "type"),
                                         (dict(LOCATION, name="x" * 51), "name"),
                                         (dict(LOCATION, link="l" * 151), "link"),
                                         ({"name": "A", "type": "office"}, "link")])
def test_an_invalid_location_is_400_naming_the_field(api, ws, boss, body, field):
    prospect_id = create_one(api, boss)
    assert field in boom(api.post("/prospects/{}/locations".format(prospect_id), body, token=boss.token),
                         400)["message"]
    if field not in body:  # missing: PUT takes every field as optional
        return
    location = api.post("/prospects/{}/locations".format(prospect_id), LOCATION, token=boss.token).json()
    changed = {key: value for key, value in body.items() if key == field}
    assert field in boom(api.put("/prospects/locations/{}".format(location["id"]), changed, token=boss.token),
                         400)["message"]
