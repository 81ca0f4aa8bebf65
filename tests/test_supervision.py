"""`make run`'s launcher supervises: a service killed with SIGKILL comes back (with growing delays)
while the others keep serving; only SIGTERM/Ctrl-C (`make stop`) stops everything.

The launcher runs as `make run` starts it (`python -m infra.supervisor run`), in its own vhost and
databases (so its consumers and outbox relays never compete with the suite's system)."""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.support.environment import free_port
from infra.processes import ROOT
from tests.support import resources
from tests.support.scrape import parse

COMPONENTS = ("directory", "goals", "gateway")
STARTUP_SECONDS = 120


def children(pid):
    """{pid: command line} of the direct children of `pid`."""
    try:
        with open("/proc/{0}/task/{0}/children".format(pid)) as handle:
            pids = [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return {}
    found = {}
    for child in pids:
        try:
            with open("/proc/{}/cmdline".format(child), "rb") as handle:
                found[child] = handle.read().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            pass
    return found


def alive(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def pid_of(launcher, entrypoint):
    matches = [pid for pid, command in children(launcher.pid).items() if entrypoint in command]
    return matches[0] if len(matches) == 1 else None


def wait_until(probe, timeout, launcher, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert launcher.poll() is None, "the launcher exited with {}".format(launcher.returncode)
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("not within {}s".format(timeout))


@pytest.fixture
def launcher_env(test_env, tmp_path):
    """The environment of a launcher with its own vhost and migrated databases."""
    run_id = resources.new_run_id()
    vhost = "crm-test-{}-launcher".format(run_id)
    urls = {name: url for name, url in resources.database_urls(run_id).items() if name in COMPONENTS}
    amqp_uri = resources.create_vhost(vhost)
    resources.create_databases(urls)
    port = free_port()
    env = dict(os.environ, AMQP_URI=amqp_uri, GATEWAY_ADDRESS="127.0.0.1:{}".format(port), GATEWAY_PROCESSES="1",
               RUN_COMPONENTS=",".join(COMPONENTS), CRM_VAR_DIR=str(tmp_path), PYTHONPATH=ROOT,
               METRICS_PORT_BASE="0")  # free metrics ports: another launcher may run on this machine
    env.update({"{}_DATABASE_URL".format(name.upper()): url for name, url in urls.items()})
    try:
        for name in urls:
            subprocess.run([sys.executable, "-m", "infra.migrate", name], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        yield env, "http://127.0.0.1:{}".format(port)
    finally:
        resources.drop_databases(urls)
        resources.delete_vhost(vhost)


def health(base_url):
    try:
        return requests.get(base_url + "/health", timeout=5).json()["services"]
    except (requests.RequestException, ValueError, KeyError):
        return None


def test_a_killed_service_comes_back_while_the_others_keep_serving(launcher_env, tmp_path):
    env, base_url = launcher_env
    output = open(tmp_path / "launcher.out", "wb")
    launcher = subprocess.Popen([sys.executable, "-m", "infra.supervisor", "run"], cwd=ROOT, env=env,
                                stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: all((health(base_url) or {}).get(name) == "ok" for name in ("directory", "goals")),
                   STARTUP_SECONDS, launcher)
        signup = requests.post(base_url + "/api/auth/signup", timeout=10, json={
            "workspace": "Supervised", "email": "owner@supervised.test", "password": "a-long-password",
            "first_name": "Ada", "last_name": "Lovelace"})
        assert signup.status_code == 200, signup.text
        token = signup.json()["data"]["token"]
        killed = pid_of(launcher, "GoalsService")
        directory = pid_of(launcher, "DirectoryService")
        assert killed and directory

        answers, done = [], threading.Event()  # (when, status) of requests to the directory

        def keep_asking_the_directory():
            while not done.is_set():
                status = requests.get(base_url + "/api/directory/users", timeout=10,
                                      headers={"Authorization": "Bearer " + token}).status_code
                answers.append((time.monotonic(), status))
                time.sleep(0.05)

        asker = threading.Thread(target=keep_asking_the_directory)
        asker.start()
        try:
            wait_until(lambda: answers, 10, launcher)
            killed_at = time.monotonic()
            os.kill(killed, signal.SIGKILL)
            wait_until(lambda: pid_of(launcher, "GoalsService") not in (None, killed), 30, launcher)
            restarted_at = time.monotonic()
            wait_until(lambda: (health(base_url) or {}).get("goals") == "ok", 60, launcher)
        finally:
            done.set()
            asker.join(15)
        assert not alive(killed)
        assert len([at for at, _ in answers if killed_at < at < restarted_at]) >= 3, answers  # during the outage
        assert {status for _, status in answers} == {200}, answers  # the directory kept serving meanwhile
        assert pid_of(launcher, "DirectoryService") == directory  # and was never restarted
        goals = requests.post(base_url + "/api/sales/goals", json={"action": "get_all_goals"}, timeout=10,
                              headers={"Authorization": "Bearer " + token})
        assert goals.status_code == 200, goals.text  # the new goals process serves
        log = (tmp_path / "launcher.out").read_text()
        metrics_port = re.search(r"^  goals +pid \S+ +log \S+ +metrics :(\d+)$", log, re.M)
        assert metrics_port, log  # the summary names each process's metrics port...
        scraped = requests.get("http://127.0.0.1:{}/metrics".format(metrics_port.group(1)), timeout=10)
        _, samples = parse(scraped.text)  # ...kept by its new process, which has served one list_goals
        assert ("crm_rpc_duration_seconds_count", {"service": "goals", "method": "list_goals"}, 1.0) in samples
        assert "goals (pid {}) exited with -9".format(killed) in log, log
        assert "restarting in 1s" in log, log
    finally:
        started = list(children(launcher.pid))
        stopping = time.monotonic()
        launcher.send_signal(signal.SIGTERM)  # what `make stop` sends
        try:
            code = launcher.wait(30)
        finally:
            if launcher.poll() is None:
                os.killpg(launcher.pid, signal.SIGKILL)
            output.close()
    stop_seconds = time.monotonic() - stopping
    assert code == 0
    assert started and not [pid for pid in started if alive(pid)]
    assert stop_seconds < 15, stop_seconds
