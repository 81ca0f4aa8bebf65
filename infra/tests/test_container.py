"""infra.container.LeanContainer, the container config.yaml names: a worker's steps in nameko's order
(dependencies injected, worker_setup, the method, the entrypoint's result, worker_result,
worker_teardown) on the providers that define each hook, a failure reaching worker_result and the
caller, and an RPC called with a signature it does not take refused every time (the check is cached
per shape of call, not per answer)."""

from typing import Any

import pytest
from nameko.exceptions import IncorrectSignature, RemoteError
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ServiceRpcProxy

from infra.container import LeanContainer
from infra.entrypoints import rpc

seen: list[tuple[Any, ...]] = []


class Recorder(DependencyProvider):
    def get_dependency(self, worker_ctx):
        seen.append(("inject", worker_ctx.entrypoint.method_name))
        return seen

    def worker_setup(self, worker_ctx):
        seen.append(("setup", worker_ctx.entrypoint.method_name))

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        seen.append(("result", result, None if exc_info is None else type(exc_info[1]).__name__))

    def worker_teardown(self, worker_ctx):
        seen.append(("teardown", worker_ctx.entrypoint.method_name))


class Silent(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return "silent"


class Probe:
    name = "lean_probe"
    recorder = Recorder()
    silent = Silent()

    @rpc
    def add(self, a, b=0):
        self.recorder.append(("call", a + b))
        return a + b

    @rpc
    def fail(self):
        raise ValueError("a bug")


@pytest.fixture
def probe(container_factory, service_config):
    container = container_factory(Probe, dict(service_config, SERVICE_CONTAINER_CLS="infra.container.LeanContainer"))
    assert isinstance(container, LeanContainer)
    container.start()
    seen.clear()
    with ServiceRpcProxy("lean_probe", service_config) as proxy:
        yield proxy


def test_a_worker_runs_every_step_in_order_on_the_providers_that_define_it(probe):
    assert probe.add(2, b=3) == 5
    assert seen == [("inject", "add"), ("setup", "add"), ("call", 5), ("result", 5, None), ("teardown", "add")]
    seen.clear()
    with pytest.raises(RemoteError) as raised:
        probe.fail()
    assert raised.value.exc_type == "ValueError"
    assert seen == [("inject", "fail"), ("setup", "fail"), ("result", None, "ValueError"), ("teardown", "fail")]


def test_a_wrong_signature_is_refused_every_time_and_a_right_one_still_answers(probe):
    assert probe.add(1) == 1
    for _ in range(2):
        with pytest.raises(IncorrectSignature):
            probe.add(1, 2, 3)
        with pytest.raises(IncorrectSignature):
            probe.add(1, c=2)
    assert probe.add(1, 2) == 3
