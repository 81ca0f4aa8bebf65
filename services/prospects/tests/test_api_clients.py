"""Clients through the gateway: a record created with type 2, or moved to active_client, is a client
with a company id that /clients/{company_id} and its sub-resources work on; onboarding checklists."""
from services.prospects.tests.support import boom, create_one


def _company_id(api, who, prospect_id):
    return api.get("/prospects/{}".format(prospect_id), token=who.token).json()["prospect"]["company_id"]


def test_a_prospect_moved_to_active_client_becomes_a_client(api, ws, boss):
    prospect_id = create_one(api, boss, company="Acme Corp")
    assert _company_id(api, boss, prospect_id) is None
    api.post("/prospects/{}/notes".format(prospect_id), {"note": "signed", "follow": 5}, token=boss.token)
    detail = api.get("/prospects/{}".format(prospect_id), token=boss.token).json()["prospect"]
    assert detail["type"] == 2 and detail["company_id"] is not None
    client = api.get("/clients/{}".format(detail["company_id"]), token=boss.token).json()
    assert set(client) == {"company", "follow_data", "assignments", "notes", "contacts", "locations",
                           "integrations", "onboarding"}
    assert (client["company"]["id"], client["company"]["company_name"], client["company"]["follow_up_id"],
            client["company"]["follow_name"], client["company"]["balance"]) == \
        (detail["company_id"], "Acme Corp", 5, "active_client", 0)
    assert client["notes"][0]["note"] == "signed" and client["onboarding"]["status"] == "not_started"
    api.post("/prospects/{}/notes".format(prospect_id), {"note": "churned", "follow": 6}, token=boss.token)
    assert _company_id(api, boss, prospect_id) == detail["company_id"]  # a lost client keeps its company id


def test_a_prospect_that_is_not_a_client_is_no_client(api, ws, boss):
    prospect_id = create_one(api, boss)
    boom(api.get("/clients/{}".format(prospect_id), token=boss.token), 404)
    location = api.post("/prospects/{}/locations".format(prospect_id), {"name": "A", "link": "l", "type": "office"},
                        token=boss.token).json()
    boom(api.put("/clients/locations/{}".format(location["id"]), {"name": "B"}, token=boss.token), 404)
    boom(api.delete("/clients/locations/{}".format(location["id"]), token=boss.token), 404)


def test_client_sub_resources(api, ws, boss):
    company_id = _company_id(api, boss, create_one(api, boss, type=2))
    contact = api.post("/clients/{}/contacts".format(company_id),
                       {"name": "Jane", "email": "jane@client.example", "phone_code": "52", "phone": "5550102030"},
                       token=boss.token)
    assert contact.status_code == 200, contact.text
    note = api.post("/clients/{}/notes".format(company_id), {"note": "QBR", "action": "meeting"}, token=boss.token)
    assert note.status_code == 200, note.text
    data = api.request("PATCH", "/clients/{}/data".format(company_id), token=boss.token,
                       json={"channel": "web", "account_value": 1200})
    assert data.status_code == 200 and data.json()["company"]["id"] == company_id
    assert data.json()["follow_data"]["account_value"] == 1200
    location = api.post("/clients/{}/locations".format(company_id),
                        {"name": "Warehouse", "link": "https://maps.example/w", "type": "warehouse"},
                        token=boss.token).json()
    assert api.put("/clients/locations/{}".format(location["id"]), {"name": "WH 1"}, token=boss.token).json()["name"] \
        == "WH 1"
    client = api.get("/clients/{}".format(company_id), token=boss.token).json()
    assert [c["name"] for c in client["contacts"]] == ["Jane"] and [n["note"] for n in client["notes"]] == ["QBR"]
    assert [loc["name"] for loc in client["locations"]] == ["WH 1"] and client["integrations"] == []
    assert api.delete("/clients/locations/{}".format(location["id"]), token=boss.token).status_code == 200
    boom(api.post("/clients/{}/notes".format(company_id), {"note": "x", "action": "telepathy"}, token=boss.token), 400)


def test_onboarding_steps_are_marked_with_dates_and_translated_on_request(api, ws, boss):
    company_id = _company_id(api, boss, create_one(api, boss, type=2))
    empty = api.get("/clients/{}/onboarding".format(company_id), token=boss.token).json()
    assert empty["status"] == "not_started" and empty["completed"] == 0 and empty["total"] == len(empty["steps"])
    assert all(not step["done"] and "label" not in step for step in empty["steps"])
    marked = api.request("PATCH", "/clients/{}/onboarding".format(company_id), token=boss.token,
                         json={"steps": [{"key": "welcome_call", "date": "2026-03-01T10:00:00Z"},
                                         {"key": "first_shipment"}]})
    assert marked.status_code == 200, marked.text
    steps = {step["key"]: step for step in marked.json()["steps"]}
    assert steps["welcome_call"]["done_at"] == "2026-03-01T10:00:00.000Z" and steps["first_shipment"]["done"]
    assert marked.json()["status"] == "in_progress"
    translated = api.get("/clients/{}/onboarding?translate=true".format(company_id), token=boss.token).json()
    assert {step["key"]: step["label"] for step in translated["steps"]}["welcome_call"] == "Welcome call"
    assert translated["status_label"] == "In progress"
    assert [r["id"] for r in api.get("/prospects/list?onboarding=in_progress", token=boss.token).json()["data"]]
    everything = [{"key": step["key"]} for step in empty["steps"]]
    done = api.request("PATCH", "/clients/{}/onboarding".format(company_id), token=boss.token,
                       json={"steps": everything}).json()
    assert done["status"] == "completed" and done["completed"] == done["total"]
    undone = api.request("PATCH", "/clients/{}/onboarding".format(company_id), token=boss.token,
                         json={"steps": [{"key": "training", "done": False}]}).json()
    assert undone["status"] == "in_progress" and undone["completed"] == done["total"] - 1
    assert api.get("/clients/{}".format(company_id), token=boss.token).json()["onboarding"]["status"] == "in_progress"


def test_an_invalid_onboarding_change_is_400_naming_the_field(api, ws, boss):
    company_id = _company_id(api, boss, create_one(api, boss, type=2))
    path = "/clients/{}/onboarding".format(company_id)
    assert "steps" in boom(api.request("PATCH", path, token=boss.token, json={}), 400)["message"]
    assert "key" in boom(api.request("PATCH", path, token=boss.token, json={"steps": [{"key": "party"}]}),
                         400)["message"]
    assert "date" in boom(api.request("PATCH", path, token=boss.token,
                                      json={"steps": [{"key": "training", "date": "soon"}]}), 400)["message"]
    assert "translate" in boom(api.get(path + "?translate=perhaps", token=boss.token), 400)["message"]
