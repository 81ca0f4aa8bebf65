"""The RPC entrypoint every service declares its use cases with (all of a service's RPC entrypoints
must come from here: they share one consumer of the service's RPC queue).

- A ServiceError is the caller's mistake: nameko treats it as expected (logged without an error
  traceback, not counted as a bug) and the caller gets it back as its own type (infra.errors).
- Replies are published transient, without publisher confirms, on one connection per process
  (TransientReplyPublisher, below): a lost reply is its caller's timeout, never a lost change.
  RPC_REPLY_CONFIRMS=1 restores nameko's persistent, confirmed replies.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

from amqp import Message
from kombu.serialization import dumps as kombu_dumps
from kombu.utils.json import dumps as json_dumps
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnserializableValueError, serialize
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from infra import settings
from infra.amqp import RPC_EXCHANGE, TRANSIENT, AmqpLink
from infra.errors import ServiceError


class TransientReplyPublisher(Publisher):
    """What nameko's Responder answers RPC calls with: transient, without publisher confirms, on
    one connection per process (nameko's Publisher takes a pooled producer, builds a connection
    object and waits for the broker's confirm on every reply).

    A reply goes to its caller's reply queue; persisting it, or holding the worker until the broker
    confirms it, protects nothing: a lost reply is its caller's timeout, the change it reports is
    already committed, and every state-changing RPC is safe to run twice."""

    use_confirms = False
    delivery_mode = TRANSIENT
    _links: ClassVar[dict[str, AmqpLink]] = {}  # amqp uri -> AmqpLink of this process

    def publish(self, payload: Any, **kwargs: Any) -> None:
        content_type, content_encoding, body = kombu_dumps(payload, kwargs.get("serializer", self.serializer))
        exchange = kwargs["exchange"]
        message = Message(
            body,
            content_type=content_type,
            content_encoding=content_encoding,
            delivery_mode=TRANSIENT,
            correlation_id=kwargs.get("correlation_id"),
        )
        self._link().publish(message, getattr(exchange, "name", exchange), kwargs["routing_key"])

    def _link(self) -> AmqpLink:
        link = self._links.get(self.amqp_uri)
        if link is None:
            link = self._links[self.amqp_uri] = AmqpLink(self.amqp_uri, "rpc-replies")
        return link


class TransientResponder(Responder):
    publisher_cls = TransientReplyPublisher


class ReplyingConsumer(RpcConsumer):
    """nameko's RpcConsumer, answering through TransientResponder (its handle_result otherwise), with
    the entrypoint of a routing key found in a dict (nameko formats and compares every method's)."""

    _by_routing_key: dict[str, Any] | None = None  # routing key -> its Rpc entrypoint

    def get_provider_for_method(self, routing_key: str) -> Any:
        if self._by_routing_key is None or len(self._by_routing_key) != len(self._providers):
            self._by_routing_key = {
                "{}.{}".format(self.container.service_name, provider.method_name): provider
                for provider in self._providers
            }
        provider = self._by_routing_key.get(routing_key)
        return provider if provider is not None else super().get_provider_for_method(routing_key)

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        if settings.get().rpc_reply_confirms or message.properties.get("content_type") != JSON:
            result, exc_info = self._respond(message, result, exc_info)
        else:
            result, exc_info = reply(self._reply_link(), message, result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _respond(self, message: Any, result: Any, exc_info: Any) -> Any:  # nameko's (result, exc_info)
        config = self.container.config
        responder_cls = Responder if settings.get().rpc_reply_confirms else TransientResponder
        responder = responder_cls(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        return responder.send_response(result, exc_info)

    def _reply_link(self) -> AmqpLink:
        publisher = TransientReplyPublisher(self.container.config[AMQP_URI_CONFIG_KEY])
        return publisher._link()


JSON = "application/json"


class ReplyLink(Protocol):
    """Where `reply` publishes: an AmqpLink (the tests record what it is given)."""

    def publish(self, message: Any, exchange: str, routing_key: str) -> None: ...


def reply(link: ReplyLink, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
    """What nameko's Responder does for a JSON request, with the body encoded once (it encodes it a
    second time first, to check that it can) and no publisher object per reply: the result or the
    error to the caller's reply queue, transient. `exc_info` is nameko's (type, exception, traceback) of
    a failed worker, or None."""
    error = None if exc_info is None else serialize(exc_info[1])
    try:
        body = json_dumps({"result": result, "error": error})
    except Exception:  # as nameko's: the caller gets an error it can read, the worker's result is the failure
        exc_info = sys.exc_info()
        result, error = None, serialize(UnserializableValueError(result))
        body = json_dumps({"result": None, "error": error})
    properties = message.properties
    link.publish(
        Message(
            body,
            content_type=JSON,
            content_encoding="utf-8",
            delivery_mode=TRANSIENT,
            correlation_id=properties.get("correlation_id"),
        ),
        RPC_EXCHANGE,
        properties["reply_to"],
    )
    return result, exc_info


class ServiceRpc(Rpc):
    rpc_consumer = ReplyingConsumer()
    # the shapes of call the method was checked to accept: (number of args, keyword names)
    _valid_shapes: set[tuple[int, tuple[str, ...]]] | None = None

    def check_signature(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        """nameko's check (inspect.getcallargs, every call), once per shape of call: whether a call
        binds depends on how many arguments and which keywords it passes, not on their values."""
        shape = (len(args), tuple(sorted(kwargs)))
        if self._valid_shapes is not None and shape in self._valid_shapes:
            return
        super().check_signature(args, kwargs)
        if self._valid_shapes is None:
            self._valid_shapes = set()
        if len(self._valid_shapes) < 64:
            self._valid_shapes.add(shape)

    def setup(self) -> None:
        # nameko's own @rpc would get a second consumer of the same queue, which answers
        # MethodNotFound for the other one's methods: refuse the mix when the service starts.
        mixed = sorted(
            entrypoint.method_name
            for entrypoint in self.container.entrypoints
            if isinstance(entrypoint, Rpc) and not isinstance(entrypoint, ServiceRpc)
        )
        if mixed:
            raise TypeError(
                "{}: declare every RPC with infra.entrypoints.rpc, not nameko's rpc ({})".format(
                    self.container.service_name, ", ".join(mixed)
                )
            )
        super().setup()


_Method = TypeVar("_Method", bound=Callable[..., Any])


class EntrypointDecorator(Protocol):
    """What `rpc` is to the type checker: nameko's registering decorator returns the method itself."""

    def __call__(self, method: _Method, /) -> _Method: ...


rpc: EntrypointDecorator = ServiceRpc.decorator(expected_exceptions=ServiceError)
