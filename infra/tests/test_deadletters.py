"""`make replay-dead-letters` on the real broker: a consumer that refuses a field it does not know
yet dead-letters the events carrying it; `list` shows them, the consumer is fixed, `replay` puts
the chosen ones back and the fixed consumer applies them, while the others stay dead-lettered."""

import os
import subprocess
import sys
import uuid

import pytest
from marshmallow import RAISE, Schema, fields
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from contracts.events import Envelope
from infra.consumers import EventConsumer, event_handler
from infra.deadletters import DeadLetters
from infra.events import envelope
from infra.processes import ROOT
from tests.support.events import EventPublisher, wait_for

SOURCE, EVENT_TYPE = "dead_letter_probe_source", "probe_changed"
QUEUE = "evt-{}-{}--dead_letter_probe.handle".format(SOURCE, EVENT_TYPE)
DEAD_LETTER_QUEUE = QUEUE + ".dead-letter"
STATE = {"fixed": False}
APPLIED: list[str] = []


class ProbeV1(Schema):
    class Meta:
        unknown = RAISE  # a field this release does not know yet is refused: poison

    uuid = fields.String(required=True)
    workspace_id = fields.Integer(required=True)
    name = fields.String(required=True)


class ProbeV2(ProbeV1):
    colour = fields.String()  # the fix: the field is known now


class ProbeChangedV1(Envelope):
    snapshot = fields.Nested(ProbeV1, allow_none=True, required=True)


class ProbeChangedV2(Envelope):
    snapshot = fields.Nested(ProbeV2, allow_none=True, required=True)


def apply(session, event):
    APPLIED.append(str(event["event_id"]))


CONSUMERS = {
    False: EventConsumer(ProbeChangedV1(), apply, EVENT_TYPE),
    True: EventConsumer(ProbeChangedV2(), apply, EVENT_TYPE),
}
SESSION = Session(create_engine("sqlite://"))


class DeadLetterProbe:
    name = "dead_letter_probe"

    @event_handler(SOURCE, EVENT_TYPE)
    def handle(self, payload):
        CONSUMERS[STATE["fixed"]].handle(SESSION, payload)


def probe_event(**snapshot):
    aggregate = str(uuid.uuid4())
    return envelope(
        EVENT_TYPE,
        1,
        "probe",
        aggregate,
        1,
        "created",
        dict({"uuid": aggregate, "workspace_id": 1, "name": "probe"}, **snapshot),
    )


def cli(*args):
    done = subprocess.run(
        [sys.executable, "-m", "infra.deadletters"] + list(args),
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def publisher(test_env):
    publisher = EventPublisher(test_env.amqp_uri, SOURCE)
    yield publisher
    publisher.close()


def test_a_poison_event_is_listed_then_replayed_once_the_consumer_is_fixed(
    container_factory, service_config, publisher, test_env
):
    STATE["fixed"] = False
    APPLIED.clear()
    container_factory(DeadLetterProbe, service_config).start()
    dead_letters = DeadLetters(test_env.amqp_uri)
    good, first, second = probe_event(), probe_event(colour="red"), probe_event(colour="blue")
    for event in (good, first, second):
        publisher.publish(event, routing_key=EVENT_TYPE)
    wait_for(lambda: dead_letters.count(DEAD_LETTER_QUEUE), lambda count: count == 2)
    assert APPLIED == [good["event_id"]]

    code, listing = cli("list")
    assert code == 0, listing
    assert "{}: 2 messages (replay with --queue {})".format(DEAD_LETTER_QUEUE, QUEUE) in listing, listing
    for event in (first, second):
        assert (
            "{} event {} aggregate {}: rejected at".format(EVENT_TYPE, event["event_id"], event["aggregate_id"])
            in listing
        ), listing

    STATE["fixed"] = True  # the release that knows `colour`
    code, output = cli("replay", "--queue", QUEUE, "--event-id", first["event_id"])
    assert code == 0, output
    assert "1 replayed, 1 left in {}".format(DEAD_LETTER_QUEUE) in output, output
    wait_for(lambda: list(APPLIED), lambda applied: first["event_id"] in applied)
    assert [letter.event_id for letter in dead_letters.peek(QUEUE)] == [second["event_id"]]  # not chosen: stays

    done = subprocess.run(
        ["make", "-s", "replay-dead-letters", "ARGS=replay --queue {} --all".format(QUEUE)],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    wait_for(lambda: list(APPLIED), lambda applied: second["event_id"] in applied)
    assert dead_letters.count(DEAD_LETTER_QUEUE) == 0
    assert sorted(APPLIED) == sorted([good["event_id"], first["event_id"], second["event_id"]])


def test_replaying_an_unknown_event_id_changes_nothing_and_says_so(
    container_factory, service_config, publisher, test_env
):
    STATE["fixed"] = False
    container_factory(DeadLetterProbe, service_config).start()
    poison = probe_event(colour="green")
    publisher.publish(poison, routing_key=EVENT_TYPE)
    dead_letters = DeadLetters(test_env.amqp_uri)
    wait_for(lambda: dead_letters.count(DEAD_LETTER_QUEUE), lambda count: count >= 1)
    before = dead_letters.count(DEAD_LETTER_QUEUE)
    code, output = cli("replay", "--queue", DEAD_LETTER_QUEUE, "--event-id", str(uuid.uuid4()))
    assert code == 1 and "no dead letter with event id" in output, output
    assert dead_letters.count(DEAD_LETTER_QUEUE) == before
    code, output = cli("list", "--queue", QUEUE, "--limit", "0")
    assert code == 0 and "{}: {} message".format(DEAD_LETTER_QUEUE, before) in output, output
    assert "and {} more".format(before) in output, output
    STATE["fixed"] = True
    assert cli("replay", "--queue", QUEUE, "--all")[0] == 0  # the queue is left empty
    wait_for(lambda: list(APPLIED), lambda applied: poison["event_id"] in applied)
