"""The AsyncAPI 3.0 document of every event on the bus, generated from contracts/catalog.py (the
payload schemas are the marshmallow contracts the consumers load with). Served at
`GET /asyncapi.json`; docs/events.md explains the semantics (versions, at-least-once delivery)."""
from __future__ import annotations

from functools import lru_cache

from contracts.catalog import CATALOG, EventContract
from gateway.openapi import marshmallow_plugin

AMQP_BINDING_VERSION = "0.3.0"


def _payload_schema(contract: EventContract) -> dict:
    """The contract as JSON Schema, nested schemas inlined (a resolver that names none)."""
    return marshmallow_plugin(resolver=lambda schema: None, standalone=True).converter.schema2jsonschema(contract.schema)


def _message_name(contract: EventContract) -> str:
    return "".join(word.capitalize() for word in contract.event_type.split("_"))


def build() -> dict:
    channels, operations, messages = {}, {}, {}
    for contract in CATALOG:
        channel_id = "{}.{}".format(contract.service, contract.event_type)
        name = _message_name(contract)
        messages[name] = {
            "name": contract.event_type, "title": name, "summary": contract.summary,
            "contentType": "application/json", "payload": _payload_schema(contract),
            "examples": [{"name": "example", "payload": contract.example}],
            "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": contract.event_type,
                                  "bindingVersion": AMQP_BINDING_VERSION}},
        }
        channels[channel_id] = {
            "address": contract.event_type,
            "description": "Routing key `{}` on the topic exchange `{}`.".format(contract.event_type, contract.exchange),
            "messages": {name: {"$ref": "#/components/messages/{}".format(name)}},
            "bindings": {"amqp": {"is": "routingKey", "bindingVersion": AMQP_BINDING_VERSION,
                                  "exchange": {"name": contract.exchange, "type": "topic", "durable": True,
                                               "autoDelete": False, "vhost": "/"}}},
        }
        operations["publish{}".format(name)] = {
            "action": "send", "summary": "The {} service publishes {}".format(contract.service, contract.event_type),
            "channel": {"$ref": "#/channels/{}".format(channel_id)},
            "messages": [{"$ref": "#/channels/{}/messages/{}".format(channel_id, name)}],
            # persistent, published `mandatory` with publisher confirms by the emitter's outbox relay
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "CRM platform events", "version": "1.0.0",
                 "description": "Every event is written to its emitter's outbox in the transaction of the change "
                                "and relayed with publisher confirms: delivery is at least once. Apply an event "
                                "only if its per-aggregate `version` is newer than the one you hold. Bind a "
                                "durable queue of your own to the exchange with the routing key."},
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0-9-1",
                                 "description": "The platform's broker (AMQP_URI)."}},
        "channels": channels, "operations": operations, "components": {"messages": messages},
    }


@lru_cache(maxsize=1)
def document() -> dict:
    return build()
