"""The deals API through the gateway, with the document's examples (004_b28e08eb0748f573.txt)."""
import uuid

import pytest

from services.deals.tests.conftest import DOCUMENT_DEAL


def test_create_answers_the_documents_example(api, ws):
    seller = ws.add_user()
    body = dict(DOCUMENT_DEAL, person_ids_set="11, 12", user_id=str(seller["id"]))
    response = api.post("/api/deals.json", {"deal": body}, token=ws.token)
    assert response.status_code == 201, response.text
    deal = response.json()["deal"]
    assert isinstance(deal["id"], int)
    expected = {"account_id": ws.workspace["id"], "company_id": None, "user_id": seller["id"],
                "name": "Prozessoptimierung", "value": "10000.0", "value_type": "Total",
                "target_date": "2014-03-12", "finished_at": None, "current_state": "open_0", "value_count": "1.0",
                "description": "...", "currency": "EUR"}
    assert {key: deal[key] for key in expected} == expected
    assert deal["created_at"].endswith("Z") and deal["created_at"] == deal["updated_at"]
    assert "person_ids_set" not in deal  # write only
    shown = api.get("/api/deals/{}.json?includes=people".format(deal["id"]), token=ws.token).json()["deal"]
    assert shown["people"] == [{"id": 11}, {"id": 12}]


def test_search_answers_the_documents_example_and_empty_array(api, ws, make_deal):
    make_deal(ws, name="Prozessberatung Verwaltung", value="7980")
    make_deal(ws, name="Prozessberatung Produktion", value="14000")
    make_deal(ws, name="Mähdrescher Wartung")
    make_deal(ws, name="Beratung Prozess")  # contains but does not start with the term
    response = api.get("/api/deals/search.json", params={"name": "Prozess"}, token=ws.token)
    assert response.status_code == 200
    assert [item["deal"]["name"] for item in response.json()] == ["Prozessberatung Produktion",
                                                                   "Prozessberatung Verwaltung"]
    assert [item["deal"]["name"] for item in api.get("/api/deals/search.json", params={"name": "mäh"},
                                                     token=ws.token).json()] == ["Mähdrescher Wartung"]
    nothing = api.get("/api/deals/search.json", params={"name": "Zzz"}, token=ws.token)
    assert nothing.status_code == 200 and nothing.json() == []


def test_search_requires_name(api, ws):
    response = api.get("/api/deals/search.json", token=ws.token)
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_stats_answers_total_entries_sum_and_currency(api, ws, make_deal):
    make_deal(ws, value="10000", value_count="1")
    make_deal(ws, value="75", value_type="Stundensatz", value_count="5", current_state="won")
    make_deal(ws, value="999", currency="USD")
    body = api.get("/api/deals/stats.json", token=ws.token).json()
    assert body == {"total_entries": 3, "sum": 10375, "currency": "eur"}
    won = api.get("/api/deals/stats.json", params={"filter[current_state]": "won"}, token=ws.token).json()
    assert won == {"total_entries": 1, "sum": 375, "currency": "eur"}
    usd = api.get("/api/deals/stats.json", params={"currency": "usd"}, token=ws.token).json()
    assert usd == {"total_entries": 3, "sum": 999, "currency": "usd"}


def test_show_update_delete(api, ws, make_deal):
    deal = make_deal(ws)
    path = "/api/deals/{}.json".format(deal["id"])
    assert api.get(path, token=ws.token).json()["deal"]["name"] == "Prozessoptimierung"
    updated = api.put(path, {"deal": {"name": "Neu", "value": "12.5"}}, token=ws.token)
    assert updated.status_code == 200
    assert updated.json()["deal"]["name"] == "Neu" and updated.json()["deal"]["value"] == "12.5"
    assert updated.json()["deal"]["value_type"] == "Total"  # untouched fields stay
    assert api.delete(path, token=ws.token).status_code == 200
    assert api.get(path, token=ws.token).status_code == 404
    assert api.put(path, {"deal": {"name": "x"}}, token=ws.token).status_code == 404
    assert api.delete(path, token=ws.token).status_code == 404


