"""Calls between services (ServiceBase.context().call) get a deadline instead of waiting forever."""

import time

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from infra.entrypoints import rpc
from infra.errors import ServiceTimeout
from infra.service import ServiceBase


class Sleepy(ServiceBase):
    name = "sleepy_probe"

    @rpc
    def nap(self, seconds):
        eventlet.sleep(seconds)
        return "rested"


class Impatient(ServiceBase):
    name = "impatient_probe"

    @rpc
    def ask(self, seconds, timeout):
        return self.context().call("sleepy_probe", "nap", seconds, timeout=timeout)


def test_a_slow_answer_is_a_service_timeout_after_the_deadline(container_factory, service_config):
    for service in (Sleepy, Impatient):
        container_factory(service, service_config).start()
    with ServiceRpcProxy("impatient_probe", service_config) as impatient:
        assert impatient.ask(0, 2) == "rested"
        assert impatient.ping() == "ok"  # the base's entrypoint
        started = time.monotonic()
        with pytest.raises(ServiceTimeout):
            impatient.ask(3, 0.5)
        assert time.monotonic() - started < 2
