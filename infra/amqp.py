"""One AMQP connection and channel shared by a process's green threads (the RPC client's requests,
the services' RPC replies)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

import eventlet
from amqp import Connection as AmqpConnection
from eventlet.semaphore import Semaphore
from kombu import Connection as KombuConnection
from nameko.constants import DEFAULT_HEARTBEAT

from infra.errors import ServiceUnavailable

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
TRANSIENT = 1  # delivery mode


class AmqpLink:
    """One AMQP connection and channel shared by a process's green threads.

    py-amqp frames share one buffer per connection, so writes take turns (a green semaphore). One
    reader green thread handles what the broker sends (replies, returns, heartbeats, a close); a
    lost connection is forgotten, `on_lost(exc)` is told, and the next publish reconnects.
    `on_connect(channel)` runs on every new channel (declarations, consumers).
    """

    # py-amqp's (untyped) objects, None while there is no connection
    connection: Any
    channel: Any
    _reader: Any  # eventlet's GreenThread

    def __init__(
        self,
        amqp_uri: str,
        name: str,
        heartbeat: float = DEFAULT_HEARTBEAT,
        connect_timeout: float = 5,
        on_connect: Callable[[Any], None] | None = None,
        on_lost: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.amqp_uri, self.name = amqp_uri, name
        self.heartbeat, self.connect_timeout = heartbeat, connect_timeout
        self.on_connect, self.on_lost = on_connect, on_lost
        self.lock = Semaphore(1)
        self.connection = self.channel = None
        self.closed = False
        self._reader = None

    def publish(
        self,
        message: Any,
        exchange: str,
        routing_key: str,
        mandatory: bool = False,
        prepare: Callable[[Any], None] | None = None,
    ) -> None:
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
                        raise ServiceUnavailable("the broker is unreachable: {}".format(exc)) from exc
                except Exception as exc:  # an AMQP error closes the channel: start again with a new one
                    self.discard(self.connection, exc)
                    raise ServiceUnavailable("the broker refused the message: {}".format(exc)) from exc

    def start(self) -> AmqpLink:
        with self.lock:
            self.ensure()
        return self

    def ensure(self) -> Any:
        """The open channel; connects if needed. Call under `lock`."""
        if self.closed:
            raise ServiceUnavailable("the AMQP link {} is stopped".format(self.name))
        if self.connection is not None:
            return self.channel
        params = KombuConnection(self.amqp_uri)
        connection = AmqpConnection(
            host="{}:{}".format(params.hostname or "localhost", params.port or 5672),
            userid=params.userid or "guest",
            password=params.password or "guest",
            virtual_host=params.virtual_host or "/",
            heartbeat=self.heartbeat,
            connect_timeout=self.connect_timeout,
            client_properties={"connection_name": self.name},
        )
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

    def _read(self, connection: Any) -> None:
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

    def discard(self, connection: Any, exc: BaseException) -> None:
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

    def stop(self) -> None:
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