def test_finished_at_is_set_on_won_or_lost_and_cleared_on_reopen(api, ws, make_deal):
    deal = make_deal(ws)
    path = "/api/deals/{}.json".format(deal["id"])
    won = api.put(path, {"deal": {"current_state": "won"}}, token=ws.token).json()["deal"]
    assert won["finished_at"] is not None
    again = api.put(path, {"deal": {"description": "still won"}}, token=ws.token).json()["deal"]
    assert again["finished_at"] == won["finished_at"]
    reopened = api.put(path, {"deal": {"current_state": "open_50"}}, token=ws.token).json()["deal"]
    assert reopened["finished_at"] is None
    created_lost = make_deal(ws, current_state="lost")
    assert created_lost["finished_at"] is not None


def test_ids_out_of_range_are_404_or_400_not_500(api, ws):
    assert api.get("/api/deals/99999999999.json", token=ws.token).status_code == 404
    assert api.get("/api/deals/0.json", token=ws.token).status_code == 404
    assert api.get("/api/deals.json?filter[user_id]=99999999999", token=ws.token).status_code == 400
    assert api.get("/api/deals.json?tag_id=99999999999", token=ws.token).status_code == 400


def test_another_workspaces_deal_is_404(api, ws, make_deal):
    other = api.signup()
    deal = make_deal(other)
    path = "/api/deals/{}.json".format(deal["id"])
    assert api.get(path, token=ws.token).status_code == 404
    assert api.put(path, {"deal": {"name": "stolen"}}, token=ws.token).status_code == 404
    assert api.delete(path, token=ws.token).status_code == 404
    assert api.get(path, token=other.token).json()["deal"]["name"] == "Prozessoptimierung"
    assert deal["id"] not in [d["deal"]["id"] for d in api.get("/api/deals.json", token=ws.token).json()]


@pytest.mark.parametrize("change, field", [
    ({"name": None}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"value_type": "Jährlich"}, "value_type"),
    ({"current_state": "open_99"}, "current_state"),
    ({"value": "zehn"}, "value"),
    ({"value": [1]}, "value"),
    ({"value_count": "NaN"}, "value_count"),
    ({"target_date": "31-02-2014"}, "target_date"),
    ({"target_date": "2014/03/12"}, "target_date"),
    ({"user_id": "abc"}, "user_id"),
    ({"currency": "XXX"}, "currency"),
    ({"type": "gift"}, "type"),
    ({"person_ids_set": "1, zwei"}, "person_ids_set"),
    ({"unit_id": 999}, "unit_id"),
    ({"account_uuid": "not-a-uuid"}, "account_uuid"),
    ({"valu": "1"}, "valu"),
    ({"user_id": 2 ** 40}, "user_id"),
    ({"company_id": 0}, "company_id"),
    ({"observer_user_ids": "99999999999"}, "observer_user_ids"),
])
def test_bad_input_is_422_naming_the_field(api, ws, change, field):
    body = dict(DOCUMENT_DEAL, **change)
    response = api.post("/api/deals.json", {"deal": body}, token=ws.token)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


@pytest.mark.parametrize("missing", ["name", "value", "value_type", "value_count", "target_date"])
def test_missing_required_field_is_422_naming_it(api, ws, missing):
    body = {key: value for key, value in DOCUMENT_DEAL.items() if key != missing}
    response = api.post("/api/deals.json", {"deal": body}, token=ws.token)
    assert response.status_code == 422
    assert missing in response.json()["errors"]


def test_body_without_deal_envelope_or_not_json_is_4xx(api, ws):
    assert api.post("/api/deals.json", {"name": "x"}, token=ws.token).json()["errors"].keys() == {"deal"}
    response = api.post("/api/deals.json", data="{not json", token=ws.token,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "errors" in response.json()


def test_update_validates_the_fields_it_gets(api, ws, make_deal):
    deal = make_deal(ws)
    response = api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"current_state": "done"}}, token=ws.token)
    assert response.status_code == 422 and "current_state" in response.json()["errors"]


