"""Watching and producing events on the real broker in tests.

- EventTap: a queue of the test's own bound to `<service>.events`, collecting what is published.
- EventPublisher: publishes payloads as an outbox relay does (JSON, persistent, confirmed).
- opportunity_event: a contract-valid `deals.opportunity_changed` payload.
- wait_for: polls until a condition holds, failing the test on timeout.
"""
import json
import time
import uuid
import zlib

from kombu import Connection, Producer, Queue
from nameko.standalone.events import get_event_exchange

from contracts.events import OPPORTUNITY_CHANGED, OpportunityChanged
from infra.events import envelope, isoformat, utcnow


def wait_for(probe, predicate=bool, timeout=20.0, interval=0.1):
    """Polls `probe()` until `predicate(value)` holds and returns that value (AssertionError on timeout)."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within {}s; last value: {!r}".format(timeout, value))
        time.sleep(interval)
        value = probe()
    return value


class EventTap:
    """Collects the events `source_service` publishes with `routing_key` after the tap exists."""

    def __init__(self, amqp_uri, source_service, routing_key="#", name=None):
        self.connection = Connection(amqp_uri, connect_timeout=10)
        self.channel = self.connection.channel()
        exchange = get_event_exchange(source_service, {})
        exchange(self.channel).declare()
        name = name or "test-tap-{}-{}".format(source_service, uuid.uuid4().hex[:8])
        self.queue = Queue(name, exchange=exchange, routing_key=routing_key, durable=False,
                           auto_delete=True)(self.channel)
        self.queue.declare()
        self.events = []

    def drain(self):
        """Every event collected so far (reads what arrived since the last call)."""
        while True:
            message = self.queue.get(no_ack=True)
            if message is None:
                return self.events
            self.events.append(json.loads(message.body))

    def of(self, aggregate_id, event_type=None):
        return [event for event in self.drain() if event["aggregate_id"] == aggregate_id
                and (event_type is None or event["event_type"] == event_type)]

    def wait_for(self, predicate, timeout=15):
        """The collected events once `predicate(events)` holds; AssertionError after `timeout`."""
        return wait_for(self.drain, predicate, timeout)

    def close(self):
        try:
            self.queue.delete()
        except Exception:  # the broker may already be gone at teardown
            pass
        self.connection.release()


class EventPublisher:
    """Publishes on `<source_service>.events` as the service's outbox relay does."""

    def __init__(self, amqp_uri, source_service="deals"):
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=10)
        self.exchange = get_event_exchange(source_service, {})
        self.producer = Producer(self.connection.channel(), exchange=self.exchange)
        self.exchange(self.producer.channel).declare()

    def publish(self, payload, routing_key=OPPORTUNITY_CHANGED):
        self.producer.publish(json.dumps(payload), routing_key=routing_key, content_type="application/json",
                              content_encoding="utf-8", delivery_mode=2, mandatory=True, retry=True)

    def close(self):
        self.connection.release()


def opportunity_event(workspace_id, version, deal_uuid=None, change=None, **snapshot_fields):
    """A contract-valid opportunity_changed payload; `change="deleted"` gives a null snapshot.
    The snapshot defaults to an open sale of 100 USD; `snapshot_fields` override any field."""
    deal_uuid = deal_uuid or str(uuid.uuid4())
    change = change or ("created" if version == 1 else "updated")
    snapshot = None
    if change != "deleted":
        now = isoformat(utcnow())
        snapshot = {"id": zlib.crc32(deal_uuid.encode()) % 10 ** 9, "uuid": deal_uuid, "workspace_id": workspace_id,
                    "user_id": None, "company_id": None, "name": "Opportunity " + deal_uuid[:4], "description": None,
                    "value": "100.00", "value_type": "Total", "value_count": "1", "currency": "USD",
                    "currency_id": 840, "target_date": "2025-06-30", "finished_at": None, "current_state": "open_0",
                    "type": "sale", "account_uuid": None, "campaign_uuid": None, "input_uuid": None, "crop_id": None,
                    "variety_id": None, "quantity": None, "unit_id": None, "created_at": now, "updated_at": now}
        snapshot.update(snapshot_fields)
    event = envelope(OPPORTUNITY_CHANGED, workspace_id, "opportunity", deal_uuid, version, change, snapshot)
    OpportunityChanged().load(event)  # tests publish only what the contract allows
    return event
