"""One Lua script called over RESP written by hand: the rate limit's sliding window runs on every
request of a limited route, and redis-py's command path (its connection pool, encoders, parser and
instrumentation) cost about 90 us of CPU per call; this costs a fifth of that.

`ScriptClient(url, script)(keys, args)` is `redis.Redis.from_url(url).register_script(script)(keys,
args)` for a script answering integers or arrays of them: EVALSHA, and EVAL once when the server
does not hold the script yet (NOSCRIPT). Connections are kept and reused, one per concurrent caller
(green threads under eventlet); a connection that failed is closed, not reused. Failures raise what
redis-py raises (`redis.ConnectionError`, `redis.TimeoutError`, `redis.ResponseError`), so callers
handle them alike. Plain `redis://` URLs (host, port, password, database number); anything else
(TLS, sockets) goes through redis-py.
"""

from __future__ import annotations

import hashlib
import socket
import urllib.parse
from typing import IO, Any, Sequence

import redis

Connection = tuple[socket.socket, IO[bytes]]  # a socket and its buffered reader


def client_for(url: str, script: str, timeout: float, connect_timeout: float) -> Any:
    """ScriptClient for a plain redis:// URL, else redis-py's registered script."""
    if urllib.parse.urlsplit(url).scheme == "redis":
        return ScriptClient(url, script, timeout, connect_timeout)
    client = redis.Redis.from_url(url, socket_connect_timeout=connect_timeout, socket_timeout=timeout)
    return client.register_script(script)


def _command(*words: Any) -> bytes:
    parts = [b"*%d\r\n" % len(words)]
    for word in words:
        data = word if isinstance(word, bytes) else str(word).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class ScriptClient:
    def __init__(self, url: str, script: str, timeout: float = 0.3, connect_timeout: float = 0.3) -> None:
        parts = urllib.parse.urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.password = urllib.parse.unquote(parts.password) if parts.password else None
        self.database = int(parts.path.strip("/") or 0)
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.script = script
        self.sha = hashlib.sha1(script.encode()).hexdigest()
        self._idle: list[Connection] = []  # connections not in use: (socket, its buffered reader)

    def __call__(self, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
        connection = self._idle.pop() if self._idle else self._connect()
        try:
            reply = self._ask(connection, _command(b"EVALSHA", self.sha, len(keys), *keys, *args))
            if isinstance(reply, redis.ResponseError) and str(reply).startswith("NOSCRIPT"):
                reply = self._ask(connection, _command(b"EVAL", self.script, len(keys), *keys, *args))
        except BaseException:
            connection[0].close()
            raise
        self._idle.append(connection)
        if isinstance(reply, redis.ResponseError):
            raise reply
        return reply

    def _connect(self) -> Connection:
        try:
            sock = socket.create_connection(self.address, timeout=self.connect_timeout)
        except socket.timeout as exc:
            raise redis.TimeoutError("connecting to Redis timed out") from exc
        except OSError as exc:
            raise redis.ConnectionError("cannot connect to Redis: {}".format(exc)) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.timeout)
        connection = (sock, sock.makefile("rb"))
        try:
            for command in ([(b"AUTH", self.password)] if self.password else []) + (
                [(b"SELECT", self.database)] if self.database else []
            ):
                reply = self._ask(connection, _command(*command))
                if isinstance(reply, redis.ResponseError):
                    raise reply
        except BaseException:
            sock.close()
            raise
        return connection

    def _ask(self, connection: Connection, command: bytes) -> Any:
        sock, reader = connection
        try:
            sock.sendall(command)
            return _read(reader)
        except socket.timeout as exc:
            raise redis.TimeoutError("Redis did not answer in time") from exc
        except OSError as exc:
            raise redis.ConnectionError("Redis connection failed: {}".format(exc)) from exc


def _read(reader: Any) -> Any:
    """One RESP2 reply: an integer, a string, nil, an array of those, or the ResponseError it carries."""
    line = reader.readline()
    if not line.endswith(b"\r\n"):
        raise redis.ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b":":
        return int(rest)
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read(reader) for _ in range(count)]
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = reader.read(size + 2)
        if len(data) != size + 2:
            raise redis.ConnectionError("Redis closed the connection")
        return data[:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        return redis.ResponseError(rest.decode("utf-8", "replace"))
    raise redis.ConnectionError("unexpected reply from Redis: {!r}".format(line[:40]))
