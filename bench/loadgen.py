"""A small HTTP/1.1 load generator for loopback benchmarks (wrk2 is not packaged here).

Two modes over N keep-alive connections:
- `saturate`: closed loop, each connection sends its next request as soon as the previous answer
  arrived: the throughput the system sustains at N connections.
- `constant_rate`: open loop at R requests/second (wrk2's model): request i is due at t0 + i/R
  and its latency is measured from that due time, so a stalled server is charged for the
  requests queued behind the stall (no coordinated omission). Requests still queued when the
  drain deadline passes are counted as `unfinished` and enter the percentiles with their waiting
  time so far (a lower bound), never dropped silently.

Requests come from a `make_request(i)` callable returning (method, path, headers, body), so a
run can spread over many callers (tokens) and many records. `on_response(i, status, body,
finished_at)` (optional) sees every answer; `finished_at` is `time.perf_counter()` (CLOCK_MONOTONIC
on Linux, comparable across processes on the machine).

Responses may carry Content-Length, `Transfer-Encoding: chunked`, or neither (then the body runs
to the end of the connection). Every request has a deadline (`timeout`, default 30 s): a request
that misses it counts as an error (`timeouts`) and its connection is reopened.
"""
import asyncio
import json
import time

from bench.support import summarize

ERRORS = (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.TimeoutError,
          asyncio.LimitOverrunError)


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2 ** 22)

    async def request(self, method, path, headers, body):
        if self.writer is None:
            await self.open()
        if body is None:
            payload = b""
        elif isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body).encode()
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json")
        lines = ["{} {} HTTP/1.1".format(method, path), "Host: {}:{}".format(self.host, self.port),
                 "Content-Length: {}".format(len(payload))]
        lines += ["{}: {}".format(k, v) for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close, chunked = None, status_line.startswith(b"HTTP/1.0"), False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection":
                close = value == "close"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            data = b""
        elif chunked:
            data = await self._read_chunked()
        elif length is not None:
            data = await self.reader.readexactly(length) if length else b""
        else:  # no length: the body is everything until the server closes
            data = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, data

    async def _read_chunked(self):
        parts = []
        while True:
            size_line = await self.reader.readline()
            if not size_line:
                raise ConnectionError("connection closed inside a chunked body")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)  # CRLF after the chunk

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Result:
    def __init__(self):
        self.latencies_ms, self.statuses = [], {}
        self.errors = self.timeouts = self.unfinished = 0
        self.error_kinds = {}

    def record(self, latency_ms, status):
        self.latencies_ms.append(latency_ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def error(self, exc):
        self.errors += 1
        if isinstance(exc, asyncio.TimeoutError):
            self.timeouts += 1
        kind = type(exc).__name__
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def report(self, elapsed, mode, connections, rate=None):
        summary = summarize(self.latencies_ms) if self.latencies_ms else {}
        ok = sum(n for status, n in self.statuses.items() if 200 <= status < 300)
        answered = sum(n for status, n in self.statuses.items() if status)
        return dict(summary, mode=mode, connections=connections, target_rps=rate, seconds=round(elapsed, 2),
                    throughput_rps=round(answered / elapsed, 1), ok_rps=round(ok / elapsed, 1),
                    statuses={str(k): v for k, v in sorted(self.statuses.items())}, errors=self.errors,
                    timeouts=self.timeouts, unfinished=self.unfinished, error_kinds=self.error_kinds)


async def _send(connection, make_request, i, timeout, on_response):
    method, path, headers, body = make_request(i)
    status, data = await asyncio.wait_for(connection.request(method, path, headers, body), timeout)
    finished = time.perf_counter()
    if on_response is not None:
        on_response(i, status, data, finished)
    return status, finished


async def schedule_open_loop(queue, start, rate, total, consumers):
    """Puts (i, due) on `queue` at due = start + i/rate for i < total, then one None per consumer."""
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in range(consumers):
        queue.put_nowait(None)


async def _saturate(host, port, make_request, connections, seconds, warmup, timeout, on_response):
    result, counter = Result(), iter(range(10 ** 12))
    deadline_warm = time.perf_counter() + warmup
    deadline = deadline_warm + seconds

    async def worker():
        connection = Connection(host, port)
        while time.perf_counter() < deadline:
            i = next(counter)
            started = time.perf_counter()
            try:
                status, finished = await _send(connection, make_request, i, timeout, on_response)
            except ERRORS as exc:
                if started >= deadline_warm:
                    result.error(exc)
                connection.close()
                await asyncio.sleep(0.01)  # a refused connection must not spin
                continue
            if started >= deadline_warm:
                result.record((finished - started) * 1000, status)
        connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return result.report(seconds, "saturate", connections)


async def _constant_rate(host, port, make_request, connections, seconds, rate, warmup, timeout, drain,
                         on_response):
    result = Result()
    queue = asyncio.Queue()
    total = int((seconds + warmup) * rate)
    start = time.perf_counter() + 0.05
    warm_until = start + warmup
    in_flight = {}
    stopped = False

    def schedule():
        return schedule_open_loop(queue, start, rate, total, connections)

    async def worker(number):
        connection = Connection(host, port)
        try:
            while not stopped:
                item = await queue.get()
                if item is None or stopped:
                    break
                i, due = item
                in_flight[number] = due
                try:
                    status, finished = await _send(connection, make_request, i, timeout, on_response)
                except ERRORS as exc:
                    if due >= warm_until and not stopped:
                        result.error(exc)
                    connection.close()
                    continue
                finally:
                    in_flight.pop(number, None)
                if due >= warm_until and not stopped:
                    result.record((finished - due) * 1000, status)
        finally:
            connection.close()

    began = time.perf_counter()
    workers = [asyncio.ensure_future(worker(n)) for n in range(connections)]
    await schedule()
    done, pending = await asyncio.wait(workers, timeout=max(drain, 0.1))
    if pending:  # the server fell behind: what is still queued or in flight counts, at a lower bound
        now = time.perf_counter()
        leftovers = list(in_flight.values())
        while not queue.empty():
            item = queue.get_nowait()
            if item is not None:
                leftovers.append(item[1])
        stopped = True
        for _ in range(connections):  # wakes a worker that survived its cancellation (wait_for can swallow it)
            queue.put_nowait(None)
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=5)
        for due in leftovers:
            if due >= warm_until:
                result.unfinished += 1
                result.record((now - due) * 1000, 0)
    elapsed = max(time.perf_counter() - began - warmup, 1e-9)
    return result.report(elapsed, "constant_rate", connections, rate)


def saturate(base_url, make_request, connections=16, seconds=10, warmup=2, timeout=30, on_response=None):
    host, port = _host_port(base_url)
    return asyncio.run(_saturate(host, port, make_request, connections, seconds, warmup, timeout, on_response))


def constant_rate(base_url, make_request, rate, connections=16, seconds=10, warmup=2, timeout=30, drain=15,
                  on_response=None):
    host, port = _host_port(base_url)
    return asyncio.run(_constant_rate(host, port, make_request, connections, seconds, rate, warmup, timeout, drain,
                                      on_response))


def _host_port(base_url):
    host_port = base_url.split("//", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    return host, int(port)
