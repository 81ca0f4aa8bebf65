"""The Prometheus metrics every process keeps (prometheus_client's default registry), and the calls
that record them from the request and event paths. docs/operations.md lists every name.

Label sets are bounded: route templates (not paths), RPC method names, event types, a few outcome
words. Each label combination's child is looked up once and kept (`_Children`), so recording costs
a dict lookup and prometheus_client's own increments. What can be read when Prometheus scrapes
(pools, outbox backlog, the process's CPU and memory) is collected then instead
(infra.metrics_export), never on the request path.
"""

import time
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Generic, TypeVar

from prometheus_client import Counter, Histogram, disable_created_metrics

# no `_created` series: nothing here needs them (prometheus_client leaves this function unannotated)
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
HTTP_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
UNMATCHED_ROUTE = "unmatched"  # no route template: 404 and 405

HTTP_REQUESTS = Counter("crm_http_requests", "HTTP requests answered by the gateway", ["route", "method", "status"])
HTTP_DURATION = Histogram(
    "crm_http_request_duration_seconds",
    "Time the gateway took to answer a request",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
RPC_DURATION = Histogram(
    "crm_rpc_duration_seconds",
    "Time a service took to run an RPC (its count: the calls)",
    ["service", "method"],
    buckets=LATENCY_BUCKETS,
)
RPC_ERRORS = Counter(
    "crm_rpc_errors",
    "RPCs that raised: expected (the caller's mistake, a 4xx) or unexpected",
    ["service", "method", "kind"],
)
EVENTS_HANDLED = Counter("crm_events_handled", "Events a consumer applied and acknowledged", ["service", "event_type"])
EVENTS_FAILED = Counter(
    "crm_events_failed",
    "Tries of an event that failed (transient or unexpected) and were retried or gave up",
    ["service", "event_type", "kind"],
)
EVENTS_REQUEUED = Counter(
    "crm_events_requeued",
    "Events put back in their queue (the process stopped while they failed)",
    ["service", "event_type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "crm_events_dead_lettered", "Events sent to their dead-letter queue", ["service", "event_type"]
)
EVENT_LAG = Histogram(
    "crm_event_lag_seconds",
    "From an event's occurred_at to its consumer acknowledging it",
    ["service", "event_type"],
    buckets=LAG_BUCKETS,
)


_Child = TypeVar("_Child")


class _Children(Generic[_Child]):
    """A metric's children by label values, each made once."""

    __slots__ = ("make", "children")

    def __init__(self, make: Callable[..., _Child]) -> None:
        self.make = make
        self.children: dict[tuple[Hashable, ...], _Child] = {}

    def get(self, key: tuple[Hashable, ...]) -> _Child:
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = self.make(*key)
        return child


_http = _Children(
    lambda route, method, status: (HTTP_REQUESTS.labels(route, method, status), HTTP_DURATION.labels(route, method))
)
_rpc = _Children(lambda service, method: RPC_DURATION.labels(service, method))
_rpc_errors = _Children(lambda service, method, kind: RPC_ERRORS.labels(service, method, kind))
_consumed = _Children(lambda service, event_type, outcome: _CONSUMER_COUNTERS[outcome].labels(service, event_type))
_lag = _Children(lambda service, event_type: EVENT_LAG.labels(service, event_type))
_CONSUMER_COUNTERS: dict[str, Counter] = {
    "handled": EVENTS_HANDLED,
    "requeued": EVENTS_REQUEUED,
    "dead_lettered": EVENTS_DEAD_LETTERED,
}


def http_done(route: str | None, method: str, status: int, seconds: float) -> None:
    """The gateway answered `method` on `route` (a template, or None when no route matched)."""
    requests, duration = _http.get((route or UNMATCHED_ROUTE, method if method in HTTP_METHODS else "other", status))
    requests.inc()
    duration.observe(seconds)


def rpc_done(
    service: str,
    method: str,
    seconds: float,
    error: type[BaseException] | None = None,
    expected: type[BaseException] | tuple[type[BaseException], ...] = (),
) -> None:
    """An RPC entrypoint ran for `seconds`; `error` is the exception class it raised, if any."""
    _rpc.get((service, method)).observe(seconds)
    if error is not None:
        kind = "expected" if expected and issubclass(error, expected) else "unexpected"
        _rpc_errors.get((service, method, kind)).inc()


def event_done(service: str, event_type: str, outcome: str, occurred_at: object = None) -> None:
    """A consumer's message left it: `outcome` is handled, requeued or dead_lettered. A handled
    event's lag is measured from its envelope's `occurred_at` (ISO 8601)."""
    _consumed.get((service, event_type, outcome)).inc()
    if outcome == "handled" and isinstance(occurred_at, str):
        try:
            occurred = datetime.fromisoformat(occurred_at).timestamp()
        except ValueError:
            return
        _lag.get((service, event_type)).observe(max(0.0, time.time() - occurred))


def event_failed(service: str, event_type: str, kind: str) -> None:
    """One try of an event failed: `kind` is transient or unexpected."""
    EVENTS_FAILED.labels(service, event_type, kind).inc()
