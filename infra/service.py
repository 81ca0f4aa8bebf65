"""What every service class derives from, so a service's `service.py` holds only its entrypoints.

    class DealsService(ServiceBase):
        name = "deals"
        relay = OutboxRelay(outbox)

        @rpc
        def get_deal(self, deal_id, args=None):
            return usecases.get_deal(self.context(), deal_id, args)

`ServiceBase` carries the dependencies every service has (a database session per worker, the
verified caller, request logging, calls to other services with a deadline, its metrics port, the
heartbeat file the Kubernetes probes read) and the `ping` and `runtime_stats` entrypoints. A use case
receives one `Context`.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import eventlet
from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from sqlalchemy.orm import Session

from infra import heartbeat
from infra.auth import Caller, Identity
from infra.db import Database
from infra.entrypoints import rpc
from infra.logs import RequestLog
from infra.metrics_export import MetricsExporter
from infra.rpc import Services
from infra.stats import RuntimeStats


class Context:
    """What a use case works with: `db` (the worker's session), `me` (the verified caller, checked on
    first use: methods other services call with an explicit workspace have none), `call(service,
    method, *args, timeout=None, **kwargs)` and `request_id`."""

    __slots__ = ("db", "request_id", "_identity", "_services", "_me")
    _me: Caller | None  # the verified caller, once `me` has asked for it

    def __init__(
        self, db: Session, identity: Callable[[], Caller], services: Callable[[str], Any], request_id: str | None
    ) -> None:
        self.db, self.request_id = db, request_id
        self._identity, self._services, self._me = identity, services, None

    @property
    def me(self) -> Caller:
        if self._me is None:
            self._me = self._identity()
        return self._me

    def call(self, service: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Another service's RPC method; ServiceTimeout after `timeout` (default RPC_TIMEOUT_SECONDS)."""
        return self._services(service).call(method, args, kwargs, timeout)


log = logging.getLogger(__name__)


class Heartbeat(DependencyProvider):
    """Rewrites this process's heartbeat file (infra.heartbeat) from a green thread: `starting` every
    0.1 s until every queue consumer of the container consumes, then `consuming` every BEAT_SECONDS."""

    STARTING_POLL_SECONDS = 0.1

    def __init__(self) -> None:
        self.thread: Any = None  # eventlet's GreenThread

    def start(self) -> None:
        self._beat()
        self.thread = self.container.spawn_managed_thread(self._beat_forever, identifier="heartbeat")

    def stop(self) -> None:
        if self.thread is not None:  # ours to end (nameko warns about managed threads it has to kill)
            self.thread.kill()
            self.thread = None

    kill = stop

    def _beat_forever(self) -> None:
        while True:
            eventlet.sleep(heartbeat.BEAT_SECONDS if self._consuming() else self.STARTING_POLL_SECONDS)
            self._beat()

    def _beat(self) -> None:
        state = heartbeat.CONSUMING if self._consuming() else heartbeat.STARTING
        try:
            heartbeat.write(self.container.service_name, state)
        except OSError as exc:  # a full disk must not kill the service; the probes will say so
            log.warning("heartbeat: cannot write %s: %s", heartbeat.path(self.container.service_name), exc)

    def _consuming(self) -> bool:
        # nameko 2.14's QueueConsumer (under every RPC and event entrypoint) has no public "ready" flag;
        # `_consumers_ready` is sent once it consumes.
        consumers = [ext for ext in self.container.subextensions if isinstance(ext, QueueConsumer)]
        return all(consumer._consumers_ready.ready() for consumer in consumers)


class ServiceBase(RuntimeStats):
    db = Database()
    identity = Identity()
    request_log = RequestLog()
    services = Services()
    metrics_exporter = MetricsExporter()
    heartbeat = Heartbeat()

    @rpc
    def ping(self) -> str:
        return "ok"

    def context(self) -> Context:
        return Context(self.db, self.identity, self.services, self.request_log)
