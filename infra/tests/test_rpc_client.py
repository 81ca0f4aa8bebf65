"""The gateway's lean RPC client (infra.rpc.RpcClient) against real nameko services: answers,
errors, context headers, the deadline, an unknown service, a lost connection, and many calls in
flight on one connection."""

import socket
import time

import eventlet
import pytest
from nameko.exceptions import RemoteError, UnknownService

from infra.entrypoints import rpc
from infra.errors import NotFound, ServiceTimeout, ServiceUnavailable
from infra.rpc import ClientProxy, RpcClient


class Echo:
    name = "rpc_client_probe"

    @rpc
    def echo(self, value, suffix=""):
        return value + suffix

    @rpc
    def nap(self, seconds):
        eventlet.sleep(seconds)
        return "rested"

    @rpc
    def missing(self):
        raise NotFound("no such thing", "uuid")

    @rpc
    def broken(self):
        raise KeyError("oops")


@pytest.fixture
def client(service_config):
    client = RpcClient(service_config["AMQP_URI"], name="test").start()
    yield client
    client.stop()


@pytest.fixture
def echo_service(container_factory, service_config):
    container = container_factory(Echo, service_config)
    container.start()
    return container


def test_answers_errors_and_keyword_arguments(client, echo_service):
    assert client.call("rpc_client_probe", "echo", ["a"], {"suffix": "b"}) == "ab"
    with pytest.raises(NotFound) as raised:  # our ServiceErrors come back as themselves
        client.call("rpc_client_probe", "missing")
    assert raised.value.field == "uuid"
    with pytest.raises(RemoteError):  # anything else is nameko's RemoteError, as with RpcProxy
        client.call("rpc_client_probe", "broken")


def test_many_calls_in_flight_share_one_connection(client, echo_service):
    pool = eventlet.GreenPool(50)
    answers = list(pool.imap(lambda i: client.call("rpc_client_probe", "echo", [str(i)]), range(300)))
    assert answers == [str(i) for i in range(300)]


def test_the_deadline_is_a_service_timeout_and_a_late_reply_is_dropped(client, echo_service):
    started = time.monotonic()
    with pytest.raises(ServiceTimeout):
        client.call("rpc_client_probe", "nap", [1.0], timeout=0.3)
    assert time.monotonic() - started < 0.9
    eventlet.sleep(1.0)  # the late reply arrives for nobody
    assert client.call("rpc_client_probe", "echo", ["still fine"]) == "still fine"


def test_an_unknown_service_fails_at_once_with_unknown_service(client):
    started = time.monotonic()
    with pytest.raises(UnknownService):
        client.call("no_such_service_anywhere", "ping", timeout=5)
    assert time.monotonic() - started < 2  # the broker's basic.return, not the deadline


def test_context_data_travels_as_nameko_headers(client, container_factory, service_config):
    seen = []

    from nameko.extensions import DependencyProvider

    class Data(DependencyProvider):
        def get_dependency(self, worker_ctx):
            seen.append(dict(worker_ctx.data))

    class Recorder:
        name = "rpc_client_headers_probe"
        data = Data()

        @rpc
        def seen(self):
            return None

    container_factory(Recorder, service_config).start()

    class FakeWorker:
        context_data = {"identity": "signed-token", "request_id": "r-1", "skipped": None}

    proxy = ClientProxy(client, "rpc_client_headers_probe", FakeWorker())
    assert proxy.call("seen") is None
    assert seen[-1]["identity"] == "signed-token" and seen[-1]["request_id"] == "r-1"
    assert "skipped" not in seen[-1]


def test_a_lost_connection_fails_calls_in_flight_and_the_next_call_reconnects(client, echo_service):
    waiting = eventlet.spawn(client.call, "rpc_client_probe", "nap", [2.0], None, None, 10)
    eventlet.sleep(0.3)
    client.link.connection.transport.sock.shutdown(socket.SHUT_RDWR)  # the network fails under the connection
    with pytest.raises(ServiceUnavailable):
        waiting.wait()
    assert client.call("rpc_client_probe", "echo", ["again"]) == "again"


def test_a_stopped_client_refuses_calls(service_config):
    client = RpcClient(service_config["AMQP_URI"], name="test").start()
    client.stop()
    with pytest.raises(ServiceUnavailable):
        client.call("rpc_client_probe", "echo", ["x"])


def test_transient_replies_reach_nameko_proxies_and_the_client(client, container_factory, service_config):
    from nameko.standalone.rpc import ServiceRpcProxy

    from infra.entrypoints import ReplyingConsumer, TransientReplyPublisher, TransientResponder

    assert TransientResponder.publisher_cls is TransientReplyPublisher
    container = container_factory(Echo, service_config)
    assert any(isinstance(extension, ReplyingConsumer) for extension in container.extensions)
    container.start()
    assert client.call("rpc_client_probe", "echo", ["x"], {"suffix": "y"}) == "xy"
    with pytest.raises(NotFound):
        client.call("rpc_client_probe", "missing")
    with ServiceRpcProxy("rpc_client_probe", service_config) as proxy:  # nameko's own reply queue
        assert proxy.echo("a", suffix="b") == "ab"
    pool = eventlet.GreenPool(20)
    assert list(pool.imap(lambda i: client.call("rpc_client_probe", "echo", [str(i)]), range(100))) == [
        str(i) for i in range(100)
    ]


def test_a_callers_shorter_deadline_is_its_own(client, echo_service):
    with pytest.raises(eventlet.Timeout):  # not turned into the client's ServiceTimeout
        with eventlet.Timeout(0.2):
            client.call("rpc_client_probe", "nap", [1.0], timeout=5)


def test_a_service_mixing_nameko_rpc_with_ours_refuses_to_start(container_factory, service_config):
    from nameko.rpc import rpc as nameko_rpc

    class Mixed:
        name = "mixed_probe"

        @rpc
        def ours(self):
            return 1

        @nameko_rpc
        def theirs(self):
            return 2

    with pytest.raises(TypeError, match="theirs"):
        container_factory(Mixed, service_config).start()


def test_replies_survive_a_lost_reply_connection(client, container_factory, service_config):
    from infra.entrypoints import TransientReplyPublisher

    container_factory(Echo, service_config).start()
    assert client.call("rpc_client_probe", "echo", ["before"]) == "before"
    link = TransientReplyPublisher._links[service_config["AMQP_URI"]]
    link.connection.transport.sock.shutdown(socket.SHUT_RDWR)  # the service's reply connection dies
    eventlet.sleep(0.2)
    assert client.call("rpc_client_probe", "echo", ["after"], timeout=5) == "after"  # a new one answers
