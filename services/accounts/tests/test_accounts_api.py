"""The accounts document's endpoints and rules, end to end through the gateway."""
import uuid

import eventlet
import pytest

from tests.support.client import Api
from infra.cursors import encode_cursor
from services.accounts.tests.conftest import ACCOUNT, ACCOUNTS, AccountsClient, error_of, new_tax_id


def test_create_then_get_returns_the_document_fields(accounts):
    tax_id = new_tax_id()
    response = accounts.action("create", country=1, tax_id=tax_id, name="Example Corp", address="123 Main St",
                               location="Buenos Aires")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0 and body["message"] == "Account created successfully"
    assert body["data"] == {"country": 1, "tax_id": tax_id, "name": "Example Corp", "address": "123 Main St",
                            "location": "Buenos Aires", "draft": False}
    uuid.UUID(body["uuid"])
    got = accounts.get(body["uuid"])
    assert got.status_code == 200
    data = got.json()["data"]
    assert {k: data[k] for k in ("uuid", "country", "tax_id", "name", "address", "location", "draft",
                                 "inactivation_date")} == {
        "uuid": body["uuid"], "country": 1, "tax_id": tax_id, "name": "Example Corp", "address": "123 Main St",
        "location": "Buenos Aires", "draft": False, "inactivation_date": None}
    assert data["created_date"].endswith("Z")


@pytest.mark.parametrize("fields, field", [
    ({"country": 0}, "country"),
    ({"country": "1"}, "country"),
    ({"tax_id": ""}, "tax_id"),
    ({"tax_id": "1" * 21}, "tax_id"),
    ({"name": ""}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"address": "x" * 256}, "address"),
    ({"location": "x" * 256}, "location"),
])
def test_create_enforces_the_documented_field_limits(accounts, fields, field):
    payload = dict({"country": 1, "tax_id": new_tax_id(), "name": "Limits"}, **fields)
    response = accounts.action("create", **payload)
    assert error_of(response) == (400, 3)
    assert field in response.json()["info"]


def test_field_limits_at_their_maximum_are_accepted(accounts):
    response = accounts.action("create", country=1, tax_id="A" * 20, name="n" * 255, address="a" * 255,
                               location="l" * 255)
    assert response.status_code == 200, response.text


def test_missing_and_malformed_bodies_and_unknown_actions_are_400(accounts, api, workspace):
    assert error_of(api.post(ACCOUNT, data="{not json", token=workspace.token,
                             headers={"Content-Type": "application/json"})) == (400, 1)
    assert error_of(accounts.action("explode")) == (400, 2)
    assert error_of(api.post(ACCOUNT, json={"country": 1}, token=workspace.token)) == (400, 2)
    assert error_of(accounts.list({"page_size": 1001})) == (400, 3)
    assert error_of(accounts.list({"page_size": 0})) == (400, 3)
    assert error_of(accounts.list({"opportunities_state": ["soonDeals"]})) == (400, 3)
    assert error_of(accounts.list({"accounts": ["not-a-uuid"]})) == (400, 3)
    assert error_of(accounts.list({"page": "!!garbage!!"})) == (400, 3)


def test_every_endpoint_requires_a_valid_token(api):
    for method, path in (("POST", ACCOUNTS), ("GET", ACCOUNT + "?uuid=" + str(uuid.uuid4())), ("POST", ACCOUNT)):
        assert error_of(api.request(method, path, json={"action": "create"})) == (401, 11)
        assert error_of(api.request(method, path, token="forged.token.value", json={})) == (401, 11)


def test_get_unknown_missing_or_foreign_account_is_code_5(api, accounts):
    assert error_of(accounts.get(str(uuid.uuid4()))) == (400, 5)
    assert error_of(accounts.get("not-a-uuid"))[0] == 400
    assert error_of(accounts.get(""))[0] == 400
    mine = accounts.create()
    stranger = AccountsClient(api, api.signup().token)
    assert error_of(stranger.get(mine)) == (400, 5)
    for action in ("update", "delete", "inactivate", "activate"):
        fields = {"country": 1, "tax_id": new_tax_id(), "name": "x"} if action == "update" else {}
        assert error_of(stranger.action(action, uuid=mine, **fields)) == (400, 5)
    assert accounts.get(mine).status_code == 200  # untouched by the stranger


