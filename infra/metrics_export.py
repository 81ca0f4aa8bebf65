"""Serving a process's metrics to Prometheus, and the ones collected when it scrapes.

`MetricsExporter` (declared by infra.service.ServiceBase and the gateway) serves prometheus_client's
default registry on `METRICS_PORT` (`GET /metrics`), once per process, on a green thread: the
launcher gives every process a port of its own (infra.processes), docker-compose and Kubernetes
one per container. With `METRICS_PORT=0` (a process started by hand) nothing is served.

Read at scrape time, never on the request path:
- database pools (infra.db.pool_stats: MeteredQueuePool's checkout counters and the pool's state);
- each outbox's pending rows and the age of the oldest (one query on the pending rows' partial
  index per scrape: `OutboxRelay.setup` registers its table);
- the process's CPU, memory and open files (prometheus_client's process collector).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import eventlet
import eventlet.wsgi
from nameko.extensions import DependencyProvider
from prometheus_client import REGISTRY, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import Engine, Select, Table, func, select

from infra import db, settings

log = logging.getLogger(__name__)


@dataclass
class _Process:
    service: str = "unknown"  # the service this process runs
    server: Any = None  # the green thread serving its metrics


_state = _Process()


def process_service() -> str:
    """The service this process runs (the label of its pool, outbox and consumer failure metrics)."""
    return _state.service


class PoolCollector:
    """The database pools of this process: connections in use, open and the pool's size; checkouts,
    waits over 1 ms and their total, timeouts, new connections (counters since the process started)."""

    GAUGES: tuple[tuple[str, str, Callable[[Mapping[str, float]], float]], ...] = (
        ("crm_db_pool_in_use", "Connections checked out of the pool", lambda stats: stats["checked_out"]),
        (
            "crm_db_pool_open",
            "Connections open (in use or idle in the pool)",
            lambda stats: stats["size"] + stats["overflow"],  # QueuePool counts overflow from -size
        ),
        (
            "crm_db_pool_size",
            "Connections the pool keeps (more may open up to its overflow)",
            lambda stats: stats["size"],
        ),
    )
    COUNTERS = (
        ("crm_db_pool_checkouts", "Connections checked out", "checkouts", 1),
        ("crm_db_pool_waits", "Checkouts that waited over 1 ms for a connection", "waits_over_1ms", 1),
        ("crm_db_pool_wait_seconds", "Time checkouts spent waiting (those over 1 ms)", "wait_ms_total", 1000),
        ("crm_db_pool_timeouts", "Checkouts that gave up waiting (pool timeout)", "timeouts", 1),
        ("crm_db_pool_connects", "Database connections opened", "connects", 1),
    )

    def describe(self) -> list[Metric]:
        return [GaugeMetricFamily(name, text, labels=["service", "database"]) for name, text, _ in self.GAUGES] + [
            CounterMetricFamily(name, text, labels=["service", "database"]) for name, text, _, _ in self.COUNTERS
        ]

    def collect(self) -> list[Metric]:
        gauges = [
            (GaugeMetricFamily(name, text, labels=["service", "database"]), value) for name, text, value in self.GAUGES
        ]
        counters = [
            (CounterMetricFamily(name, text, labels=["service", "database"]), key, scale)
            for name, text, key, scale in self.COUNTERS
        ]
        service = process_service()
        for database, stats in db.pool_stats().items():
            for family, value in gauges:
                family.add_metric([service, database], value(stats))
            for counter, key, scale in counters:
                if key in stats:  # a pool that is not metered has none
                    counter.add_metric([service, database], stats[key] / scale)
        return [family for family, _ in gauges] + [family for family, _, _ in counters]


class OutboxCollector:
    """Each registered outbox's pending rows and the age of its oldest pending row."""

    def __init__(self) -> None:
        self.outboxes: dict[str, tuple[Engine, Select[Any]]] = {}  # service -> (engine, query)

    def add(self, service: str, engine: Engine, table: Table) -> None:
        query = select(func.count(), func.min(table.c.created_at)).where(table.c.sent_at.is_(None))
        self.outboxes[service] = (engine, query)

    def describe(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "crm_outbox_pending_events", "Events written to the outbox and not yet relayed", labels=["service"]
            ),
            GaugeMetricFamily(
                "crm_outbox_oldest_pending_age_seconds",
                "Age of the oldest event not yet relayed (0: none pending)",
                labels=["service"],
            ),
        ]

    def collect(self) -> list[GaugeMetricFamily]:
        pending, oldest = self.describe()
        for service, (engine, query) in list(self.outboxes.items()):
            try:
                with engine.connect() as connection:
                    count, first = connection.execute(query).one()
            except Exception as exc:  # the database is away: this scrape goes without these series
                log.warning("outbox metrics of %s unavailable: %s: %s", service, type(exc).__name__, exc)
                continue
            pending.add_metric([service], count)
            oldest.add_metric([service], max(0.0, (db.now_utc() - first).total_seconds()) if first else 0.0)
        return [pending, oldest]


POOLS = PoolCollector()
OUTBOXES = OutboxCollector()
REGISTRY.register(POOLS)
REGISTRY.register(OUTBOXES)


def serve(port: int, address: str = "0.0.0.0") -> bool:
    """Serves the registry on `port` from a green thread, once per process; False if the port is taken."""
    if _state.server is not None:
        return True
    try:
        sock = eventlet.listen((address, port))
    except OSError as exc:
        log.error("metrics port %s:%s unavailable (%s): this process serves no metrics", address, port, exc)
        return False
    _state.server = eventlet.spawn(eventlet.wsgi.server, sock, make_wsgi_app(), log_output=False)
    log.info("metrics on http://%s:%s/metrics", address, port)
    return True


class MetricsExporter(DependencyProvider):
    """Serves this process's metrics on METRICS_PORT (module docstring)."""

    def setup(self) -> None:
        _state.service = self.container.service_name

    def start(self) -> None:
        config = settings.get()
        if config.metrics_port:
            serve(config.metrics_port, config.metrics_address)
