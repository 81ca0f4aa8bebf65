"""Deactivating a user through the gateway, and the `user_changed` events the directory publishes."""
import pytest
from sqlalchemy import create_engine, text

from contracts.events import UserChanged
from tests.support import resources
from tests.support.events import EventTap, wait_for


@pytest.fixture
def tap(test_env):
    tap = EventTap(test_env.amqp_uri, "directory", "user_changed")
    yield tap
    tap.close()


def test_a_deactivated_user_cannot_log_in_and_shows_inactive(api):
    ws = api.signup()
    user = ws.add_user()
    assert user["active"] is True
    response = api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["active"] is False
    login = api.post("/api/auth/login", {"email": user["email"], "password": "another-long-password"})
    assert login.status_code == 401 and login.json() == {"res": "error", "code": 11,
                                                         "info": "This user has been deactivated"}
    wrong = api.post("/api/auth/login", {"email": user["email"], "password": "not-the-password"})
    assert wrong.json()["info"] == "Invalid email or password"  # nothing said without the password
    listed = {u["id"]: u["active"] for u in api.get("/api/directory/users", token=ws.token).json()["data"]}
    assert listed == {ws.owner["id"]: True, user["id"]: False}
    again = api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token)
    assert again.status_code == 200 and again.json()["data"]["active"] is False


def test_only_the_owner_deactivates_and_never_themselves(api):
    ws = api.signup()
    member, other_member = ws.add_user(), ws.add_user()
    refused = api.post("/api/directory/users/{}/deactivate".format(other_member["id"]), token=member["token"])
    assert refused.status_code == 403 and refused.json()["code"] == 21
    itself = api.post("/api/directory/users/{}/deactivate".format(ws.owner["id"]), token=ws.token)
    assert itself.status_code == 400 and itself.json()["code"] == 3
    assert api.get("/api/directory/users/{}".format(other_member["id"]), token=ws.token).json()["data"]["active"]
    assert api.post("/api/auth/login", {"email": ws.email, "password": ws.password}).status_code == 200


def test_another_workspaces_user_cannot_be_deactivated(api):
    ws, other = api.signup(), api.signup()
    stranger = other.add_user()
    theirs = api.post("/api/directory/users/{}/deactivate".format(stranger["id"]), token=ws.token)
    missing = api.post("/api/directory/users/999999999/deactivate", token=ws.token)
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()
    assert api.get("/api/directory/users/{}".format(stranger["id"]), token=other.token).json()["data"]["active"]


def test_user_changed_is_published_on_creation_permission_change_and_deactivation(api, tap):
    ws = api.signup()
    owner_events = tap.wait_for(lambda events: [e for e in events if e["aggregate_id"] == ws.owner["uuid"]])
    assert [(e["version"], e["change"], e["snapshot"]["permissions"]) for e in owner_events] == \
        [(1, "created", ["319", "crm-menu", "crm-partners", "all-prospects"])]
    user = ws.add_user()
    api.put("/api/directory/users/{}/permissions".format(user["id"]), {"permissions": ["319"]}, token=ws.token)
    api.put("/api/directory/users/{}/permissions".format(user["id"]), {"permissions": ["319"]}, token=ws.token)
    api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token)
    api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token)
    events = tap.wait_for(lambda events: len(tap.of(user["uuid"])) >= 3)
    events = sorted(tap.of(user["uuid"]), key=lambda e: e["version"])
    for event in events:
        UserChanged().load(event)  # each one is what the contract allows
    assert [(e["version"], e["change"], e["snapshot"]["permissions"], e["snapshot"]["active"]) for e in events] == \
        [(1, "created", [], True), (2, "updated", ["319"], True), (3, "updated", ["319"], False)]
    first, second, third = (e["snapshot"] for e in events)
    assert first["access_changed_at"] is None
    assert second["access_changed_at"] <= third["access_changed_at"]
    assert all(e["workspace_id"] == ws.workspace["id"] and e["aggregate_type"] == "user" for e in events)
    assert set(third) == {"id", "uuid", "workspace_id", "first_name", "last_name", "is_owner", "active",
                          "permissions", "access_changed_at"}


def test_user_events_always_route_through_the_bounded_sink(api, test_env):
    """`directory.events.recent` keeps user_changed routable, so the outbox never holds one back."""
    ws = api.signup()
    ws.add_user()
    sink = wait_for(lambda: resources.queue_info(test_env.vhost, "directory.events.recent"),
                    lambda queue: queue and queue.get("messages", 0) >= 2)
    assert sink["arguments"]["x-max-length"] == 10000 and sink["durable"]
    engine = create_engine(test_env.database_urls["directory"])
    try:
        with engine.connect() as connection:
            wait_for(lambda: connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar(),
                     lambda pending: pending == 0)
            assert connection.execute(text("SELECT count(*) FROM outbox WHERE attempts > 0")).scalar() == 0
    finally:
        engine.dispose()