def test_responsible_user_must_belong_to_the_workspace(api, ws):
    stranger = api.signup()
    body = dict(DOCUMENT_DEAL, user_id=stranger.owner["id"])
    response = api.post("/api/deals.json", {"deal": body}, token=ws.token)
    assert response.status_code == 422 and "user_id" in response.json()["errors"]


def test_dates_accept_iso_and_answer_iso(api, ws, make_deal):
    assert make_deal(ws, target_date="2015-06-01")["target_date"] == "2015-06-01"
    assert make_deal(ws, target_date="1.6.2015")["target_date"] == "2015-06-01"


def test_idempotency_key_replays_the_first_create(api, ws):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.post("/api/deals.json", {"deal": DOCUMENT_DEAL}, token=ws.token, headers=key)
    second = api.post("/api/deals.json", {"deal": DOCUMENT_DEAL}, token=ws.token, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    listed = api.get("/api/deals.json", token=ws.token)
    assert listed.headers["X-Total-Count"] == "1"
    other_body = api.post("/api/deals.json", {"deal": dict(DOCUMENT_DEAL, name="anders")}, token=ws.token,
                          headers=key)
    assert other_body.status_code == 409 and "Idempotency-Key" in other_body.json()["errors"]
    other_workspace = api.signup()  # keys are per workspace
    assert api.post("/api/deals.json", {"deal": DOCUMENT_DEAL}, token=other_workspace.token,
                    headers=key).json()["deal"]["id"] != first.json()["deal"]["id"]


def test_concurrent_retries_with_one_idempotency_key_create_one_deal(api, ws):
    import eventlet
    key = {"Idempotency-Key": uuid.uuid4().hex}
    pool = eventlet.GreenPool()
    responses = list(pool.imap(lambda _: api.post("/api/deals.json", {"deal": DOCUMENT_DEAL}, token=ws.token,
                                                  headers=key), range(8)))
    assert {response.status_code for response in responses} == {201}
    assert len({response.json()["deal"]["id"] for response in responses}) == 1
    assert api.get("/api/deals.json", token=ws.token).headers["X-Total-Count"] == "1"


def test_api_key_header_is_accepted(api, ws, make_deal):
    make_deal(ws)
    key = api.post("/api/directory/api-keys", {"name": "deals"}, token=ws.token).json()["data"]["key"]
    response = api.get("/api/deals.json", headers={"X-apikey": key})
    assert response.status_code == 200 and len(response.json()) == 1
    assert api.get("/api/deals.json").status_code == 401


@pytest.mark.parametrize("deal_id", [2 ** 31, 2 ** 63 - 1, 2 ** 63, 2 ** 64, 10 ** 40])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_deal_id_beyond_any_integer_is_a_404_in_the_deals_envelope(api, ws, method, deal_id):
    body = {"deal": {"name": "x"}} if method == "PUT" else None
    response = api.request(method, "/api/deals/{}.json".format(deal_id), ws.token, json=body)
    assert response.status_code == 404, response.text
    assert isinstance(response.json()["errors"], dict)


@pytest.mark.parametrize("field", ["user_id", "company_id", "crop_id", "variety_id", "unit_id"])
@pytest.mark.parametrize("number", [2 ** 63, 2 ** 64, -(2 ** 63) - 1])
def test_an_integer_field_beyond_bigint_is_422_naming_it(api, ws, field, number):
    response = api.post("/api/deals.json", {"deal": dict(DOCUMENT_DEAL, **{field: number})}, token=ws.token)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


def test_a_custom_field_type_id_beyond_bigint_is_422_naming_it(api, ws):
    body = dict(DOCUMENT_DEAL, custom_fields_attributes=[{"custom_fields_type_id": 2 ** 64, "value": "x"}])
    response = api.post("/api/deals.json", {"deal": body}, token=ws.token)
    assert response.status_code == 422, response.text
    assert "custom_fields_attributes.0.custom_fields_type_id" in response.json()["errors"]
