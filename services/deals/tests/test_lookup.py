"""deals_in_workspace: other services' lookups of a workspace's live deals by id, uuid or exact name,
over the real RPC path (the customer-goals API resolves an opportunity by name with FIRSTMATCH)."""
import uuid

import pytest

from infra import rpc
from services.deals.exceptions import InvalidQuery
from services.deals.schemas import MAX_LOOKUP

FIELDS = {"id", "uuid", "name", "account_uuid", "current_state"}


@pytest.fixture
def deals_rpc(test_env, system):
    client = rpc.standalone(test_env.amqp_uri, name="deals-lookup-test")
    yield lambda *args, **kwargs: client.call("deals", "deals_in_workspace", args, kwargs, timeout=10)
    client.stop()


def test_finds_live_deals_by_exact_name_ordered_by_name_then_id(api, ws, make_deal, deals_rpc):
    account = str(uuid.uuid4())
    first = make_deal(ws, name="Beta", account_uuid=account, current_state="won")
    make_deal(ws, name="beta")  # another case is another name
    second = make_deal(ws, name="Beta")
    gone = make_deal(ws, name="Beta")
    assert api.delete("/api/deals/{}.json".format(gone["id"]), token=ws.token).status_code == 200
    make_deal(api.signup(), name="Beta")  # another workspace's deal is never answered

    found = deals_rpc(ws.workspace["id"], names=["Beta"])
    assert [deal["id"] for deal in found] == [first["id"], second["id"]]
    assert found[0] == {"id": first["id"], "uuid": first["uuid"], "name": "Beta", "account_uuid": account,
                        "current_state": "won"}
    assert set(found[1]) == FIELDS and found[1]["account_uuid"] is None


def test_finds_by_ids_and_uuids_once_each_only_in_the_workspace(api, ws, make_deal, deals_rpc):
    zulu, alpha, mike = (make_deal(ws, name=name) for name in ("Zulu", "Alpha", "Mike"))
    foreign = make_deal(api.signup(), name="Aaa")
    found = deals_rpc(ws.workspace["id"], ids=[zulu["id"], alpha["id"], foreign["id"], 2 ** 40],
                      uuids=[alpha["uuid"], mike["uuid"], foreign["uuid"], "not-a-uuid"])
    assert [deal["name"] for deal in found] == ["Alpha", "Mike", "Zulu"]  # by name, each deal once
    assert deals_rpc(ws.workspace["id"], ids=[], uuids=[], names=[]) == []
    assert deals_rpc(foreign["account_id"], ids=[zulu["id"]], uuids=[zulu["uuid"]], names=["Zulu"]) == []


@pytest.mark.parametrize("args, kwargs, field", [
    ((1,), {}, "ids"),  # nothing asked
    (("1",), {"ids": [1]}, "workspace_id"),
    ((2 ** 63,), {"ids": [1]}, "workspace_id"),
    ((1,), {"ids": [2 ** 63]}, "ids.0"),
    ((1,), {"ids": list(range(1, MAX_LOOKUP + 2))}, "ids"),
    ((1,), {"names": ["x"] * (MAX_LOOKUP + 1)}, "names"),
    ((1,), {"uuids": "abc"}, "uuids"),
    ((1,), {"names": ["x" * 256]}, "names.0"),
])
def test_bad_arguments_are_invalid_query_naming_the_argument(deals_rpc, args, kwargs, field):
    with pytest.raises(InvalidQuery) as raised:
        deals_rpc(*args, **kwargs)
    assert raised.value.field == field
