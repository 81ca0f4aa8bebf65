"""Imports through the gateway: `process` previews and writes nothing; `POST /prospects` inserts the
valid rows in one transaction; both deduplicate within the batch, across batches, against the
workspace's prospects and users; an Idempotency-Key makes a retry insert nothing twice."""
import concurrent.futures
import uuid

from services.prospects.tests.support import boom, create, create_one, member, row


def _total(api, who):
    return api.get("/prospects/list", token=who.token).json()["recordsTotal"]


def test_process_validates_and_dedupes_without_writing(api, ws, boss):
    existing = create_one(api, boss, email="known@acme.example", phone=5551110000, code=52, name="Old")
    rows = [row(email="new@acme.example"), row(email="NEW@acme.example"), row(email="bad-email"),
            row(phone="555-ABC"), row(email="known@acme.example", name="New name"),
            row(phone="+52 555 111 0000", code=None), row(email=ws.email), row(phone=None, email=None)]
    before = _total(api, boss)
    response = api.post("/prospects/process", rows, token=boss.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [insert["row"] for insert in body["inserts"]] == [0]
    assert body["inserts"][0]["email"] == "new@acme.example" and body["inserts"][0]["company"] == rows[0]["company"]
    errors = {error["row"]: error for error in body["errors"]}
    assert {index: error["code"] for index, error in errors.items()} == {
        1: "DUPLICATE_EMAIL", 2: "INVALID_EMAIL", 3: "INVALID_PHONE", 4: "DUPLICATE_EMAIL", 5: "DUPLICATE_PHONE",
        6: "DUPLICATE_EMAIL", 7: "MISSING_CONTACT"}
    assert errors[1]["duplicate_of_row"] == 0 and errors[1]["email"] == "NEW@acme.example"
    assert errors[2]["email"] == "bad-email" and errors[4]["existing_id"] == existing
    assert errors[5]["existing_id"] == existing and errors[6]["existing_user_id"] == ws.owner["id"]
    assert body["updates"] == [{"row": 4, "id": existing, "changes": {"name": "New name", "company_name":
                                                                       rows[4]["company"], "phone_code": "52",
                                                                       "phone": str(rows[4]["phone"])}},
                               {"row": 5, "id": existing, "changes": {"name": rows[5]["name"],
                                                                      "company_name": rows[5]["company"],
                                                                      "email": rows[5]["email"]}}]
    assert _total(api, boss) == before


def test_another_salesmans_duplicate_is_reported_without_its_id(api, ws, boss):
    ann, bob = member(ws), member(ws)
    create_one(api, ann, email="ann-lead@acme.example")
    body = api.post("/prospects/process", [row(email="ann-lead@acme.example")], token=bob.token).json()
    assert body["errors"][0]["code"] == "DUPLICATE_EMAIL" and "existing_id" not in body["errors"][0]
    assert body["updates"] == []


def test_create_inserts_the_valid_rows_and_reports_the_others(api, ws, boss):
    rows = [row(email="one@acme.example"), row(email="bad"), row(email="two@acme.example", type=2),
            row(email="ONE@acme.example")]
    body = create(api, boss, *rows)
    assert [insert["email"] for insert in body["inserts"]] == ["one@acme.example", "two@acme.example"]
    assert [(error["row"], error["code"]) for error in body["errors"]] == [(1, "INVALID_EMAIL"),
                                                                           (3, "DUPLICATE_EMAIL")]
    client = api.get("/prospects/{}".format(body["inserts"][1]["id"]), token=boss.token).json()["prospect"]
    assert client["type"] == 2 and client["follow_up_id"] == 5 and client["company_id"] is not None
    assert api.get("/clients/{}".format(client["company_id"]), token=boss.token).status_code == 200


def test_dedupe_across_batches_and_409_when_every_row_is_a_duplicate(api, ws, boss):
    first = create(api, boss, row(email="a@batch.example"), row(email="b@batch.example", phone=5552220000))
    again = create(api, boss, row(email="A@batch.example"), row(phone="52 555 222 0000", code=None), expect=409)
    assert again["statusCode"] == 409 and again["error"] == "Conflict" and again["inserts"] == []
    assert [(error["code"], error.get("existing_id")) for error in again["errors"]] == [
        ("DUPLICATE_EMAIL", first["inserts"][0]["id"]), ("DUPLICATE_PHONE", first["inserts"][1]["id"])]
    mixed = create(api, boss, row(email="a@batch.example"), row(email="broken"))
    assert mixed["inserts"] == [] and {error["code"] for error in mixed["errors"]} == {"DUPLICATE_EMAIL",
                                                                                       "INVALID_EMAIL"}


def test_an_import_retried_with_the_same_key_inserts_nothing_twice(api, ws, boss):
    key = {"Idempotency-Key": "import-" + uuid.uuid4().hex}
    rows = [row(), row(), row(email="oops")]
    first = api.post("/prospects", rows, token=boss.token, headers=key)
    total = _total(api, boss)
    retry = api.post("/prospects", rows, token=boss.token, headers=key)
    assert retry.status_code == 200 and retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json() == first.json() and len(first.json()["inserts"]) == 2
    assert _total(api, boss) == total
    boom(api.post("/prospects", [row()], token=boss.token, headers=key), 409)
    assert "Idempotency-Key" in boom(api.post("/prospects", [row()], token=boss.token,
                                              headers={"Idempotency-Key": "k" * 256}), 400)["message"]
    other = api.signup()  # keys are per workspace
    assert len(api.post("/prospects", rows, token=other.token, headers=key).json()["inserts"]) == 2


def test_concurrent_imports_of_the_same_rows_insert_each_once(api, ws, boss):
    rows = [row() for _ in range(20)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: api.post("/prospects", rows, token=boss.token), range(4)))
    assert all(answer.status_code in (200, 409) for answer in answers), [answer.text for answer in answers]
    inserted = [insert["email"] for answer in answers for insert in answer.json()["inserts"]]
    assert sorted(inserted) == sorted(r["email"] for r in rows)
    # the skipped rows left no gap in the numbering: pages of the whole board equal pages by offset
    for start in range(0, 21, 7):
        by_number = api.get("/prospects/list?length=7&start={}".format(start), token=boss.token).json()["data"]
        by_offset = api.get("/prospects/list?length=7&follow=1,2,3,4,5,6&start={}".format(start),
                            token=boss.token).json()["data"]
        assert [r["id"] for r in by_number] == [r["id"] for r in by_offset]


