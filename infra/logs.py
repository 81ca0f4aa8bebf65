"""Structured logs: one structlog configuration for every process, and the line each entrypoint run
writes.

Every line is one JSON object (`LOG_FORMAT=json`, the default) or, under `make run`, a readable
line (`LOG_FORMAT=console`, set by the launcher). Our own loggers (`get_logger(name)`) and the
standard library's (nameko's, kombu's, ours through `logging.getLogger`; config.yaml's LOGGING
routes them through `formatter()`) render the same way, and both carry the correlation ids bound
for the current worker (infra.correlation): `request_id`, and in a consumer `event_id` and
`causation_id`. So `grep <request id> var/log/*.log` follows one request through every process.

JSON keys: `timestamp` (UTC ISO 8601), `level`, `logger`, `message`, the correlation ids, then the
line's own fields (e.g. `route`, `status`, `duration_ms`), `exception` with a traceback.
"""

import logging
import sys
import time
from types import TracebackType
from typing import Any, cast

import structlog
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from infra import metrics, settings

REQUEST_ID_KEY = "request_id"  # in the RPC context data (nameko headers) and in log lines

_configured: tuple[str, str] | None = None  # the (format, level) structlog was configured with


def _leading_keys(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """timestamp, level, logger and message first (the message is structlog's `event`), then the rest."""
    line = {
        "timestamp": event_dict.pop("timestamp", None),
        "level": event_dict.pop("level", None),
        "logger": event_dict.pop("logger", None),
        "message": event_dict.pop("event", None),
    }
    line.update(event_dict)
    return line


def _renderer(log_format: str) -> list[Processor]:
    if log_format == "console":
        return [structlog.dev.ConsoleRenderer(colors=False, pad_event_to=0)]
    return [_leading_keys, structlog.processors.JSONRenderer()]


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure() -> None:
    """Configures structlog from the settings (LOG_FORMAT, LOG_LEVEL); done once per process, again
    only if they changed. Our loggers write straight to stderr, one flushed line per call (the
    standard library's handler writes there too: the process log)."""
    global _configured
    config = settings.get()
    wanted = (config.log_format, config.log_level.upper())
    if _configured == wanted:
        return
    level = logging.getLevelName(wanted[1])
    structlog.configure(
        processors=_shared_processors() + [structlog.processors.format_exc_info] + _renderer(wanted[0]),
        wrapper_class=structlog.make_filtering_bound_logger(level if isinstance(level, int) else logging.INFO),
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    _configured = wanted


def formatter() -> structlog.stdlib.ProcessorFormatter:
    """The logging.Formatter of config.yaml's LOGGING (`()`: infra.logs.formatter): the standard
    library's records rendered as our own lines."""
    configure()
    rendering: list[Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,
    ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors() + [structlog.stdlib.add_logger_name],
        processors=rendering + _renderer(settings.get().log_format),
    )


def get_logger(name: str) -> FilteringBoundLogger:
    """A structlog logger whose lines name `name` as their `logger`: `log.info("message", key=value)`."""
    if not _configured:
        return cast(FilteringBoundLogger, _LazyNamed(name))  # the same methods, through __getattr__
    logger: FilteringBoundLogger = structlog.get_logger()  # what configure() makes (wrapper_class)
    return logger.bind(logger=name)


class _LazyNamed:
    """A logger made at import time, before configure(): it binds its name on first use."""

    def __init__(self, name: str) -> None:
        self._name: str = name
        self._logger: FilteringBoundLogger | None = None

    def __getattr__(self, method: str) -> Any:
        if self._logger is None:
            configure()
            self._logger = structlog.get_logger().bind(logger=self._name)
        return getattr(self._logger, method)


log = get_logger("crm.requests")


class RequestLog(DependencyProvider):
    """Binds the worker's request id for its log lines and the events it records (infra.correlation;
    the gateway sends it in the RPC context, a consumer's handler takes it from the event),
    logs each entrypoint run with its outcome and duration, and counts RPCs (infra.metrics)."""

    def __init__(self) -> None:
        self.started: dict[Any, float] = {}  # worker context -> when it began

    def setup(self) -> None:
        configure()

    def worker_setup(self, worker_ctx: Any) -> None:
        request_id = worker_ctx.data.get(REQUEST_ID_KEY)
        if request_id is not None:
            structlog.contextvars.bind_contextvars(request_id=request_id)  # as infra.correlation does
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(
        self,
        worker_ctx: Any,
        result: Any = None,
        exc_info: tuple[type[BaseException], BaseException, TracebackType] | None = None,
    ) -> None:
        began = self.started.pop(worker_ctx, None)
        seconds = time.perf_counter() - began if began is not None else 0.0
        entrypoint = worker_ctx.entrypoint
        error = type(exc_info[1]) if exc_info else None
        if isinstance(entrypoint, Rpc):
            metrics.rpc_done(
                worker_ctx.service_name, entrypoint.method_name, seconds, error, entrypoint.expected_exceptions
            )
        log.info(
            "{}.{} {}".format(
                worker_ctx.service_name, entrypoint.method_name, "error " + error.__name__ if error else "ok"
            ),
            duration_ms=round(seconds * 1000, 1),
        )

    def get_dependency(self, worker_ctx: Any) -> Any:  # the request id (str) or None
        return worker_ctx.data.get(REQUEST_ID_KEY)
