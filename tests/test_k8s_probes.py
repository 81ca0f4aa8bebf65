"""The probes of deploy/k8s against real processes: the exact commands and HTTP checks of the rendered
manifests pass against the running system; a stuck service process fails liveness (and readiness
cannot hang on it), then recovers; a probe never outlives its hard limit nor leaves a connection or
a reply queue on the broker; the gateway's probes pass with no service reachable while /health
does not."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

from infra import heartbeat
from infra.processes import ROOT, System
from infra.rpc import RpcClient
from infra.settings import SERVICES
from tests.support import resources
from tests.support.environment import free_port
from tests.support.kustomize import build, pod_spec

BASE = os.path.join(ROOT, "deploy", "k8s", "base")


def run(command, env=None, timeout=30):
    """(exit code, output, seconds) of a probe command run as kubelet runs it: in the image's working
    directory, with the container's environment."""
    environment = dict(os.environ if env is None else env, PYTHONPATH=ROOT, PYTHONWARNINGS="ignore")
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout)
    return done.returncode, (done.stdout + done.stderr).strip(), time.monotonic() - started


def probe(kind, service, *options, env=None):
    return run([sys.executable, "-m", "infra.probe", kind, service] + list(options), env=env)


def passing(command, seconds=10):
    """The last run of `command`, run until it exits 0 or `seconds` have passed (kubelet runs a probe
    every periodSeconds: a process that has just started may need one more beat)."""
    deadline = time.monotonic() + seconds
    while True:
        result = run(command)
        if result[0] == 0 or time.monotonic() >= deadline:
            return result
        time.sleep(0.5)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    return condition()


@pytest.fixture(scope="module")
def deployments():
    return {item["metadata"]["name"]: item for item in build(BASE) if item["kind"] == "Deployment"}


@pytest.fixture
def service(system):
    """A running service to probe (deals unless TEST_COMPONENTS leaves it out)."""
    running = [name for name in SERVICES if name in system.instances]
    return "deals" if "deals" in running else running[0]


def test_the_manifests_probes_pass_against_the_running_system(system, deployments):
    for name in [name for name in SERVICES if name in system.instances]:
        spec = pod_spec(deployments["crm-{}".format(name)])
        (container,) = spec["containers"]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = [sys.executable if part == "python" else part for part in container[kind]["exec"]["command"]]
            code, output, seconds = passing(command)
            assert code == 0, (name, kind, output)
            assert seconds < container[kind]["timeoutSeconds"], (name, kind, seconds)
    (gateway,) = pod_spec(deployments["crm-gateway"])["containers"]
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = gateway[kind]["httpGet"]
        response = requests.get(system.base_url + check["path"], timeout=gateway[kind]["timeoutSeconds"])
        assert 200 <= response.status_code < 400, (kind, response.status_code)


def test_a_stuck_process_fails_liveness_its_readiness_cannot_hang_and_both_come_back(system, service):
    assert wait_for(lambda: probe("ready", service)[0] == 0, 10)
    pids = [process.pid for process in system.instances[service]]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)  # the event loop stops, as a CPU-bound loop or a blocking call would stop it
    try:
        # its heartbeat is still fresh: the ping is sent, no one answers, and the probe gives up in time
        code, output, seconds = probe("ready", service, "--max-age", "60", "--timeout", "1")
        assert code == 1 and "ping failed: ServiceTimeout" in output, output
        assert seconds < 1 + 2, seconds
        stale = wait_for(lambda: probe("live", service, "--max-age", "3")[0] == 1, 15)
        assert stale
        code, output, _ = probe("live", service, "--max-age", "3")
        assert code == 1 and "the event loop is stuck" in output, output
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert wait_for(lambda: probe("live", service, "--max-age", "3")[0] == 0, 20)
    assert wait_for(lambda: probe("ready", service)[0] == 0, 30), probe("ready", service)[1]


