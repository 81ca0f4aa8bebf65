"""What every service class derives from, so a service's `service.py` holds only its entrypoints.

    class DealsService(ServiceBase):
        name = "deals"
        relay = OutboxRelay(outbox)

        @rpc
        def get_deal(self, deal_id, args=None):
            return usecases.get_deal(self.context(), deal_id, args)

`ServiceBase` carries the dependencies every service has (a database session per worker, the
verified caller, request logging, calls to other services with a deadline, its metrics port) and the `ping` and
`runtime_stats` entrypoints. A use case receives one `Context`.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

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

    def __init__(self, db: Session, identity: Callable[[], Caller], services: Callable[[str], Any],
                 request_id: str | None) -> None:
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


class ServiceBase(RuntimeStats):
    db = Database()
    identity = Identity()
    request_log = RequestLog()
    services = Services()
    metrics_exporter = MetricsExporter()

    @rpc
    def ping(self) -> str:
        return "ok"

    def context(self) -> Context:
        return Context(self.db, self.identity, self.services, self.request_log)
