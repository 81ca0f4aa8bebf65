"""Fixtures of the deals tests: a signed-up workspace, a deal factory through the gateway, and an
event tap (a queue of our own bound to `deals.events` / `opportunity_changed`)."""
import json
import time
import uuid

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from contracts.events import OPPORTUNITY_CHANGED

DOCUMENT_DEAL = {"name": "Prozessoptimierung", "value_type": "Total", "target_date": "12-03-2014",
                 "value_count": "1", "value": "10000", "description": "..."}


class EventTap:
    """Collects the opportunity_changed events published after it was created."""

    def __init__(self, amqp_uri, name=None):
        self.connection = Connection(amqp_uri, connect_timeout=10)
        self.channel = self.connection.channel()
        exchange = get_event_exchange("deals", {})
        exchange(self.channel).declare()
        self.queue = Queue(name or "deals-tests.tap-{}".format(uuid.uuid4().hex[:8]), exchange=exchange,
                           routing_key=OPPORTUNITY_CHANGED, durable=False, auto_delete=True)(self.channel)
        self.queue.declare()
        self.events = []

    def drain(self):
        while True:
            message = self.queue.get(no_ack=True)
            if message is None:
                return self.events
            self.events.append(json.loads(message.body))

    def of(self, aggregate_id):
        return [event for event in self.drain() if event["aggregate_id"] == aggregate_id]

    def wait_for(self, predicate, timeout=15):
        """The collected events once `predicate(events)` holds; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.drain()):
                return self.events
            time.sleep(0.1)
        raise AssertionError("events did not arrive in {}s; got {}".format(timeout, self.events))

    def close(self):
        try:
            self.queue.delete()
        except Exception:  # the broker may already be gone at teardown
            pass
        self.connection.release()


@pytest.fixture(scope="session", autouse=True)
def keep_events_routable(test_env):
    """A durable queue bound before any deal is written, as a real subscriber's would be, so the
    relay's mandatory publishes are routed even when no goals/accounts consumer runs in this suite."""
    tap = EventTap(test_env.amqp_uri, name="deals-tests.all")
    tap.queue.purge()
    yield tap
    tap.close()


@pytest.fixture
def tap(test_env):
    event_tap = EventTap(test_env.amqp_uri)
    yield event_tap
    event_tap.close()


@pytest.fixture
def ws(api):
    return api.signup()


@pytest.fixture
def make_deal(api):
    def make(workspace, headers=None, **fields):
        body = dict(DOCUMENT_DEAL, **fields)
        response = api.post("/api/deals.json", {"deal": body}, token=workspace.token, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()["deal"]
    return make