def test_readiness_waits_for_the_queues_to_be_consumed(tmp_path, service):
    env = dict(os.environ, CRM_VAR_DIR=str(tmp_path))
    code, output, _ = probe("ready", service, env=env)
    assert code == 1 and "no heartbeat yet" in output, output
    heartbeat_file = tmp_path / "heartbeat" / service
    heartbeat_file.parent.mkdir()
    heartbeat_file.write_text(heartbeat.STARTING + "\n")
    code, output, _ = probe("ready", service, env=env)
    assert code == 1 and "not consuming its queues yet" in output, output
    assert probe("live", service, env=env)[0] == 0


def test_readiness_gives_up_on_a_broker_that_accepts_and_never_answers(tmp_path, service):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nothing ever reads or writes
    try:
        (tmp_path / "heartbeat").mkdir()
        (tmp_path / "heartbeat" / service).write_text(heartbeat.CONSUMING + "\n")
        env = dict(os.environ, CRM_VAR_DIR=str(tmp_path),
                   AMQP_URI="amqp://guest:guest@127.0.0.1:{}/".format(silent.getsockname()[1]))
        code, output, seconds = probe("ready", service, "--timeout", "1", env=env)
    finally:
        silent.close()
    assert code == 1 and "ping failed" in output, output
    assert seconds < 1 + 2, seconds


def test_the_hard_limit_ends_a_probe_stuck_anywhere(tmp_path, service):
    (tmp_path / "heartbeat").mkdir()
    (tmp_path / "heartbeat" / service).write_text(heartbeat.CONSUMING + "\n")
    stuck = ("import sys, time; from infra import probe; probe.ping = lambda *args: time.sleep(60); "
             "sys.exit(probe.main(['ready', '{}', '--timeout', '1']))".format(service))
    code, _, seconds = run([sys.executable, "-c", stuck], env=dict(os.environ, CRM_VAR_DIR=str(tmp_path)))
    assert code == -signal.SIGALRM
    assert seconds < 1 + 2 + 2, seconds


def test_probes_leave_no_connection_or_reply_queue_on_the_broker(system, test_env, service):
    def named(prefix):
        """Connections (by the name infra.amqp gives them) and queues of `prefix`."""
        connections = resources.management("GET", "/vhosts/{}/connections".format(test_env.vhost))
        return ([c for c in connections if (c.get("client_properties") or {}).get("connection_name", "").startswith(prefix)]
                + [q for q in resources.queues(test_env.vhost) if q["name"].startswith("rpc.reply-" + prefix)])

    control = RpcClient(test_env.amqp_uri, name="probe-control").start()  # names show: the check below can fail
    try:
        assert wait_for(lambda: len(named("probe-control")) == 2, 15), named("probe-control")
    finally:
        control.stop()
    for _ in range(5):
        code, output, _ = probe("ready", service)
        assert code == 0, output
    assert wait_for(lambda: named("probe-") == [], 15), named("probe-")


def test_the_gateways_probes_do_not_depend_on_the_services_but_health_does(tmp_path, deployments):
    vhost = "crm-k8s-probe-{}".format(uuid.uuid4().hex[:8])  # a broker where no service runs
    amqp_uri = resources.create_vhost(vhost)
    (gateway,) = pod_spec(deployments["crm-gateway"])["containers"]
    env = dict(os.environ, AMQP_URI=amqp_uri, GATEWAY_ADDRESS="127.0.0.1:{}".format(free_port()), GATEWAY_PROCESSES="1")
    alone = System(env=env, log_dir=str(tmp_path), components=["gateway"])
    try:
        alone.start_component("gateway")
        paths = {gateway[kind]["httpGet"]["path"] for kind in ("startupProbe", "readinessProbe", "livenessProbe")}

        def answered():
            try:
                return all(requests.get(alone.base_url + path, timeout=2).status_code == 200 for path in paths)
            except requests.ConnectionError:
                return False

        assert wait_for(answered, 60)
        assert requests.get(alone.base_url + "/health", timeout=10).status_code == 503
    finally:
        alone.stop()
        resources.delete_vhost(vhost)
