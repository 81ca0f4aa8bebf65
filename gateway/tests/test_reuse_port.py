"""Several gateway processes share one port (SO_REUSEPORT): two containers bound to the same
address both answer, and the launcher starts as many processes as configured."""
import socket
import urllib.request

import pytest
from nameko.extensions import DependencyProvider

from gateway.http import http, listen
from infra import processes
from tests.support.environment import free_port


class ContainerId(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return str(id(self.container))


class Who:
    name = "reuse_port_probe"
    container_id = ContainerId()

    @http
    def who(self, request):
        return self.container_id


def test_two_listeners_bind_the_same_port():
    port = free_port()
    first, second = listen(("127.0.0.1", port)), listen(("127.0.0.1", port))
    try:
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert second.getsockname()[1] == port
    finally:
        first.close()
        second.close()


def test_two_gateways_on_one_port_both_answer(container_factory, service_config):
    port = free_port()
    config = dict(service_config, WEB_SERVER_ADDRESS="127.0.0.1:{}".format(port))
    for _ in range(2):
        container = container_factory(Who, config)
        container.start()
    seen = set()
    for _ in range(60):  # a new connection each time: the kernel spreads them over both listeners
        with urllib.request.urlopen("http://127.0.0.1:{}/who".format(port), timeout=5) as response:
            seen.add(response.read().decode())
        if len(seen) == 2:
            break
    assert len(seen) == 2, seen


@pytest.mark.parametrize("env, name, expected", [
    ({}, "gateway", processes.DEFAULT_PROCESSES["gateway"]),
    ({}, "deals", 1),
    ({"GATEWAY_PROCESSES": "3"}, "gateway", 3),
    ({"SERVICE_PROCESSES": "2"}, "deals", 2),
    ({"SERVICE_PROCESSES": "2", "DEALS_PROCESSES": "4"}, "deals", 4),
    ({"SERVICE_PROCESSES": "2"}, "gateway", processes.DEFAULT_PROCESSES["gateway"]),
    ({"GATEWAY_PROCESSES": "0"}, "gateway", 1),
])
def test_process_counts_come_from_the_environment(env, name, expected):
    assert processes.process_count(name, env) == expected


def test_a_bad_process_count_is_refused():
    with pytest.raises(ValueError):
        processes.process_count("deals", {"DEALS_PROCESSES": "many"})


def test_the_test_system_runs_every_configured_gateway_process(system):
    gateways = system.instances["gateway"]
    assert len(gateways) == processes.process_count("gateway", system.env)
    assert all(process.poll() is None for process in gateways)
    assert system.health()["status"] in ("ok", "degraded")


def test_connections_to_the_gateway_send_without_waiting_for_acks():
    sock = listen(("127.0.0.1", free_port()))
    try:
        client = socket.create_connection(sock.getsockname())
        accepted, _ = sock.accept()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)  # inherited from the listener
        client.close()
        accepted.close()
    finally:
        sock.close()
