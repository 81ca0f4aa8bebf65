"""Issue 16, logs: one request followed by its id from the HTTP call to the goal figure it moved,
across three processes (gateway, deals, goals) and into the events it caused."""
import uuid

import pytest

from gateway.tests.logs import has_record, read_logs, records_with
from services.goals.tests.support import DealsClient, GoalsClient
from tests.support.events import EventTap


@pytest.fixture
def taps(test_env, system):
    deal_events = EventTap(test_env.amqp_uri, "deals", "opportunity_changed")
    goal_events = EventTap(test_env.amqp_uri, "goals", "goal_progress_changed")
    yield deal_events, goal_events
    deal_events.close()
    goal_events.close()


def caused_by(tap, request_id):
    """The events of `tap` that carry `request_id`, once there is one."""
    tap.wait_for(lambda found: any(event.get("request_id") == request_id for event in found))
    return [event for event in tap.events if event.get("request_id") == request_id]


def test_one_deal_update_is_followed_by_its_request_id_to_the_goal_it_moved(api, system, taps):
    deal_events, goal_events = taps
    ws = api.signup()
    goals = GoalsClient(api, ws)
    deals = DealsClient(api, ws, goals.campaign["uuid"])
    goal = goals.create(amount=1000)
    deal = deals.create(quantity="30")
    goals.wait_current(goal["uuid"], 30)

    request_id = "trace-" + uuid.uuid4().hex
    response = api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"quantity": "70"}}, token=ws.token,
                       headers={"X-Request-Id": request_id})
    assert response.status_code == 200 and response.headers["X-Request-Id"] == request_id

    # the events carry it: the deal's (caused by the request) and the goal's (caused by the deal's)
    [deal_event] = caused_by(deal_events, request_id)
    assert deal_event["aggregate_id"] == deal["uuid"] and deal_event["causation_id"] is None
    [goal_event] = caused_by(goal_events, request_id)
    assert goal_event["aggregate_id"] == goal["uuid"] and goal_event["snapshot"]["current"] == "70"
    assert goal_event["causation_id"] == deal_event["event_id"]

    # the logs: one id finds the request in each process, with what each did
    logs = read_logs(system, ("gateway", "deals", "goals"), {
        "gateway": has_record(request_id=request_id, logger="crm.gateway"),
        "deals": has_record(request_id=request_id, logger="crm.events"),
        "goals": has_record(request_id=request_id, logger="crm.events")})
    [answered] = records_with(logs["gateway"], request_id=request_id, logger="crm.gateway")
    assert answered["message"] == "PUT /api/deals/{}.json 200".format(deal["id"])
    assert answered["route"] == "/api/deals/<int:deal_id>.json"

    assert [r["message"] for r in records_with(logs["deals"], request_id=request_id, logger="crm.requests")] == \
        ["deals.update_deal ok"]
    [recorded] = records_with(logs["deals"], request_id=request_id, logger="crm.events")
    assert recorded["recorded_event_id"] == deal_event["event_id"]
    assert recorded["message"] == "recorded opportunity_changed {} v{}".format(deal["uuid"], deal_event["version"])

    [handled] = records_with(logs["goals"], request_id=request_id, logger="crm.requests")
    assert handled["message"] == "goals.handle_opportunity_changed ok"
    assert handled["event_id"] == deal_event["event_id"] and handled["causation_id"] is None
    [moved] = records_with(logs["goals"], request_id=request_id, logger="crm.events",
                           recorded_event_id=goal_event["event_id"])
    assert moved["message"] == "recorded goal_progress_changed {} v{}".format(goal["uuid"], goal_event["version"])
    assert moved["event_id"] == deal_event["event_id"]  # recorded while handling the deal's event
