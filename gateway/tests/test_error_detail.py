"""A stopped service (503) and a stalled one (504): the client is told what it needs (unavailable,
try again) and nothing internal (service, RPC method, broker error, deadline); the gateway's log
line with the request id carries the detail."""
import os
import signal
import urllib.parse

import pytest

from gateway.tests.logs import has_record, read_logs, records_with
from tests.support import resources

INTERNAL_WORDS = ("directory", "list_users", "rpc", "broker", "errno", "unknown service", "within")


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


def assert_says_nothing_internal(response):
    text = response.text.lower()
    assert not [word for word in INTERNAL_WORDS if word in text], response.text


def test_a_stalled_service_is_504_and_the_detail_is_only_in_the_log(api, system, owner):
    stalled = system.pids()["directory"]
    for pid in stalled:
        os.kill(pid, signal.SIGSTOP)
    try:
        response = api.get("/api/directory/users", token=owner.token, headers={"X-Request-Id": "stalled-directory-1"})
    finally:
        for pid in stalled:
            os.kill(pid, signal.SIGCONT)
    assert response.status_code == 504
    assert response.json() == {"res": "error", "code": 17, "info": "The service did not answer in time; try again"}
    assert_says_nothing_internal(response)
    logs = read_logs(system, ["gateway"], {"gateway": has_record(request_id="stalled-directory-1", logger="crm.gateway")})
    detail = [record["message"] for record in records_with(logs["gateway"], request_id="stalled-directory-1")]
    assert [line for line in detail if "directory did not answer list_users" in line], detail


def test_a_stopped_service_is_503_and_the_detail_is_only_in_the_log(api, system, owner, test_env):
    system.stop_component("directory")
    try:  # a stopped service whose queue is gone: the broker returns the request at once
        resources.management("DELETE", "/queues/{}/rpc-directory".format(urllib.parse.quote(test_env.vhost, safe="")))
        response = api.get("/api/directory/users", token=owner.token, headers={"X-Request-Id": "stopped-directory-1"})
    finally:
        system.start_component("directory")
        system.wait_healthy()
    assert response.status_code == 503
    assert response.json() == {"res": "error", "code": 16, "info": "Service unavailable; try again shortly"}
    assert_says_nothing_internal(response)
    logs = read_logs(system, ["gateway"], {"gateway": has_record(request_id="stopped-directory-1", logger="crm.gateway")})
    detail = [record["message"] for record in records_with(logs["gateway"], request_id="stopped-directory-1")]
    assert [line for line in detail if "directory" in line and "UnknownService" in line], detail
    assert api.get("/api/directory/users", token=owner.token).status_code == 200
