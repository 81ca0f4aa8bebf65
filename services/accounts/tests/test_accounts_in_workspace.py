"""`accounts_in_workspace`, the RPC other services call with the workspace they act for (deals checks
a deal's account, customer goals resolve a company by name): live accounts of that workspace only,
by uuid or exact name, ordered by name then id, with bounded inputs."""
import uuid

import pytest

from infra import rpc
from services.accounts.exceptions import InvalidAccountInput
from services.accounts.tests.conftest import AccountsClient


@pytest.fixture
def client(test_env, system):
    client = rpc.standalone(test_env.amqp_uri, name="accounts-test")
    yield client
    client.stop()


def lookup(client, workspace_id, **kwargs):
    return client.call("accounts", "accounts_in_workspace", [workspace_id], kwargs)


def test_by_uuid_only_live_accounts_of_the_workspace(api, workspace, accounts, client):
    ws = workspace.workspace["id"]
    beta, alpha = accounts.create(name="Beta", tax_id="20-11111111-1"), accounts.create(name="Alpha")
    resting = accounts.create(name="Resting")
    assert accounts.action("inactivate", uuid=resting).status_code == 200
    gone = accounts.create(name="Gone")
    assert accounts.action("delete", uuid=gone).status_code == 200
    foreign = AccountsClient(api, api.signup().token).create(name="Foreign")
    asked = [beta.upper(), alpha, resting, gone, foreign, str(uuid.uuid4()), "not-a-uuid"]
    found = lookup(client, ws, uuids=asked)
    assert found == [
        {"uuid": alpha, "name": "Alpha", "country": 1, "tax_id": found[0]["tax_id"], "active": True},
        {"uuid": beta, "name": "Beta", "country": 1, "tax_id": "20-11111111-1", "active": True},
        {"uuid": resting, "name": "Resting", "country": 1, "tax_id": found[2]["tax_id"], "active": False},
    ]
    assert lookup(client, ws, uuids=[]) == []


def test_by_exact_name_first_match_is_the_oldest(api, workspace, accounts, client):
    ws = workspace.workspace["id"]
    older = accounts.create(name="Campo Grande")
    newer = accounts.create(name="Campo Grande")
    other = accounts.create(name="Another")
    AccountsClient(api, api.signup().token).create(name="Campo Grande")  # another workspace's namesake
    found = lookup(client, ws, names=["Campo Grande", "campo grande", "Campo"])
    assert [account["uuid"] for account in found] == [older, newer]
    both = lookup(client, ws, uuids=[other], names=["Campo Grande"])  # either matches
    assert [account["uuid"] for account in both] == [other, older, newer]


def test_inputs_are_bounded(workspace, client):
    ws = workspace.workspace["id"]
    refused = [
        dict(uuids=[str(uuid.uuid4()) for _ in range(1001)]),
        dict(names=["n"] * 1001),
        dict(names=["x" * 256]),
        dict(names=[1]),
        dict(uuids="not-a-list"),
        dict(),  # neither: the whole workspace is not what a lookup answers
    ]
    for kwargs in refused:
        with pytest.raises(InvalidAccountInput):
            lookup(client, ws, **kwargs)
    for workspace_id in (2 ** 63, 2 ** 64, 0, "1", None):
        with pytest.raises(InvalidAccountInput):
            lookup(client, workspace_id, names=["a"])
    assert lookup(client, ws, uuids=[str(uuid.uuid4()) for _ in range(1000)]) == []
