"""RPC with a deadline.

`call(proxy, method, ...)` works with nameko's proxies (services calling services: nameko's
RpcProxy waits for a reply forever, so every call goes through here) and with the gateway's
`RpcClient` proxies (`ClientProxy`).

`RpcClient` is the gateway's lean RPC path. nameko's RpcProxy builds a publisher per call, takes a
pooled producer, publishes the request persistent and waits for the broker's publisher confirm
before it starts waiting for the reply. An RPC request or reply is not an event: losing one is a
timeout (504) or an unavailable service (503) its caller sees, never a lost change, and every
state-changing RPC is safe to run twice. So the client:

- keeps one AMQP connection and channel per process, and one exclusive, auto-deleted reply queue
  bound to nameko's RPC exchange (nameko's services answer there, to the `reply_to` routing key);
- publishes requests transient (delivery_mode 1), without publisher confirms, with a per-message
  TTL equal to the caller's deadline (a request nobody waits for any more is dropped by the broker
  instead of being run late), and `mandatory`: a request no queue is bound for (the service is not
  deployed or has never started) comes back as basic.return, which fails that call at once with
  nameko's `UnknownService` (503) instead of waiting for the deadline;
- reads replies and returns on one green thread, which hands each to its waiting call by
  correlation id; a lost connection fails the calls in flight with ServiceUnavailable (503) and
  the next call reconnects.
"""
import json
import logging
import socket
import uuid

import eventlet
from amqp import Connection as AmqpConnection
from amqp import Message
from eventlet.event import Event
from eventlet.semaphore import Semaphore
from kombu import Connection as KombuConnection
from kombu.serialization import dumps as kombu_dumps
from nameko.constants import AMQP_URI_CONFIG_KEY, DEFAULT_HEARTBEAT, HEADER_PREFIX
from nameko.amqp.publish import Publisher
from nameko.exceptions import UnknownService, deserialize
from nameko.extensions import DependencyProvider

from infra import config
from infra.errors import ServiceTimeout, ServiceUnavailable

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
TRANSIENT = 1


def rpc_timeout():
    return config.float_setting("RPC_TIMEOUT_SECONDS", 10)


def call(proxy, method, *args, timeout=None, **kwargs):
    """Calls `proxy.method(*args, **kwargs)`; ServiceTimeout if no reply within `timeout` seconds."""
    seconds = timeout if timeout is not None else rpc_timeout()
    if isinstance(proxy, ClientProxy):
        return proxy.call(method, args, kwargs, seconds)
    service = getattr(proxy, "service_name", "service")
    try:
        with eventlet.Timeout(seconds):
            return getattr(proxy, method)(*args, **kwargs)
    except eventlet.Timeout:
        raise ServiceTimeout("{} did not answer {} within {:.0f}s".format(service, method, seconds))
    except (ConnectionError, OSError) as exc:
        raise ServiceUnavailable("{} is unreachable: {}".format(service, exc))