def test_concurrent_retries_with_one_key_insert_once(api, ws, boss):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    rows = [row() for _ in range(5)]
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: api.post("/prospects", rows, token=boss.token, headers=key), range(3)))
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert len({tuple(i["id"] for i in answer.json()["inserts"]) for answer in answers}) == 1
    assert _total(api, boss) == 5


def test_the_body_must_be_an_array_of_objects_of_1_to_5000_rows(api, ws, boss):
    for path in ("/prospects", "/prospects/process"):
        boom(api.post(path, {"name": "x"}, token=boss.token), 422)
        boom(api.post(path, [row(), "row"], token=boss.token), 422)
        boom(api.post(path, None, token=boss.token), 422)
        assert "row" in boom(api.post(path, [], token=boss.token), 400)["message"]
        assert "5000" in boom(api.post(path, [{}] * 5001, token=boss.token), 400)["message"]


def test_a_new_lead_may_carry_its_status_campaign_and_shipments(api, ws, boss):
    prospect_id = create_one(api, boss, follow_up_id=4, campaign="Q1-2026", monthly_shipments="500-1000", type=1)
    detail = api.get("/prospects/{}".format(prospect_id), token=boss.token).json()
    assert detail["prospect"]["follow_up_id"] == 4 and detail["follow_data"]["campaign"] == "Q1-2026"
    assert detail["follow_data"]["monthly_shipments"] == 500 and detail["follow_data"]["commercial_offer_date"]
    client_id = create_one(api, boss, follow_up_id=5)
    assert api.get("/prospects/{}".format(client_id), token=boss.token).json()["prospect"]["type"] == 2
