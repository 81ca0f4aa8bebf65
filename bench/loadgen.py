"""A small HTTP/1.1 load generator for loopback benchmarks (wrk2 is not packaged here).

Two modes over N keep-alive connections:
- `saturate`: closed loop, each connection sends its next request as soon as the previous answer
  arrived: the throughput the system sustains at N connections.
- `constant_rate`: open loop at R requests/second (wrk2's model): request i is due at t0 + i/R
  and its latency is measured from that due time, so a stalled server is charged for the
  requests queued behind the stall (no coordinated omission).

Requests come from a `make_request(i)` callable returning (method, path, headers, body), so a
run can spread over many callers (tokens) and many records.
"""
import asyncio
import json
import time

from bench.support import summarize


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method, path, headers, body):
        if self.writer is None:
            await self.open()
        payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        lines = ["{} {} HTTP/1.1".format(method, path), "Host: {}:{}".format(self.host, self.port),
                 "Content-Length: {}".format(len(payload))]
        lines += ["{}: {}".format(k, v) for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Result:
    def __init__(self):
        self.latencies_ms, self.statuses, self.errors = [], {}, 0

    def record(self, latency_ms, status):
        self.latencies_ms.append(latency_ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def report(self, elapsed, mode, connections, rate=None):
        summary = summarize(self.latencies_ms) if self.latencies_ms else {}
        ok = sum(n for status, n in self.statuses.items() if 200 <= status < 300)
        return dict(summary, mode=mode, connections=connections, target_rps=rate, seconds=round(elapsed, 2),
                    throughput_rps=round(len(self.latencies_ms) / elapsed, 1), ok_rps=round(ok / elapsed, 1),
                    statuses={str(k): v for k, v in sorted(self.statuses.items())}, errors=self.errors)


async def _saturate(host, port, make_request, connections, seconds, warmup):
    result, counter = Result(), iter(range(10 ** 12))
    deadline_warm = time.perf_counter() + warmup
    deadline = deadline_warm + seconds

    async def worker():
        connection = Connection(host, port)
        while time.perf_counter() < deadline:
            method, path, headers, body = make_request(next(counter))
            started = time.perf_counter()
            try:
                status, _ = await connection.request(method, path, headers, body)
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                result.errors += 1
                connection.close()
                continue
            if started >= deadline_warm:
                result.record((time.perf_counter() - started) * 1000, status)
        connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return result.report(seconds, "saturate", connections)


async def _constant_rate(host, port, make_request, connections, seconds, rate, warmup):
    result = Result()
    queue = asyncio.Queue()
    total = int((seconds + warmup) * rate)
    start = time.perf_counter() + 0.05
    warm_until = start + warmup

    async def schedule():
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((i, due))
        for _ in range(connections):
            queue.put_nowait(None)

    async def worker():
        connection = Connection(host, port)
        while True:
            item = await queue.get()
            if item is None:
                break
            i, due = item
            method, path, headers, body = make_request(i)
            try:
                status, _ = await connection.request(method, path, headers, body)
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                result.errors += 1
                connection.close()
                continue
            if due >= warm_until:
                result.record((time.perf_counter() - due) * 1000, status)
        connection.close()

    began = time.perf_counter()
    await asyncio.gather(schedule(), *(worker() for _ in range(connections)))
    elapsed = max(time.perf_counter() - began - warmup, 1e-9)
    return result.report(elapsed, "constant_rate", connections, rate)


def saturate(base_url, make_request, connections=16, seconds=10, warmup=2):
    host, port = _host_port(base_url)
    return asyncio.run(_saturate(host, port, make_request, connections, seconds, warmup))


def constant_rate(base_url, make_request, rate, connections=16, seconds=10, warmup=2):
    host, port = _host_port(base_url)
    return asyncio.run(_constant_rate(host, port, make_request, connections, seconds, rate, warmup))


def _host_port(base_url):
    host_port = base_url.split("//", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    return host, int(port)