class AmqpLink:
    """One AMQP connection and channel shared by a process's green threads.

    py-amqp frames share one buffer per connection, so writes take turns (a green semaphore). One
    reader green thread handles what the broker sends (replies, returns, heartbeats, a close); a
    lost connection is forgotten, `on_lost(exc)` is told, and the next publish reconnects.
    `on_connect(channel)` runs on every new channel (declarations, consumers).
    """

    def __init__(self, amqp_uri, name, heartbeat=DEFAULT_HEARTBEAT, connect_timeout=5, on_connect=None,
                 on_lost=None):
        self.amqp_uri, self.name = amqp_uri, name
        self.heartbeat, self.connect_timeout = heartbeat, connect_timeout
        self.on_connect, self.on_lost = on_connect, on_lost
        self.lock = Semaphore(1)
        self.connection = self.channel = None
        self.closed = False
        self._reader = None

    def publish(self, message, exchange, routing_key, mandatory=False, prepare=None):
        """Publishes (no confirm). A write that fails on a dead connection was not taken by the
        broker: it is retried once on a new connection. ServiceUnavailable if that fails too."""
        for attempt in (1, 2):
            with self.lock:
                try:
                    channel = self.ensure()
                    if prepare is not None:
                        prepare(message)
                    channel.basic_publish(message, exchange=exchange, routing_key=routing_key, mandatory=mandatory)
                    return
                except ServiceUnavailable:
                    raise
                except (OSError, ConnectionError, socket.timeout) as exc:
                    self.discard(self.connection, exc)
                    if attempt == 2:
                        raise ServiceUnavailable("the broker is unreachable: {}".format(exc))
                except Exception as exc:  # an AMQP error closes the channel: start again with a new one
                    self.discard(self.connection, exc)
                    raise ServiceUnavailable("the broker refused the message: {}".format(exc))

    def start(self):
        with self.lock:
            self.ensure()
        return self

    def ensure(self):
        """The open channel; connects if needed. Call under `lock`."""
        if self.closed:
            raise ServiceUnavailable("the AMQP link {} is stopped".format(self.name))
        if self.connection is not None:
            return self.channel
        params = KombuConnection(self.amqp_uri)
        connection = AmqpConnection(
            host="{}:{}".format(params.hostname or "localhost", params.port or 5672),
            userid=params.userid or "guest", password=params.password or "guest",
            virtual_host=params.virtual_host or "/", heartbeat=self.heartbeat,
            connect_timeout=self.connect_timeout)
        try:
            connection.connect()
            channel = connection.channel()
            channel.exchange_declare(RPC_EXCHANGE, "topic", durable=True, auto_delete=False)
            if self.on_connect is not None:
                self.on_connect(channel)
        except Exception:
            try:
                connection.collect()
            except Exception:  # nothing left to release
                pass
            raise
        self.connection, self.channel = connection, channel
        self._reader = eventlet.spawn(self._read, connection)
        return channel

    def _read(self, connection):
        interval = max(1.0, self.heartbeat / 4.0) if self.heartbeat else 5.0
        try:
            while connection is self.connection:
                try:
                    connection.drain_events(timeout=interval)
                except socket.timeout:
                    pass
                if self.heartbeat:
                    with self.lock:
                        if connection is self.connection:
                            connection.heartbeat_tick()
        except Exception as exc:  # the broker closed or the network failed
            if connection is self.connection and not self.closed:
                log.warning("AMQP link %s: connection lost (%s); reconnecting on the next publish", self.name, exc)
            self.discard(connection, exc)

    def discard(self, connection, exc):
        """Forgets `connection` if it is still the current one, and tells `on_lost`."""
        if connection is None or connection is not self.connection:
            return
        self.connection = self.channel = None
        try:
            connection.collect()
        except Exception:  # already broken
            pass
        if self.on_lost is not None:
            self.on_lost(exc)

    def stop(self):
        self.closed = True
        connection, self.connection, self.channel = self.connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already broken
                try:
                    connection.collect()
                except Exception:
                    pass
        reader, self._reader = self._reader, None
        if reader is not None and reader is not eventlet.getcurrent():
            reader.kill()


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


