"""The RPC entrypoint every service declares its use cases with (all of a service's RPC entrypoints
must come from here: they share one consumer of the service's RPC queue).

- A ServiceError is the caller's mistake: nameko treats it as expected (logged without an error
  traceback, not counted as a bug) and the caller gets it back as its own type (infra.errors).
- Replies are published transient, without publisher confirms, on one connection per process
  (TransientReplyPublisher, below): a lost reply is its caller's timeout, never a lost change.
  RPC_REPLY_CONFIRMS=1 restores nameko's persistent, confirmed replies.
"""
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER,
                              LOGIN_METHOD_CONFIG_KEY, SERIALIZER_CONFIG_KEY)
from kombu.serialization import dumps as kombu_dumps
from amqp import Message
from nameko.amqp.publish import Publisher
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from infra import settings
from infra.amqp import TRANSIENT, AmqpLink
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
    _links = {}  # amqp uri -> AmqpLink of this process

    def publish(self, payload, **kwargs):
        content_type, content_encoding, body = kombu_dumps(payload, kwargs.get("serializer", self.serializer))
        exchange = kwargs["exchange"]
        message = Message(body, content_type=content_type, content_encoding=content_encoding,
                          delivery_mode=TRANSIENT, correlation_id=kwargs.get("correlation_id"))
        self._link().publish(message, getattr(exchange, "name", exchange), kwargs["routing_key"])

    def _link(self):
        link = self._links.get(self.amqp_uri)
        if link is None:
            link = self._links[self.amqp_uri] = AmqpLink(self.amqp_uri, "rpc-replies")
        return link


class TransientResponder(Responder):
    publisher_cls = TransientReplyPublisher


class ReplyingConsumer(RpcConsumer):
    """nameko's RpcConsumer, answering through TransientResponder (its handle_result otherwise)."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder_cls = Responder if settings.get().rpc_reply_confirms else TransientResponder
        responder = responder_cls(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                                  config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
                                  ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class ServiceRpc(Rpc):
    rpc_consumer = ReplyingConsumer()

    def setup(self):
        # nameko's own @rpc would get a second consumer of the same queue, which answers
        # MethodNotFound for the other one's methods: refuse the mix when the service starts.
        mixed = sorted(entrypoint.method_name for entrypoint in self.container.entrypoints
                       if isinstance(entrypoint, Rpc) and not isinstance(entrypoint, ServiceRpc))
        if mixed:
            raise TypeError("{}: declare every RPC with infra.entrypoints.rpc, not nameko's rpc ({})".format(
                self.container.service_name, ", ".join(mixed)))
        super().setup()


rpc = ServiceRpc.decorator(expected_exceptions=ServiceError)
