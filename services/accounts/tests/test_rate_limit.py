"""10 requests per second per caller on the accounts routes (the default limit), 429 with
Retry-After in the sales envelope, shared by several gateway processes through Redis."""
import os
import subprocess
import sys
import time
import uuid

import eventlet
import pytest
import requests

from infra.auth import Caller
from infra.processes import ROOT
from infra.ratelimit import LocalLimiter, RateLimiter, TooManyRequests
from services.accounts.tests.conftest import ACCOUNT, ACCOUNTS, error_of
from tests.support.environment import free_port

LIMIT = 10


def burst(base_url, token, count, path=ACCOUNTS, method="POST"):
    """`count` requests at once as one caller; their responses."""
    def send(_):
        return requests.request(method, base_url + path, json={}, timeout=30,
                                headers={"Authorization": "Bearer " + token})
    return list(eventlet.GreenPool(count).imap(send, range(count)))


def refused(responses):
    return [r for r in responses if r.status_code == 429]


def test_eleventh_request_in_a_second_is_429_with_retry_after(api):
    token = api.signup().token
    responses = burst(api.base_url, token, LIMIT + 5)
    assert len(refused(responses)) == 5, [r.status_code for r in responses]
    assert all(r.status_code == 200 for r in responses if r.status_code != 429)
    for response in refused(responses):
        assert error_of(response) == (429, 12)
        assert response.headers["Retry-After"] == "1"
    time.sleep(1.05)  # Retry-After honoured: the window has slid
    assert api.post(ACCOUNTS, {}, token=token).status_code == 200


def test_limit_is_per_caller_and_only_on_accounts_routes(api):
    workspace = api.signup()
    colleague = workspace.add_user()
    assert len(refused(burst(api.base_url, workspace.token, LIMIT + 3))) == 3
    # another caller of the same workspace has its own budget, and unlimited routes stay open
    assert refused(burst(api.base_url, colleague["token"], LIMIT)) == []
    assert refused(burst(api.base_url, workspace.token, LIMIT + 3, path="/api/directory/users", method="GET")) == []


def test_every_accounts_route_counts(api):
    token = api.signup().token
    responses = (burst(api.base_url, token, 4) + burst(api.base_url, token, 4, ACCOUNT + "?uuid=" + str(uuid.uuid4()), "GET")
                 + burst(api.base_url, token, 4, ACCOUNT))
    assert len(refused(responses)) == 2
    assert all(r.status_code == 400 for r in responses[4:] if r.status_code != 429)  # answered, not limited


@pytest.fixture
def second_gateway(system):
    address = "127.0.0.1:{}".format(free_port())
    env = dict(system.env, GATEWAY_ADDRESS=address)
    log = open(os.path.join(system.log_dir, "gateway-2.log"), "ab")
    process = subprocess.Popen([sys.executable, "-m", "nameko", "run", "--config", os.path.join(ROOT, "config.yaml"),
                                "gateway.service:GatewayService"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    base_url = "http://" + address
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, "second gateway exited; see gateway-2.log"
            try:
                if requests.get(base_url + "/health", timeout=2).status_code in (200, 503):
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "second gateway did not start"
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_limit_is_shared_by_two_gateway_processes(api, second_gateway):
    token = api.signup().token
    pool = eventlet.GreenPool(2)
    first, second = pool.imap(lambda args: burst(*args), [(api.base_url, token, 6), (second_gateway, token, 6)])
    responses = first + second
    assert len(refused(responses)) == 2, [r.status_code for r in responses]
    # each gateway accepted some: the budget of 10 was split between them, not 10 each
    assert len(first) - len(refused(first)) + len(second) - len(refused(second)) == LIMIT
    for response in refused(responses):
        assert error_of(response) == (429, 12) and response.headers["Retry-After"] == "1"


CALLER = Caller(user_id=1, user_uuid=str(uuid.uuid4()), workspace_id=1, workspace_uuid=str(uuid.uuid4()))


def test_without_redis_the_gateway_falls_back_to_a_per_process_limiter():
    limiter = RateLimiter(limit=LIMIT, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    for _ in range(LIMIT):
        limiter.check(CALLER)
    with pytest.raises(TooManyRequests) as refusal:
        limiter.check(CALLER)
    assert refusal.value.status == 429 and refusal.value.headers["Retry-After"] == "1"


def test_local_window_slides():
    limiter = LocalLimiter(limit=2, window=0.2)
    assert limiter.hit("a")[0] and limiter.hit("a")[0]
    accepted, _, wait = limiter.hit("a")
    assert not accepted and 0 < wait <= 0.2
    assert limiter.hit("b")[0]
    time.sleep(wait + 0.01)
    assert limiter.hit("a")[0]
