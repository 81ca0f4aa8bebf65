"""opportunity_changed: written in the write's transaction, relayed with confirms, versioned per deal,
and the list_opportunities RPC for rebuilding projections."""
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from contracts.events import OpportunityChanged
from infra.consumers import is_newer
from services.accounts.tests.conftest import AccountsClient


def outbox_rows(test_env, aggregate_id):
    engine = create_engine(test_env.database_urls["deals"])
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT event_id, sent_at FROM outbox WHERE payload LIKE :pattern ORDER BY id"),
                                      {"pattern": '%"aggregate_id":"{}"%'.format(aggregate_id)}).all()
    finally:
        engine.dispose()


def test_every_write_publishes_a_valid_event_with_increasing_versions(api, ws, make_deal, tap, test_env):
    account = AccountsClient(api, ws.token).create()  # a deal's account must be one of its workspace
    deal = make_deal(ws, account_uuid=account, quantity="12.5", unit_id=2, type="purchase", crop_id=3)
    path = "/api/deals/{}.json".format(deal["id"])
    api.put(path, {"deal": {"current_state": "won"}}, token=ws.token)
    api.put(path, {"deal": {"value": "20000"}}, token=ws.token)
    api.delete(path, token=ws.token)
    events = tap.wait_for(lambda events: len([e for e in events if e["aggregate_id"] == deal["uuid"]]) >= 4)
    events = [event for event in events if event["aggregate_id"] == deal["uuid"]]
    for event in events:
        OpportunityChanged().load(event)  # raises if the payload breaks the contract
    assert [event["version"] for event in events] == [1, 2, 3, 4]
    assert [event["change"] for event in events] == ["created", "updated", "updated", "deleted"]
    created, won = events[0]["snapshot"], events[1]["snapshot"]
    assert created["id"] == deal["id"] and created["workspace_id"] == ws.workspace["id"]
    assert created["user_id"] == ws.owner["id"] and created["currency_id"] == 978
    assert created["quantity"] == "12.5" and created["unit_id"] == 2 and created["type"] == "purchase"
    assert created["account_uuid"] == account
    assert won["current_state"] == "won" and won["finished_at"] is not None
    assert events[2]["snapshot"]["value"] == "20000.0" and events[3]["snapshot"] is None
    assert len({event["event_id"] for event in events}) == 4
    assert all(sent_at is not None for _, sent_at in outbox_rows(test_env, deal["uuid"]))


def test_rejected_write_publishes_nothing(api, ws, make_deal, tap, test_env):
    deal = make_deal(ws)
    tap.wait_for(lambda events: any(e["aggregate_id"] == deal["uuid"] for e in events))
    bad = api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"value_type": "nope"}}, token=ws.token)
    assert bad.status_code == 422
    assert len(outbox_rows(test_env, deal["uuid"])) == 1


def test_list_opportunities_rebuilds_a_projection_including_deleted(api, ws, make_deal, test_env):
    kept = make_deal(ws, name="kept")
    gone = make_deal(ws, name="gone")
    api.put("/api/deals/{}.json".format(kept["id"]), {"deal": {"current_state": "open_50"}}, token=ws.token)
    api.delete("/api/deals/{}.json".format(gone["id"]), token=ws.token)
    other = api.signup()
    make_deal(other)
    with ClusterRpcProxy({"AMQP_URI": test_env.amqp_uri, "serializer": "json"}, timeout=10) as cluster:
        first = cluster.deals.list_opportunities(workspace_id=ws.workspace["id"], after_id=0, limit=1)
        rest = cluster.deals.list_opportunities(workspace_id=ws.workspace["id"], after_id=first["next_after_id"])
        everything = cluster.deals.list_opportunities()
    rows = first["opportunities"] + rest["opportunities"]
    assert rest["next_after_id"] is None
    by_id = {row["aggregate_id"]: row for row in rows}
    assert set(by_id) == {kept["uuid"], gone["uuid"]}
    assert by_id[kept["uuid"]]["version"] == 2 and by_id[kept["uuid"]]["snapshot"]["current_state"] == "open_50"
    assert by_id[gone["uuid"]]["version"] == 2 and by_id[gone["uuid"]]["snapshot"] is None
    assert all(row["workspace_id"] == ws.workspace["id"] for row in rows)
    assert {row["workspace_id"] for row in everything["opportunities"]} >= {ws.workspace["id"], other.workspace["id"]}


def test_is_newer_orders_events_by_version():
    assert is_newer(None, 1) and is_newer(1, 2)
    assert not is_newer(2, 2) and not is_newer(3, 2)


def test_concurrent_updates_of_one_deal_get_distinct_increasing_versions(api, ws, make_deal, tap):
    import eventlet
    deal = make_deal(ws)
    path = "/api/deals/{}.json".format(deal["id"])
    pool = eventlet.GreenPool()
    statuses = list(pool.imap(lambda n: api.put(path, {"deal": {"description": "edit {}".format(n)}},
                                                token=ws.token).status_code, range(6)))
    assert statuses == [200] * 6
    events = tap.wait_for(lambda events: len([e for e in events if e["aggregate_id"] == deal["uuid"]]) >= 7)
    versions = [e["version"] for e in events if e["aggregate_id"] == deal["uuid"]]
    assert sorted(versions) == list(range(1, 8))  # one event per write, no version given twice
    assert versions == sorted(versions)  # and published in commit order
