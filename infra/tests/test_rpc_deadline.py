"""RPC calls made inside a service get a deadline instead of waiting forever."""
import time

import eventlet
import pytest
from nameko.rpc import RpcProxy, rpc
from nameko.standalone.rpc import ServiceRpcProxy

from infra import rpc as rpc_with_deadline
from infra.errors import ServiceTimeout


class Sleepy:
    name = "sleepy_probe"

    @rpc
    def nap(self, seconds):
        eventlet.sleep(seconds)
        return "rested"


class Impatient:
    name = "impatient_probe"
    sleepy = RpcProxy("sleepy_probe")

    @rpc
    def ask(self, seconds, timeout):
        return rpc_with_deadline.call(self.sleepy, "nap", seconds, timeout=timeout)


def test_a_slow_answer_is_a_service_timeout_after_the_deadline(container_factory, service_config):
    for service in (Sleepy, Impatient):
        container_factory(service, service_config).start()
    with ServiceRpcProxy("impatient_probe", service_config) as impatient:
        assert impatient.ask(0, 2) == "rested"
        started = time.monotonic()
        with pytest.raises(ServiceTimeout):
            impatient.ask(3, 0.5)
        assert time.monotonic() - started < 2
