"""Every setting of the platform, read from the environment once, typed, in one place.

`make run`, the tests, the benchmarks and docker-compose configure the same variables; the README's
configuration table lists each of them. Code reads `settings.get().<name>`; nothing else reads the
environment for a setting. `reload()` reads the environment again (tests that change it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

SERVICES = ("directory", "accounts", "prospects", "deals", "goals")
ENVIRONMENTS = ("development", "test", "production")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_SECRET_BYTES = 32
LOG_FORMATS = ("json", "console")
DEFAULT_METRICS_PORT_BASE = 9100

Number = TypeVar("Number", int, float)


class SettingsError(RuntimeError):
    """A setting is missing or invalid: the process refuses to start with it."""


def _text(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _number(kind: Callable[[str], Number], name: str, default: Number) -> Number:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError("{} must be a number, not {!r}".format(name, raw)) from None


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first is the default)."""
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise SettingsError("{} must be one of {}, not {!r}".format(name, ", ".join(choices), value))
    return value


def metrics_port_base(env: Mapping[str, str]) -> int:
    """METRICS_PORT_BASE of `env` (the launcher reads it from the environment it starts processes with)."""
    raw = env.get("METRICS_PORT_BASE", "").strip()
    try:
        return int(raw) if raw else DEFAULT_METRICS_PORT_BASE
    except ValueError:
        raise SettingsError("METRICS_PORT_BASE must be a number, not {!r}".format(raw)) from None


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    environment: str
    var_dir: str
    amqp_uri: str
    events_amqp_uri: str  # empty: the AMQP_URI of the service
    jwt_secret: str
    jwt_ttl_seconds: int
    internal_token_ttl_seconds: int
    rpc_timeout_seconds: float
    rpc_reply_confirms: bool
    outbox_poll_seconds: float
    outbox_retention_hours: float
    outbox_retry_seconds: float
    outbox_confirm_window: int
    outbox_confirm_timeout_seconds: float
    event_delivery_limit: int
    event_retry_attempts: int
    event_retry_max_seconds: float
    event_batch_size: int
    db_statement_timeout_ms: int
    db_connect_timeout: int
    db_ping_idle_seconds: float
    rate_limit_redis_url: str
    rabbit_management_url: str  # empty: port 15672 of the AMQP host (infra.deadletters)
    rate_limit_per_second: int
    log_level: str
    log_format: str  # json (default) or console (what `make run` sets): infra.logs
    metrics_port: int  # where this process serves /metrics; 0: none (the launcher assigns one to each process)
    metrics_address: str  # the interface the metrics port listens on
    metrics_port_base: int  # the launcher's numbering: base + 10 x component slot + instance; 0: free ports
    run_components: tuple[str, ...]  # what `make run` starts; empty: every component present

    def database_url(self, service: str) -> str:
        """`<SERVICE>_DATABASE_URL`, else a SQLite file under var/ (the embedded default)."""
        default = "sqlite:///{}".format(os.path.join(self.var_dir, "{}.db".format(service)))
        return os.environ.get("{}_DATABASE_URL".format(service.upper()), default)

    def signing_secret(self) -> str:
        """The JWT signing secret; refused when missing or shorter than 32 bytes, in every environment
        (`make run` generates one under var/ on first start: scripts/run.sh)."""
        if not self.jwt_secret:
            raise SettingsError("JWT_SECRET is not set (make run generates one in var/jwt_secret)")
        if len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError("JWT_SECRET must be at least {} bytes".format(MIN_SECRET_BYTES))
        return self.jwt_secret


def read() -> Settings:
    environment = _text("CRM_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise SettingsError("CRM_ENV must be one of {}, not {!r}".format(", ".join(ENVIRONMENTS), environment))
    amqp_uri = _text("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    return Settings(
        environment=environment,
        var_dir=_text("CRM_VAR_DIR", os.path.join(ROOT, "var")),
        amqp_uri=amqp_uri,
        events_amqp_uri=_text("EVENTS_AMQP_URI", ""),
        jwt_secret=_text("JWT_SECRET", ""),
        jwt_ttl_seconds=_number(int, "JWT_TTL_SECONDS", 8 * 3600),
        internal_token_ttl_seconds=_number(int, "INTERNAL_TOKEN_TTL_SECONDS", 300),
        rpc_timeout_seconds=_number(float, "RPC_TIMEOUT_SECONDS", 10.0),
        rpc_reply_confirms=_flag("RPC_REPLY_CONFIRMS"),
        outbox_poll_seconds=_number(float, "OUTBOX_POLL_SECONDS", 0.5),
        outbox_retention_hours=_number(float, "OUTBOX_RETENTION_HOURS", 72.0),
        outbox_retry_seconds=_number(float, "OUTBOX_RETRY_SECONDS", 5.0),
        outbox_confirm_window=max(1, _number(int, "OUTBOX_CONFIRM_WINDOW", 200)),
        outbox_confirm_timeout_seconds=_number(float, "OUTBOX_CONFIRM_TIMEOUT_SECONDS", 10.0),
        event_delivery_limit=_number(int, "EVENT_DELIVERY_LIMIT", 20),
        event_retry_attempts=_number(int, "EVENT_RETRY_ATTEMPTS", 5),
        event_retry_max_seconds=_number(float, "EVENT_RETRY_MAX_SECONDS", 30.0),
        event_batch_size=max(1, _number(int, "EVENT_BATCH_SIZE", 50)),
        db_statement_timeout_ms=_number(int, "DB_STATEMENT_TIMEOUT_MS", 30000),
        db_connect_timeout=_number(int, "DB_CONNECT_TIMEOUT", 5),
        db_ping_idle_seconds=_number(float, "DB_PING_IDLE_SECONDS", 5.0),
        rate_limit_redis_url=_text("RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/0"),
        rabbit_management_url=_text("RABBIT_MANAGEMENT_URL", ""),
        rate_limit_per_second=_number(int, "RATE_LIMIT_PER_SECOND", 10),
        log_level=_text("LOG_LEVEL", "INFO"),
        log_format=_choice("LOG_FORMAT", LOG_FORMATS),
        metrics_port=_number(int, "METRICS_PORT", 0),
        metrics_address=_text("METRICS_ADDRESS", "0.0.0.0"),
        metrics_port_base=metrics_port_base(os.environ),
        run_components=tuple(name.strip() for name in _text("RUN_COMPONENTS", "").split(",") if name.strip()),
    )


_current: Settings | None = None
_lock = threading.Lock()


def get() -> Settings:
    """The settings of this process, read from the environment on first use."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = read()
    return _current


def reload() -> Settings:
    """Reads the environment again (for tests that change it)."""
    global _current
    with _lock:
        _current = read()
    return _current