class RpcClient:
    """One process's RPC connection to nameko services (see the module docstring)."""

    def __init__(self, amqp_uri, name="client", heartbeat=DEFAULT_HEARTBEAT, connect_timeout=5):
        self.name = name
        self._pending = {}  # correlation id -> (Event, service name)
        self._reply_to = None
        self.link = AmqpLink(amqp_uri, name, heartbeat, connect_timeout, on_connect=self._on_connect,
                             on_lost=self._on_lost)

    # --- calls ----------------------------------------------------------------------------------------
    def call(self, service, method, args=(), kwargs=None, headers=None, timeout=None):
        seconds = timeout if timeout is not None else rpc_timeout()
        correlation_id = uuid.uuid4().hex
        waiter = Event()
        self._pending[correlation_id] = (waiter, service)
        try:
            body = json.dumps({"args": args, "kwargs": kwargs or {}}, separators=(",", ":"))
            message = Message(body, content_type="application/json", content_encoding="utf-8",
                              delivery_mode=TRANSIENT, correlation_id=correlation_id,
                              application_headers=headers or {}, expiration=str(max(1, int(seconds * 1000))))
            try:
                self.link.publish(message, RPC_EXCHANGE, "{}.{}".format(service, method), mandatory=True,
                                  prepare=self._address)
            except ServiceUnavailable as exc:
                raise ServiceUnavailable("{} is unreachable: {}".format(service, exc))
            deadline = eventlet.Timeout(seconds)
            try:
                reply = waiter.wait()
            except eventlet.Timeout as timeout_raised:
                if timeout_raised is not deadline:
                    raise  # a caller's own, shorter deadline (e.g. /health's)
                raise ServiceTimeout("{} did not answer {} within {:.0f}s".format(service, method, seconds))
            finally:
                deadline.cancel()
        finally:
            self._pending.pop(correlation_id, None)
        error = reply.get("error")
        if error:
            raise deserialize(error)
        return reply.get("result")

    def _address(self, message):
        message.properties["reply_to"] = self._reply_to  # of the channel it goes out on

    # --- connection -----------------------------------------------------------------------------------
    def start(self):
        """Connects now (the first request would otherwise pay for it)."""
        self.link.start()
        return self

    def stop(self):
        self.link.stop()

    def _on_connect(self, channel):
        reply_key = uuid.uuid4().hex
        queue = "rpc.reply-{}-{}".format(self.name, reply_key)
        channel.queue_declare(queue, durable=False, exclusive=True, auto_delete=True)
        channel.queue_bind(queue, RPC_EXCHANGE, routing_key=reply_key)
        channel.basic_consume(queue, callback=self._on_reply, no_ack=True)
        channel.events["basic_return"].add(self._on_return)
        self._reply_to = reply_key

    def _on_lost(self, exc):
        error = ServiceUnavailable("RPC connection lost: {}".format(exc))
        for waiter, _service in list(self._pending.values()):
            if not waiter.ready():
                waiter.send_exception(error)

    def _on_reply(self, message):
        pending = self._pending.get(message.properties.get("correlation_id"))
        if pending is None:
            return  # its caller gave up (deadline): nothing waits for it
        try:
            body = message.body
            reply = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        except ValueError as exc:
            pending[0].send_exception(ServiceUnavailable("unreadable reply from {}: {}".format(pending[1], exc)))
            return
        if not pending[0].ready():
            pending[0].send(reply)

    def _on_return(self, exc, exchange, routing_key, message):
        pending = self._pending.get(message.properties.get("correlation_id"))
        if pending is not None and not pending[0].ready():
            pending[0].send_exception(UnknownService(pending[1]))


class ClientProxy:
    """`proxy.method(*args, **kwargs)` over an RpcClient, carrying the worker's context data as
    nameko's headers (identity, request id, call id stack), like nameko's ServiceProxy."""

    def __init__(self, client, service_name, worker_ctx):
        self.client, self.service_name, self.worker_ctx = client, service_name, worker_ctx

    def headers(self):
        return {"{}.{}".format(HEADER_PREFIX, key): value
                for key, value in self.worker_ctx.context_data.items() if value is not None}

    def call(self, method, args, kwargs, timeout):
        return self.client.call(self.service_name, method, args, kwargs, self.headers(), timeout)

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args, **kwargs: self.call(method, args, kwargs, None)


class Services(DependencyProvider):
    """Injects `services(name)` -> ClientProxy, over one RpcClient per container (process)."""

    def __init__(self, name=None):
        self.name = name
        self.client = None

    def setup(self):
        self.client = RpcClient(self.container.config[AMQP_URI_CONFIG_KEY],
                                name=self.name or self.container.service_name)

    def start(self):
        self.client.start()

    def stop(self):
        self.client.stop()

    def kill(self):
        self.client.stop()

    def get_dependency(self, worker_ctx):
        client = self.client
        return lambda service_name: ClientProxy(client, service_name, worker_ctx)
