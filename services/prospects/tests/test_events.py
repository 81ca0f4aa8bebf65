"""prospect_created and prospect_changed on the broker: written to the outbox with the change, relayed
to `prospects.events`, valid against the contract, one version per change."""
import pytest

from contracts.events import PROSPECT_CHANGED_SCHEMA
from infra.sinks import sink_queue_name
from services.prospects.tests.support import create, create_one, row
from tests.support.events import EventTap
from tests.support.resources import queue_info


@pytest.fixture
def tap(test_env, system):
    event_tap = EventTap(test_env.amqp_uri, "prospects")
    yield event_tap
    event_tap.close()


def _of(tap, uuid, count):
    """The first `count` events of the prospect `uuid`, by version."""
    tap.wait_for(lambda events: len([e for e in events if e["aggregate_id"] == uuid]) >= count)
    return sorted(tap.of(uuid), key=lambda e: e["version"])


def test_each_new_prospect_and_each_status_change_is_an_event(api, ws, boss, tap):
    body = create(api, boss, row(company="Lead A", campaign="Q1"), row(company="Lead B", type=2))
    ids = [insert["id"] for insert in body["inserts"]]
    created = tap.wait_for(lambda events: {e["snapshot"]["id"] for e in events} >= set(ids))
    first = next(e for e in created if e["snapshot"]["id"] == ids[0])
    assert PROSPECT_CHANGED_SCHEMA.validate(first) == {}
    assert (first["event_type"], first["change"], first["version"], first["aggregate_type"]) == \
        ("prospect_created", "created", 1, "prospect")
    assert first["workspace_id"] == ws.workspace["id"] and first["snapshot"]["company_name"] == "Lead A"
    assert first["snapshot"]["campaign"] == "Q1" and first["snapshot"]["follow_name"] == "new_lead"
    client = next(e for e in created if e["snapshot"]["id"] == ids[1])
    assert client["snapshot"]["type"] == 2 and client["snapshot"]["company_id"] is not None
    api.post("/prospects/{}/notes".format(ids[0]), {"note": "talked", "follow": 2}, token=boss.token)
    api.post("/prospects/{}/notes".format(ids[0]), {"note": "no move"}, token=boss.token)
    api.post("/prospects/{}/notes".format(ids[0]), {"note": "won", "follow": 5}, token=boss.token)
    events = _of(tap, first["aggregate_id"], 3)
    assert [(e["event_type"], e["version"], e["snapshot"]["follow_name"]) for e in events] == [
        ("prospect_created", 1, "new_lead"), ("prospect_changed", 2, "contacted"),
        ("prospect_changed", 3, "active_client")]
    assert events[2]["snapshot"]["type"] == 2 and events[2]["snapshot"]["company_id"] is not None


def test_edits_of_the_prospect_are_prospect_changed_with_the_next_version(api, ws, boss, tap):
    prospect_id = create_one(api, boss)
    api.request("PATCH", "/prospects/{}".format(prospect_id), token=boss.token, json={"company_name": "Renamed"})
    api.request("PATCH", "/prospects/{}/data".format(prospect_id), token=boss.token, json={"account_value": 99})
    uuid = next(e for e in tap.wait_for(lambda ev: any(e["snapshot"]["id"] == prospect_id for e in ev))
                if e["snapshot"]["id"] == prospect_id)["aggregate_id"]
    events = _of(tap, uuid, 3)
    assert [(e["version"], e["snapshot"]["company_name"], e["snapshot"]["account_value"]) for e in events][1:] == [
        (2, "Renamed", "0.00"), (3, "Renamed", "99.00")]


def test_a_rejected_import_emits_nothing_and_events_always_route(api, ws, boss, tap, test_env):
    create(api, boss, row(email="broken"))
    create(api, boss, row(company="Marker"))
    events = tap.wait_for(lambda ev: any(e["snapshot"]["company_name"] == "Marker" for e in ev))
    assert [e["snapshot"]["company_name"] for e in events] == ["Marker"]
    assert queue_info(test_env.vhost, sink_queue_name("prospects")) is not None  # bound before any subscriber