def test_duplicate_country_and_tax_id_is_code_6_per_workspace(api, accounts):
    tax_id = new_tax_id()
    accounts.create(tax_id=tax_id)
    assert error_of(accounts.action("create", country=1, tax_id=tax_id, name="Again")) == (400, 6)
    # the same tax id written without separators is the same tax id
    assert error_of(accounts.action("create", country=1, tax_id=tax_id.replace("-", ""), name="Again")) == (400, 6)
    # another country, or another workspace, may use it
    assert accounts.action("create", country=2, tax_id=tax_id, name="Brazil branch").status_code == 200
    other = AccountsClient(api, api.signup().token)
    assert other.action("create", country=1, tax_id=tax_id, name="Elsewhere").status_code == 200


def test_concurrent_creates_of_the_same_pair_exactly_one_wins(accounts):
    tax_id = new_tax_id()
    pool = eventlet.GreenPool()

    def create(i):  # each racer on its own connection; 8 at once fit in the limit of 10 per second
        client = AccountsClient(Api(accounts.api.base_url), accounts.token, spaced=False)
        return client.action("create", country=1, tax_id=tax_id, name="Racer {}".format(i))

    responses = list(pool.imap(create, range(8)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [400] * 7, [r.text for r in responses]
    assert all(error_of(r) == (400, 6) for r in responses if r.status_code == 400)
    listed = accounts.page({"name": "Racer"})["data"]
    assert len(listed) == 1 and listed[0]["tax_id"] == tax_id


def test_update_changes_fields_and_keeps_uniqueness(accounts):
    first, taken = new_tax_id(), new_tax_id()
    account = accounts.create(tax_id=first, name="Before")
    accounts.create(tax_id=taken, name="Other")
    response = accounts.action("update", uuid=account, country=1, tax_id=first, name="Updated Corp Name",
                               address="456 New St", location="Córdoba")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] == "Account updated successfully" and body["uuid"] == account
    assert body["data"] == {"country": 1, "tax_id": first, "name": "Updated Corp Name", "address": "456 New St",
                            "location": "Córdoba"}
    assert accounts.get(account).json()["data"]["location"] == "Córdoba"
    assert error_of(accounts.action("update", uuid=account, country=1, tax_id=taken, name="Clash")) == (400, 6)
    assert accounts.get(account).json()["data"]["tax_id"] == first
    assert error_of(accounts.action("update", uuid=str(uuid.uuid4()), country=1, tax_id=new_tax_id(),
                                    name="Ghost")) == (400, 5)


def test_delete_is_soft_hides_the_account_and_frees_its_tax_id(accounts):
    tax_id = new_tax_id()
    account = accounts.create(tax_id=tax_id, name="Doomed")
    response = accounts.action("delete", uuid=account)
    assert response.status_code == 200
    assert response.json() == {"code": 0, "message": "Account deleted successfully", "uuid": account}
    assert error_of(accounts.get(account)) == (400, 5)
    assert account not in [a["uuid"] for a in accounts.page()["data"]]
    assert account not in [a["uuid"] for a in accounts.page(action="lite")["data"]]
    assert error_of(accounts.action("delete", uuid=account)) == (400, 5)
    assert error_of(accounts.action("update", uuid=account, country=1, tax_id=tax_id, name="x")) == (400, 5)
    assert accounts.action("validate_tax_id", tax_id=tax_id).json()["data"] == {"valid": True, "exists": False}
    assert accounts.action("create", country=1, tax_id=tax_id, name="Reborn").status_code == 200


def test_inactivate_and_activate_by_the_owner(accounts):
    account = accounts.create()
    response = accounts.action("inactivate", uuid=account)
    assert response.json() == {"code": 0, "message": "Account inactivated successfully", "uuid": account}
    assert accounts.get(account).json()["data"]["inactivation_date"].endswith("Z")
    assert accounts.page({"accounts": [account]})["data"][0]["active"] is False
    assert error_of(accounts.action("inactivate", uuid=account)) == (400, 5)  # not twice
    response = accounts.action("activate", uuid=account)
    assert response.json() == {"code": 0, "message": "Account activated successfully", "uuid": account}
    assert accounts.get(account).json()["data"]["inactivation_date"] is None
    assert accounts.page({"accounts": [account]})["data"][0]["active"] is True
    assert error_of(accounts.action("activate", uuid=account)) == (400, 5)  # not twice


def test_only_the_owner_may_inactivate_or_activate(api, workspace, accounts):
    colleague = AccountsClient(api, workspace.add_user()["token"])
    account = accounts.create()
    assert error_of(colleague.action("inactivate", uuid=account)) == (400, 9)
    assert accounts.get(account).json()["data"]["inactivation_date"] is None
    assert accounts.action("inactivate", uuid=account).status_code == 200
    assert error_of(colleague.action("activate", uuid=account)) == (400, 9)
    # the colleague's own account is theirs to inactivate
    theirs = colleague.create()
    assert colleague.action("inactivate", uuid=theirs).status_code == 200


@pytest.mark.parametrize("tax_id", ["20-12345678-9", "20123456789", "12.345.678/0001-90", "12.345.678-K",
                                    "GODE561231GR8", "12-3456789", "B12345678", "900.123.456-7"])
def test_validate_tax_id_accepts_international_formats(accounts, tax_id):
    response = accounts.action("validate_tax_id", tax_id=tax_id)
    assert response.status_code == 200, response.text
    assert response.json() == {"code": 0, "data": {"valid": True, "exists": False}}


@pytest.mark.parametrize("tax_id", ["20--123", "-20123", "20123-", "20 123 456", "20_123", "ñ123", "12/34?"])
def test_validate_tax_id_refuses_other_formats_with_code_7(accounts, tax_id):
    assert error_of(accounts.action("validate_tax_id", tax_id=tax_id)) == (400, 7)


def test_create_refuses_an_invalid_tax_id_with_code_7(accounts):
    assert error_of(accounts.action("create", country=1, tax_id="20 123", name="Bad")) == (400, 7)


def test_validate_tax_id_reports_the_existing_account(api, accounts):
    account = accounts.create(name="Existing Company Name", country=2, tax_id="12.345.678/0001-90")
    response = accounts.action("validate_tax_id", tax_id="12345678000190")
    assert response.json() == {"code": 0, "data": {"valid": True, "exists": True, "uuid": account,
                                                   "name": "Existing Company Name", "country": 2}}
    stranger = AccountsClient(api, api.signup().token)
    assert stranger.action("validate_tax_id", tax_id="12345678000190").json()["data"]["exists"] is False


def test_integers_past_bigint_are_a_400_in_the_sales_envelope(accounts):
    account = accounts.create()
    for number in (2 ** 63, 2 ** 64, -(2 ** 63) - 1):
        requests = [
            accounts.action("validate_tax_id", tax_id="20-12345678-9", country=number),
            accounts.action("create", country=number, tax_id=new_tax_id(), name="Huge"),
            accounts.action("update", uuid=account, country=number, tax_id=new_tax_id(), name="Huge"),
            accounts.list({"page_size": number}),
        ]
        for response in requests:
            assert error_of(response) == (400, 3), response.text
            assert "country" in response.json()["info"] or "page_size" in response.json()["info"]
    assert accounts.get(account).json()["data"]["name"] != "Huge"
    forged = encode_cursor(["Account", 2 ** 63])  # a page cursor is opaque, but a client may forge one
    assert error_of(accounts.list({"page": forged})) == (400, 3)
    assert accounts.list({"area_min": 1e300}).status_code == 200  # a float is not an integer: no range
