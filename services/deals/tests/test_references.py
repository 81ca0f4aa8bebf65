"""A deal's account_uuid and campaign_uuid point at records of other services; they are checked in
the caller's workspace (accounts_in_workspace, campaigns_in_workspace) on create and on an update
that changes them: another workspace's record or a missing one is a 422 naming the field."""
import time
import uuid

import pytest

from services.accounts.tests.conftest import AccountsClient
from services.deals.tests.conftest import DOCUMENT_DEAL


def new_account(api, workspace):
    return AccountsClient(api, workspace.token).create()


def new_campaign(api, workspace):
    return workspace.add_campaign()["uuid"]


REFERENCES = {"account_uuid": new_account, "campaign_uuid": new_campaign}


def create(api, workspace, **fields):
    return api.post("/api/deals.json", {"deal": dict(DOCUMENT_DEAL, **fields)}, token=workspace.token)


def update(api, workspace, deal_id, **fields):
    return api.put("/api/deals/{}.json".format(deal_id), {"deal": fields}, token=workspace.token)


def assert_refused(response, field):
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert list(errors) == [field] and errors[field][0].startswith("is not"), errors


@pytest.mark.parametrize("field", REFERENCES)
def test_create_accepts_the_workspaces_own_record(api, ws, field):
    own = REFERENCES[field](api, ws)
    response = create(api, ws, **{field: own})
    assert response.status_code == 201, response.text
    deal = response.json()["deal"]
    assert deal[field] == own
    assert api.get("/api/deals/{}.json".format(deal["id"]), token=ws.token).json()["deal"][field] == own


@pytest.mark.parametrize("field", REFERENCES)
@pytest.mark.parametrize("whose", ["another workspace's", "missing"])
def test_create_refuses_another_workspaces_or_a_missing_record(api, ws, field, whose):
    target = REFERENCES[field](api, api.signup()) if whose != "missing" else str(uuid.uuid4())
    assert_refused(create(api, ws, name="refused " + whose, **{field: target}), field)
    listed = api.get("/api/deals.json", params={"filter[name]": "refused " + whose}, token=ws.token)
    assert listed.status_code == 200 and listed.json() == []  # nothing was written


@pytest.mark.parametrize("field", REFERENCES)
def test_update_accepts_the_workspaces_own_record_and_null(api, ws, make_deal, field):
    deal = make_deal(ws)
    own = REFERENCES[field](api, ws)
    response = update(api, ws, deal["id"], **{field: own})
    assert response.status_code == 200, response.text
    assert response.json()["deal"][field] == own
    cleared = update(api, ws, deal["id"], **{field: None})
    assert cleared.status_code == 200 and cleared.json()["deal"][field] is None


@pytest.mark.parametrize("field", REFERENCES)
@pytest.mark.parametrize("whose", ["another workspace's", "missing"])
def test_update_refuses_another_workspaces_or_a_missing_record(api, ws, make_deal, field, whose):
    own = REFERENCES[field](api, ws)
    deal = make_deal(ws, **{field: own})
    target = REFERENCES[field](api, api.signup()) if whose != "missing" else str(uuid.uuid4())
    assert_refused(update(api, ws, deal["id"], description="changed", **{field: target}), field)
    kept = api.get("/api/deals/{}.json".format(deal["id"]), token=ws.token).json()["deal"]
    assert kept[field] == own and kept["description"] == DOCUMENT_DEAL["description"]


def test_update_checks_a_reference_only_when_it_changes(api, ws, make_deal):
    accounts = AccountsClient(api, ws.token)
    account = accounts.create()
    deal = make_deal(ws, account_uuid=account)
    assert accounts.action("delete", uuid=account).status_code == 200
    resent = update(api, ws, deal["id"], account_uuid=account, description="same account sent back")
    assert resent.status_code == 200, resent.text  # what a client read can be sent back unchanged
    assert_refused(create(api, ws, account_uuid=account), "account_uuid")  # but not given to another deal


def test_every_refused_reference_is_named(api, ws):
    other = api.signup()
    response = create(api, ws, account_uuid=new_account(api, other), campaign_uuid=str(uuid.uuid4()))
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {"account_uuid", "campaign_uuid"}


def test_a_foreign_reference_of_a_missing_deal_is_a_404(api, ws):
    response = update(api, ws, 2 ** 31 - 1, account_uuid=str(uuid.uuid4()))
    assert response.status_code == 404 and "id" in response.json()["errors"]


def test_an_account_check_the_accounts_service_does_not_answer_is_a_504(api, ws, system):
    account = new_account(api, ws)
    system.kill_component("accounts")
    try:
        started = time.monotonic()
        response = create(api, ws, account_uuid=account)
        elapsed = time.monotonic() - started
        assert response.status_code == 504, response.text
        assert list(response.json()["errors"]) == ["account_uuid"]  # the deals envelope, naming what was not checked
        assert elapsed < 5  # our own deadline (half the test system's 5s) answered, not the gateway's
        assert create(api, ws).status_code == 201  # a deal that points at no account needs no answer
    finally:
        system.start_component("accounts")
        system.wait_healthy()
    assert create(api, ws, account_uuid=account).status_code == 201
