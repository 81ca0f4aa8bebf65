"""Failures counted per key, and keys blocked for a while: the state of a throttle (e.g. the
directory's failed logins), shared by every process through Redis (`RATE_LIMIT_REDIS_URL`), in the
process when Redis is away (infra.ratelimit.RedisOrLocal). The user of a throttle decides which
keys to count and how long to block them.

- `add_failure(key)` counts a failure and answers the key's count; a count is forgotten
  `forget_after` seconds after the key's last failure.
- `block(key, seconds)`, `blocked_for(keys)` (the longest wait left among `keys`, 0 if none),
  `clear(*keys)` (forgets counts and blocks).

Keys live under `crm:throttle:<namespace>:`, so deployments (and test runs) sharing a Redis never
see each other's counts.
"""

from __future__ import annotations

import threading
import time

from infra import settings
from infra.ratelimit import RedisOrLocal, redis_client

MAX_LOCAL_KEYS = 100_000


class RedisFailures:
    def __init__(self, url: str, namespace: str, forget_after: float) -> None:
        self.client = redis_client(url)
        self.prefix = "crm:throttle:{}:".format(namespace)
        self.forget_ms = int(forget_after * 1000)

    def add_failure(self, key: str) -> int:
        name = self.prefix + "failures:" + key
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.pexpire(name, self.forget_ms)
        count, _ = pipe.execute()
        return int(count)

    def block(self, key: str, seconds: float) -> None:
        self.client.set(self.prefix + "blocked:" + key, 1, px=max(1, int(seconds * 1000)))

    def blocked_for(self, keys: list[str]) -> float:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.pttl(self.prefix + "blocked:" + key)
        milliseconds: list[int] = pipe.execute()  # -2: not blocked
        return max([ms for ms in milliseconds if ms > 0] or [0]) / 1000.0

    def clear(self, *keys: str) -> None:
        self.client.delete(*[self.prefix + kind + key for key in keys for kind in ("failures:", "blocked:")])


class LocalFailures:
    """The same inside one process (monotonic clock), bounded."""

    def __init__(self, forget_after: float) -> None:
        self.forget_after = forget_after
        self.lock = threading.Lock()
        self.failures: dict[str, tuple[int, float]] = {}  # key -> (count, time of the last failure)
        self.blocked: dict[str, float] = {}  # key -> blocked until

    def add_failure(self, key: str) -> int:
        now = time.monotonic()
        with self.lock:
            count, last = self.failures.get(key, (0, now))
            count = 1 if now - last > self.forget_after else count + 1
            if len(self.failures) >= MAX_LOCAL_KEYS:
                self._forget_old(now)
            self.failures[key] = (count, now)
            return count

    def block(self, key: str, seconds: float) -> None:
        with self.lock:
            self.blocked[key] = time.monotonic() + seconds

    def blocked_for(self, keys: list[str]) -> float:
        now = time.monotonic()
        return max([self.blocked.get(key, now) - now for key in keys] + [0.0])

    def clear(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.failures.pop(key, None)
                self.blocked.pop(key, None)

    def _forget_old(self, now: float) -> None:
        self.failures = {k: v for k, v in self.failures.items() if now - v[1] <= self.forget_after}
        self.blocked = {k: until for k, until in self.blocked.items() if until > now}


class FailureThrottle:
    """Redis when it answers, else this process (see the module docstring)."""

    def __init__(self, namespace: str, forget_after: float, redis_url: str | None = None) -> None:
        url = settings.get().rate_limit_redis_url if redis_url is None else redis_url
        self.state = RedisOrLocal(
            RedisFailures(url, namespace, forget_after) if url else None,
            LocalFailures(forget_after),
            "throttle " + namespace,
        )

    def add_failure(self, key: str) -> int:
        return int(self.state.call("add_failure", key))

    def block(self, key: str, seconds: float) -> None:
        self.state.call("block", key, seconds)

    def blocked_for(self, keys: list[str]) -> float:
        return float(self.state.call("blocked_for", keys))

    def clear(self, *keys: str) -> None:
        self.state.call("clear", *keys)
