"""infra.entrypoints.reply: what a service answers a JSON RPC request with (the result, or nameko's
serialized error, once encoded, transient, to the caller's reply queue), and a result that cannot be
encoded answered as nameko answers it (UnserializableValueError) instead of failing the worker."""

import json
from datetime import datetime
from decimal import Decimal

from nameko.exceptions import deserialize

from infra.entrypoints import reply
from infra.errors import NotFound


class Recorded:
    """Where reply() publishes: the messages it was given."""

    def __init__(self):
        self.sent = []

    def publish(self, message, exchange, routing_key, mandatory=False, prepare=None):
        self.sent.append((message, exchange, routing_key))


class Request:
    properties = {"correlation_id": "c-1", "reply_to": "reply-key", "content_type": "application/json"}


def test_a_result_goes_to_the_callers_reply_queue_encoded_as_kombu_encodes_it():
    link = Recorded()
    result, exc_info = reply(link, Request(), {"deal": {"value": Decimal("1.5")}, "at": datetime(2025, 1, 2)}, None)
    ((message, exchange, routing_key),) = link.sent
    assert (exchange, routing_key, message.properties["correlation_id"]) == ("nameko-rpc", "reply-key", "c-1")
    assert message.properties["delivery_mode"] == 1 and exc_info is None
    body = json.loads(message.body)
    assert body["error"] is None and body["result"]["deal"]["value"] == {"__type__": "decimal", "__value__": "1.5"}


def test_an_error_is_answered_as_nameko_serializes_it():
    link = Recorded()
    try:
        raise NotFound("no such deal", "id")
    except NotFound as exc:
        error = exc
        _, exc_info = reply(link, Request(), None, (type(exc), exc, exc.__traceback__))
    body = json.loads(link.sent[0][0].body)
    assert body["result"] is None and exc_info[1] is error
    again = deserialize(body["error"])
    assert isinstance(again, NotFound) and again.info == "no such deal"


def test_a_result_that_cannot_be_encoded_is_answered_as_an_error():
    link = Recorded()
    result, exc_info = reply(link, Request(), {"thing": object()}, None)
    body = json.loads(link.sent[0][0].body)
    assert result is None and body["result"] is None and body["error"]["exc_type"] == "UnserializableValueError"
    assert exc_info is not None
