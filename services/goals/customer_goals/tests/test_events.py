"""`goals.customer_goal_changed` through the outbox: one event when a goal is created, changes status
or is deleted (none for other changes, none for templates), each valid against the contract, with
versions that grow by one per event of the goal."""
import pytest

from contracts.customer_goals import CUSTOMER_GOAL_CHANGED, CUSTOMER_GOAL_CHANGED_SCHEMA
from services.goals.customer_goals.tests.support import CREATE, DELETE, UPDATE
from tests.support.events import EventTap


@pytest.fixture
def tap(test_env, system):
    events = EventTap(test_env.amqp_uri, "goals", CUSTOMER_GOAL_CHANGED)
    yield events
    events.close()


def test_create_status_changes_and_delete_are_announced_with_growing_versions(cs, ws, tap):
    statuses = cs.statuses()
    body = {"requests": [{"record": {"Name": "Announced", "StatusName": "New", "EntityType": "GLOBAL",
                                     "DueDate": "2025-03-01", "score__gc": 5},
                          "association": {"CTA": ["cta-1"], "SP": ["sp-1"]}}]}
    goal = cs.ok("POST", CREATE, body)["goal"]
    cs.update(goal["Gsid"], Name="Renamed", Description="no status change")
    cs.update(goal["Gsid"], StatusName="New")  # the same status: not a change
    cs.update(goal["Gsid"], StatusName="At Risk")
    cs.update(goal["Gsid"], StatusId=statuses["Achieved"], Name="Done")
    cs.ok("DELETE", DELETE, {"recordIds": [goal["Gsid"]]})
    events = tap.wait_for(lambda found: len([e for e in found if e["aggregate_id"] == goal["Gsid"]]) >= 4)
    events = [event for event in events if event["aggregate_id"] == goal["Gsid"]]
    assert [(e["change"], e["version"]) for e in events] == [("created", 1), ("updated", 2), ("updated", 3),
                                                              ("deleted", 4)]
    for event in events:
        assert CUSTOMER_GOAL_CHANGED_SCHEMA.validate(event) == {}, event
        assert (event["event_type"], event["aggregate_type"], event["workspace_id"]) == (
            CUSTOMER_GOAL_CHANGED, "customer_goal", ws.workspace["id"])
    created, at_risk, achieved, deleted = (event["snapshot"] for event in events)
    assert (created["Name"], created["StatusName"], created["DueDate"], created["customFields"]) == (
        "Announced", "New", "2025-03-01", {"score__gc": 5})
    assert (created["associatedCTAs"], created["associatedSPs"], created["CreatedById"]) == (
        ["cta-1"], ["sp-1"], ws.owner["uuid"])
    assert (at_risk["StatusId"], at_risk["StatusName"], at_risk["Name"]) == (statuses["At Risk"], "At Risk", "Renamed")
    assert (achieved["StatusName"], achieved["Name"]) == ("Achieved", "Done")
    assert deleted is None
    assert len(tap.drain()) == 4  # nothing else was announced for it


def test_templates_are_not_announced(cs, tap):
    template = cs.template()
    cs.ok("PUT", "/v1/csgoal/external/template", {"requests": [{"record": {"Gsid": template["Gsid"],
                                                                           "StatusName": "Achieved"}}]})
    goal = cs.create()
    tap.wait_for(lambda found: any(e["aggregate_id"] == goal["Gsid"] for e in found))
    assert not [event for event in tap.drain() if event["aggregate_id"] == template["Gsid"]]


def test_a_refused_update_announces_nothing(cs, tap):
    goal = cs.create()
    cs.error("PUT", UPDATE, {"requests": [{"record": {"Gsid": goal["Gsid"], "StatusName": "At Risk", "Name": ""}}]})
    cs.update(goal["Gsid"], StatusName="Achieved")
    events = tap.wait_for(lambda found: len([e for e in found if e["aggregate_id"] == goal["Gsid"]]) >= 2)
    assert [e["snapshot"]["StatusName"] for e in events if e["aggregate_id"] == goal["Gsid"]] == ["New", "Achieved"]
