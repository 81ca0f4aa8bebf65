"""Per-caller rate limit of the gateway: at most RATE_LIMIT_PER_SECOND (default 10) requests of one
caller in any sliding window of one second, on the routes marked `rate_limited`.

The state is shared by every gateway process through Redis (`RATE_LIMIT_REDIS_URL`, default
redis://127.0.0.1:6379/0): one sorted set per caller holds the times of its accepted requests in
the window, trimmed, counted and added to in one Lua script, so concurrent requests on several
gateways cannot both take the last slot, and Redis's own clock is the only clock.

When Redis cannot be reached the gateway keeps answering: it falls back to a limiter inside the
process (a warning is logged, Redis is tried again every few seconds). With one gateway process,
as `make run` starts, that enforces the same limit; with several, each process counts alone
(up to processes x limit). `RATE_LIMIT_REDIS_URL=` (empty) selects the in-process limiter.

Whose budget a request takes (`key_for`): the API key's (`api_key:<sha256 of the key>`) when the
caller presented one, else the user's (`user:<uuid>`), so each API key is limited on its own.
A refused request does not use up a slot. Every answer of a limited route tells the caller its
quota: `X-RateLimit-Limit`, `X-RateLimit-Remaining` (after this request) and `X-RateLimit-Reset`
(whole seconds until the oldest request in the window leaves it, freeing a slot); a refusal is
429 with `Retry-After` (whole seconds) as well.
"""

import collections
import hashlib
import logging
import math
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from infra import settings
from infra.errors import RateLimited

if TYPE_CHECKING:
    import redis

    from infra.auth import Caller

log = logging.getLogger(__name__)

KEY_PREFIX = "crm:ratelimit:"
REDIS_RETRY_SECONDS = 5.0

# KEYS[1] = caller key; ARGV = limit, window in microseconds, a unique member.
# Returns {accepted (1 or 0), requests left in the window, microseconds until a slot frees}.
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local accepted = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  count, accepted = count + 1, 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {accepted, limit - count, math.max(1, math.floor(tonumber(oldest[2]) + window - now))}
"""


class Verdict(NamedTuple):
    accepted: bool
    remaining: int  # requests left in the window after this one
    reset: float  # seconds until the oldest request in the window leaves it


class Quota(NamedTuple):
    """What a limited route tells its caller."""

    limit: int
    remaining: int
    reset: float

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }


class TooManyRequests(RateLimited):
    """RateLimited with the headers the gateway adds to its answer: Retry-After and the quota (also
    when a service raises it: `retry_after` travels in the error's args over RPC)."""

    def __init__(
        self,
        info: str | None = None,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        retry_after: int | str = 1,  # text when nameko deserializes the error
        quota: Quota | None = None,
    ) -> None:
        super().__init__(info, field, errors)
        self.args = self.args + (str(retry_after),)  # as text: nameko stringifies other arguments anyway
        self.headers = dict({"Retry-After": str(retry_after)}, **(quota.headers() if quota else {}))


def key_for(caller: "Caller", api_key: str | None = None) -> str:
    """Whose budget a request takes: the presented API key's (hashed: the key is a secret), else the user's."""
    if api_key:
        return "api_key:" + hashlib.sha256(api_key.encode()).hexdigest()
    return "user:" + caller.user_uuid


class LocalLimiter:
    """The same sliding window inside one process (the fallback)."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit, self.window = limit, window
        self.lock = threading.Lock()
        self.calls: dict[str, collections.deque[float]] = {}  # caller key -> its accepted requests' times

    def hit(self, key: str) -> Verdict:
        now = time.monotonic()
        with self.lock:
            recent = self.calls.setdefault(key, collections.deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            accepted = len(recent) < self.limit
            if accepted:
                recent.append(now)
                if len(self.calls) > 10000:  # forget idle callers
                    self.calls = {k: v for k, v in self.calls.items() if v and v[-1] > now - self.window}
            return Verdict(accepted, self.limit - len(recent), recent[0] + self.window - now)


class RedisLimiter:
    def __init__(self, url: str, limit: int, window: float = 1.0) -> None:
        from infra.redis_script import client_for  # only needed when a Redis URL is configured

        self.client = redis_client(url)  # redis-py's, connecting only if used (a health check's ping)
        self.script = client_for(url, SLIDING_WINDOW, timeout=0.3, connect_timeout=0.3)
        self.limit, self.window_us = limit, int(window * 1_000_000)

    def hit(self, key: str) -> Verdict:
        accepted, remaining, reset_us = self.script(
            keys=[KEY_PREFIX + key], args=[self.limit, self.window_us, uuid.uuid4().hex]
        )
        return Verdict(bool(accepted), int(remaining), int(reset_us) / 1_000_000)


def redis_client(url: str) -> "redis.Redis":
    """A Redis client for a shared counter: short timeouts (a slow Redis must not hold requests)."""
    import redis  # only needed when a Redis URL is configured

    return redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=0.3)


def redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.RedisError, OSError)


_Shared = TypeVar("_Shared")
_Local = TypeVar("_Local")


class RedisOrLocal(Generic[_Shared, _Local]):
    """Calls `method` on `shared` (state in Redis, every process sees it) while Redis answers, else
    on `local` (the same operations inside this process), trying Redis again every
    REDIS_RETRY_SECONDS. `shared` is None when no Redis URL is configured. `what` names the user in
    the logs."""

    def __init__(self, shared: _Shared | None, local: _Local, what: str) -> None:
        self.shared, self.local, self.what = shared, local, what
        self.redis_down_until = 0.0
        if shared is None:
            log.warning("%s: no Redis URL, counting in this process only", what)

    def call(self, method: str, *args: Any) -> Any:
        if self.shared is not None and time.monotonic() >= self.redis_down_until:
            try:
                return getattr(self.shared, method)(*args)
            except redis_errors() as exc:
                self.redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning(
                    "%s: Redis unavailable (%s); counting in this process for %.0fs",
                    self.what,
                    exc,
                    REDIS_RETRY_SECONDS,
                )
        return getattr(self.local, method)(*args)


class RateLimiter:
    """Redis when it answers, else the in-process fallback."""

    def __init__(self, limit: int | None = None, redis_url: str | None = None, window: float = 1.0) -> None:
        self.limit = limit or settings.get().rate_limit_per_second
        url = settings.get().rate_limit_redis_url if redis_url is None else redis_url
        self.counter: RedisOrLocal[RedisLimiter, LocalLimiter] = RedisOrLocal(
            RedisLimiter(url, self.limit, window) if url else None, LocalLimiter(self.limit, window), "rate limit"
        )

    def check(self, caller: "Caller", api_key: str | None = None) -> Quota:
        """The caller's Quota after this request; TooManyRequests when it is over the limit."""
        verdict: Verdict = self.counter.call("hit", key_for(caller, api_key))
        quota = Quota(self.limit, verdict.remaining, verdict.reset)
        if not verdict.accepted:
            raise TooManyRequests(
                "Rate limit of {} requests per second exceeded".format(self.limit),
                retry_after=max(1, math.ceil(verdict.reset)),
                quota=quota,
            )
        return quota


_limiter: RateLimiter | None = None
_limiter_lock = threading.Lock()


def check(caller: "Caller", api_key: str | None = None) -> Quota:
    """The gateway's hook: the process-wide limiter, built from the environment on first use."""
    global _limiter
    if _limiter is None:
        with _limiter_lock:
            if _limiter is None:
                _limiter = RateLimiter()
    return _limiter.check(caller, api_key)
