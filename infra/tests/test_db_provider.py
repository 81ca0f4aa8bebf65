"""The Database provider against the real PostgreSQL: a session per worker, closed on teardown,
and a driver that yields to the eventlet hub so slow queries do not serialize the service."""

import time

from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from infra.db import Database


class SlowService:
    name = "slow_probe"
    db = Database(service_name="directory")  # any per-run PostgreSQL database will do

    @rpc
    def sleep(self, seconds):
        return self.db.execute(text("SELECT pg_sleep(:s), pg_backend_pid()"), {"s": seconds}).one()[1]

    @rpc
    def session_id(self):
        return id(self.db)


def test_two_slow_queries_run_concurrently_not_one_after_the_other(container_factory, service_config):
    container = container_factory(SlowService, service_config)
    container.start()
    with ServiceRpcProxy("slow_probe", service_config) as proxy:
        proxy.sleep(0)  # warm up the reply queue
        started = time.monotonic()
        replies = [proxy.sleep.call_async(1.0), proxy.sleep.call_async(1.0)]
        pids = [reply.result() for reply in replies]
        elapsed = time.monotonic() - started
    assert elapsed < 1.7, "two 1s queries took {:.2f}s: the driver blocks the event loop".format(elapsed)
    assert pids[0] != pids[1]  # two connections, one per worker


def test_each_worker_gets_its_own_session_and_returns_its_connection(container_factory, service_config):
    container = container_factory(SlowService, service_config)
    container.start()
    provider = next(dep for dep in container.dependencies if isinstance(dep, Database))
    with entrypoint_hook(container, "session_id") as session_id:
        first, second = session_id(), session_id()
    assert first != second
    assert provider.sessions == {}  # torn down
    with entrypoint_hook(container, "sleep") as sleep:
        sleep(0)
    pool = provider.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedout() == 0  # infra.db's MeteredQueuePool
