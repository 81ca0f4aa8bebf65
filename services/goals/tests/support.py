"""Helpers of the goals tests: the goals API as the owner calls it, opportunity events, polling."""
import json
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

from kombu import Connection, Exchange, Producer

from infra.processes import ROOT

INPUT = "0b6f3a43-3d3c-4a52-9d5c-2f8d3f0e7a11"


def wait_for(probe, predicate, timeout=20.0, interval=0.1):
    """Polls `probe()` until `predicate(value)` holds; returns the last value (asserting on timeout)."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within {}s; last value: {!r}".format(timeout, value))
        time.sleep(interval)
        value = probe()
    return value


class GoalsClient:
    """The sales goals API called with a workspace owner's (or another user's) token."""

    def __init__(self, api, ws):
        self.api, self.ws = api, ws
        self.campaign = ws.add_campaign(name="Campaña 2025")

    def post(self, path, body, token=None):
        return self.api.post("/api/sales/goals" + path, body, token=token or self.ws.token)

    def create(self, token=None, **fields):
        body = {"action": "create", "description": "Objetivo Venta Fertilizante",
                "campaign_uuid": self.campaign["uuid"], "goal_type": "sale", "goal_subtype": "volume",
                "input_uuid": INPUT, "amount": 10000, "id_unit": 1}
        body.update(fields)
        response = self.post("/goal", body, token)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def progress(self, goal_uuid, token=None, **narrow):
        response = self.post("/progress", dict({"goal_uuid": goal_uuid}, **narrow), token)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def detail(self, goal_uuid, **narrow):
        return self.progress(goal_uuid, **narrow)["progress_detail"]

    def wait_current(self, goal_uuid, expected, timeout=20.0, **narrow):
        return wait_for(lambda: self.detail(goal_uuid, **narrow), lambda d: d["current"] == expected, timeout)

    def listed(self, **filters):
        response = self.post("", dict({"action": "get_all_goals", "page_size": 100}, **filters))
        assert response.status_code == 200, response.text
        return response.json()


class EventPublisher:
    """Publishes `deals.opportunity_changed` as the deals service's outbox relay does."""

    def __init__(self, amqp_uri):
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True})
        self.exchange = Exchange("deals.events", type="topic", durable=True)
        self.producer = Producer(self.connection.channel(), exchange=self.exchange)
        self.exchange(self.producer.channel).declare()
        self.versions = {}

    def publish(self, payload):
        self.producer.publish(json.dumps(payload), routing_key="opportunity_changed", content_type="application/json",
                              content_encoding="utf-8", delivery_mode=2, mandatory=True)

    def close(self):
        self.connection.release()


def opportunity_event(ws, version, deal_uuid=None, deleted=False, **fields):
    """A contract-valid opportunity_changed payload for a deal of `ws` (a won sale of INPUT by default)."""
    deal_uuid = deal_uuid or str(uuid.uuid4())
    now = datetime.now(timezone.utc).isoformat()
    snapshot = {"id": abs(hash(deal_uuid)) % 10 ** 9, "uuid": deal_uuid, "workspace_id": ws.workspace["id"],
                "user_id": ws.owner["id"], "company_id": None, "name": "Opportunity " + deal_uuid[:4],
                "description": None, "value": "100.00", "value_count": "1", "value_type": "Total", "currency": "USD",
                "currency_id": 840, "target_date": "2025-06-30", "finished_at": None, "current_state": "won",
                "type": "sale", "account_uuid": None, "campaign_uuid": None, "input_uuid": INPUT, "crop_id": None,
                "variety_id": None, "quantity": "100", "unit_id": 1, "created_at": now, "updated_at": now}
    snapshot.update(fields)
    return {"event_id": str(uuid.uuid4()), "event_type": "opportunity_changed", "occurred_at": now,
            "workspace_id": ws.workspace["id"], "aggregate_type": "opportunity", "aggregate_id": deal_uuid,
            "version": version, "change": "deleted" if deleted else ("created" if version == 1 else "updated"),
            "snapshot": None if deleted else snapshot}


def run_cli(*args, timeout=120):
    """`python -m services.goals.cli ...` with the test environment; (exit code, output)."""
    done = subprocess.run([sys.executable, "-m", "services.goals.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


class GoalEvents:
    """Collects what the goals service publishes on `goals.events` (bound before anything happens)."""

    def __init__(self, amqp_uri):
        from kombu import Queue
        self.connection = Connection(amqp_uri)
        exchange = Exchange("goals.events", type="topic", durable=True)
        channel = self.connection.channel()
        exchange(channel).declare()
        name = "test-goal-events-" + uuid.uuid4().hex[:8]
        self.queue = Queue(name, exchange=exchange, routing_key="#", exclusive=True, auto_delete=True)(channel)
        self.queue.declare()
        self.seen = []

    def drain(self):
        while True:
            message = self.queue.get(no_ack=True)
            if message is None:
                return self.seen
            self.seen.append(json.loads(message.body))

    def of(self, goal_uuid, event_type=None):
        return [e for e in self.drain() if e["aggregate_id"] == goal_uuid
                and (event_type is None or e["event_type"] == event_type)]

    def close(self):
        self.connection.release()


def assert_stays(probe, expected, seconds=1.0, interval=0.2):
    """Asserts `probe()` keeps answering `expected` for `seconds` (late redeliveries change nothing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert probe() == expected
        time.sleep(interval)


class DealsClient:
    """The deals HTTP API (`{"deal": {...}}`), the producer of opportunity_changed."""

    def __init__(self, api, ws, campaign_uuid):
        self.api, self.ws, self.campaign_uuid = api, ws, campaign_uuid

    def create(self, token=None, **fields):
        deal = {"name": "Deal " + uuid.uuid4().hex[:6], "value": "100", "value_type": "Total", "value_count": "1",
                "target_date": "2025-06-30", "current_state": "won", "type": "sale",
                "campaign_uuid": self.campaign_uuid, "input_uuid": INPUT, "quantity": "100", "unit_id": 1,
                "currency": "USD"}
        deal.update(fields)
        response = self.api.post("/api/deals.json", {"deal": deal}, token=token or self.ws.token)
        assert response.status_code == 201, response.text
        return response.json()["deal"]

    def update(self, deal_id, token=None, **fields):
        response = self.api.put("/api/deals/{}.json".format(deal_id), {"deal": fields}, token=token or self.ws.token)
        assert response.status_code == 200, response.text
        return response.json()["deal"]

    def delete(self, deal_id, token=None):
        response = self.api.delete("/api/deals/{}.json".format(deal_id), token=token or self.ws.token)
        assert response.status_code == 200, response.text


class DealEventTap:
    """A queue of our own on `deals.events`: copies of the real events, to redeliver them later."""

    def __init__(self, amqp_uri):
        from kombu import Queue
        self.connection = Connection(amqp_uri)
        exchange = Exchange("deals.events", type="topic", durable=True)
        channel = self.connection.channel()
        exchange(channel).declare()
        self.queue = Queue("test-deal-tap-" + uuid.uuid4().hex[:8], exchange=exchange,
                           routing_key="opportunity_changed", exclusive=True, auto_delete=True)(channel)
        self.queue.declare()
        self.seen = []

    def drain(self):
        while True:
            message = self.queue.get(no_ack=True)
            if message is None:
                return self.seen
            self.seen.append(json.loads(message.body))

    def close(self):
        self.connection.release()
