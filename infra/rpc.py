"""The one way to call a service: `RpcClient`, always with a deadline.

The gateway, every service (`ServiceBase.call`, through the `Services` provider) and the command
line tools call nameko services through it; nameko's RpcProxy (which waits for a reply forever
unless each call site remembers a timeout) is not used.

nameko's RpcProxy builds a publisher per call, takes a pooled producer, publishes the request
persistent and waits for the broker's publisher confirm before it starts waiting for the reply. An
RPC request or reply is not an event: losing one is a timeout (504) or an unavailable service (503)
its caller sees, never a lost change, and every state-changing RPC is safe to run twice. So the
client:

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

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import eventlet
from amqp import Message
from eventlet.event import Event
from nameko.constants import AMQP_URI_CONFIG_KEY, DEFAULT_HEARTBEAT, HEADER_PREFIX
from nameko.exceptions import UnknownService, deserialize
from nameko.extensions import DependencyProvider

from infra import settings
from infra.amqp import RPC_EXCHANGE, TRANSIENT, AmqpLink
from infra.errors import ServiceTimeout, ServiceUnavailable


def rpc_timeout() -> float:
    return settings.get().rpc_timeout_seconds


class RpcClient:
    """One process's RPC connection to nameko services (see the module docstring)."""

    def __init__(
        self, amqp_uri: str, name: str = "client", heartbeat: float = DEFAULT_HEARTBEAT, connect_timeout: float = 5
    ) -> None:
        self.name = name
        self._pending: dict[str, tuple[Event, str]] = {}  # correlation id -> (Event, service name)
        self._reply_to: str | None = None
        self.link = AmqpLink(
            amqp_uri, name, heartbeat, connect_timeout, on_connect=self._on_connect, on_lost=self._on_lost
        )

    # --- calls ----------------------------------------------------------------------------------------
    def call(
        self,
        service: str,
        method: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        seconds = timeout if timeout is not None else rpc_timeout()
        correlation_id = uuid.uuid4().hex
        waiter = Event()
        self._pending[correlation_id] = (waiter, service)
        try:
            body = json.dumps({"args": args, "kwargs": kwargs or {}}, separators=(",", ":"))
            message = Message(
                body,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=TRANSIENT,
                correlation_id=correlation_id,
                application_headers=headers or {},
                expiration=str(max(1, int(seconds * 1000))),
            )
            try:
                self.link.publish(
                    message, RPC_EXCHANGE, "{}.{}".format(service, method), mandatory=True, prepare=self._address
                )
            except ServiceUnavailable as exc:
                raise ServiceUnavailable("{}.{} not sent: {}".format(service, method, exc)) from exc
            deadline = eventlet.Timeout(seconds)
            try:
                reply = waiter.wait()
            except eventlet.Timeout as timeout_raised:
                if timeout_raised is not deadline:
                    raise  # a caller's own, shorter deadline (e.g. /health's)
                raise ServiceTimeout(
                    "{} did not answer {} within {:.0f}s".format(service, method, seconds)
                ) from None  # the deadline is the whole story
            finally:
                deadline.cancel()
        finally:
            self._pending.pop(correlation_id, None)
        error = reply.get("error")
        if error:
            raise deserialize(error)
        return reply.get("result")

    def _address(self, message: Any) -> None:
        message.properties["reply_to"] = self._reply_to  # of the channel it goes out on

    # --- connection -----------------------------------------------------------------------------------
    def start(self) -> RpcClient:
        """Connects now (the first request would otherwise pay for it)."""
        self.link.start()
        return self

    def stop(self) -> None:
        self.link.stop()

    def _on_connect(self, channel: Any) -> None:
        reply_key = uuid.uuid4().hex
        queue = "rpc.reply-{}-{}".format(self.name, reply_key)
        channel.queue_declare(queue, durable=False, exclusive=True, auto_delete=True)
        channel.queue_bind(queue, RPC_EXCHANGE, routing_key=reply_key)
        channel.basic_consume(queue, callback=self._on_reply, no_ack=True)
        channel.events["basic_return"].add(self._on_return)
        self._reply_to = reply_key

    def _on_lost(self, exc: BaseException) -> None:
        error = ServiceUnavailable("RPC connection lost: {}".format(exc))
        for waiter, _service in list(self._pending.values()):
            if not waiter.ready():
                waiter.send_exception(error)

    def _on_reply(self, message: Any) -> None:
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

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        pending = self._pending.get(message.properties.get("correlation_id"))
        if pending is not None and not pending[0].ready():
            pending[0].send_exception(UnknownService(pending[1]))


class ClientProxy:
    """`proxy.method(*args, **kwargs)` over an RpcClient, carrying the worker's context data as
    nameko's headers (identity, request id, call id stack), like nameko's ServiceProxy."""

    def __init__(self, client: RpcClient, service_name: str, worker_ctx: Any) -> None:
        self.client, self.service_name, self.worker_ctx = client, service_name, worker_ctx

    def headers(self) -> dict[str, Any]:
        return {
            "{}.{}".format(HEADER_PREFIX, key): value
            for key, value in self.worker_ctx.context_data.items()
            if value is not None
        }

    def call(
        self,
        method: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        return self.client.call(self.service_name, method, args, kwargs, self.headers(), timeout)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args, **kwargs: self.call(method, args, kwargs, None)


class Services(DependencyProvider):
    """Injects `services(name)` -> ClientProxy, over one RpcClient per container (process); the
    worker's context data (identity, request id) travels with every call."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.client: RpcClient | None = None

    def setup(self) -> None:
        self.client = RpcClient(
            self.container.config[AMQP_URI_CONFIG_KEY], name=self.name or self.container.service_name
        )

    def start(self) -> None:
        assert self.client is not None  # nameko sets up every extension before it starts any
        self.client.start()

    def stop(self) -> None:
        assert self.client is not None  # stop() follows start()
        self.client.stop()

    def kill(self) -> None:
        # after a failed setup() too: with no client, nameko logs the AttributeError and kills the rest
        cast(RpcClient, self.client).stop()

    def get_dependency(self, worker_ctx: Any) -> Callable[[str], ClientProxy]:
        client = cast(RpcClient, self.client)  # set by setup()
        return lambda service_name: ClientProxy(client, service_name, worker_ctx)


def standalone(amqp_uri: str | None = None, name: str = "cli") -> RpcClient:
    """An RpcClient for a command-line tool (its process must be monkey-patched by eventlet);
    calls carry no identity: only the services' workspace-explicit methods answer them."""
    return RpcClient(amqp_uri or settings.get().amqp_uri, name=name).start()
