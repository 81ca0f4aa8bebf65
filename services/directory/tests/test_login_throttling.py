"""Failed logins are throttled per account and per client address (429 with Retry-After), and an
attacker cannot lock an account's owner out for long. The numbers: README.md, "Login throttling".

Requests come from chosen loopback addresses (127.0.0.0/8 all reach the gateway on 127.0.0.1), so
each test has client addresses of its own."""
import time
import uuid

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager

from infra.ratelimit import TooManyRequests
from infra.throttle import FailureThrottle
from services.directory import domain
from services.directory.throttle import (PER_ACCOUNT_ADDRESSES_FREE, PER_ACCOUNT_AT_ADDRESS_FREE, PER_ADDRESS_FREE,
                                         LoginThrottle)
from tests.support.client import Api

WRONG = "not-the-password"


class FromAddress(HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):
        self.poolmanager = PoolManager(num_pools=connections, maxsize=maxsize, block=block,
                                       source_address=(self.address, 0))


def client_at(api, address):
    """An Api whose requests come from `address`."""
    client = Api(api.base_url)
    client.http = requests.Session()
    client.http.mount("http://", FromAddress(address))
    return client


def login(client, ws, password):
    return client.post("/api/auth/login", {"email": ws.email, "password": password})


def retry_after(response):
    assert response.status_code == 429, response.text
    assert response.json()["res"] == "error" and response.json()["code"] == 12
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    return seconds


def test_a_burst_of_wrong_passwords_gets_429_with_retry_after_then_the_right_one_works(api):
    ws = api.signup()
    attacker = client_at(api, "127.0.0.3")
    statuses = [login(attacker, ws, WRONG) for _ in range(30)]
    codes = [response.status_code for response in statuses]
    assert codes[:PER_ACCOUNT_AT_ADDRESS_FREE + 1] == [401] * (PER_ACCOUNT_AT_ADDRESS_FREE + 1), codes
    assert codes[PER_ACCOUNT_AT_ADDRESS_FREE + 1] == 429, codes
    assert codes.count(401) <= PER_ACCOUNT_AT_ADDRESS_FREE + 3, codes  # 1 s, 2 s, 4 s... between them
    for response in statuses:
        if response.status_code == 429:
            retry_after(response)
    refused = login(attacker, ws, ws.password)  # the right password is refused too while the delay runs
    time.sleep(retry_after(refused))
    assert login(attacker, ws, ws.password).status_code == 200
    # the success cleared the account's count: wrong passwords get their free tries again
    assert [login(attacker, ws, WRONG).status_code for _ in range(PER_ACCOUNT_AT_ADDRESS_FREE)] == \
        [401] * PER_ACCOUNT_AT_ADDRESS_FREE


def test_an_attacker_on_one_address_does_not_lock_the_owner_out_elsewhere(api):
    ws = api.signup()
    attacker, owner_elsewhere = client_at(api, "127.0.0.4"), client_at(api, "127.0.0.5")
    codes = [login(attacker, ws, WRONG).status_code for _ in range(20)]
    assert 429 in codes
    assert login(attacker, ws, ws.password).status_code == 429  # from the attacker's address: wait
    owner = login(owner_elsewhere, ws, ws.password)
    assert owner.status_code == 200, owner.text  # from anywhere else: at once
    assert login(owner_elsewhere, ws, WRONG).status_code == 401  # and with the usual free tries


def test_failures_from_many_addresses_delay_the_account_briefly(api):
    ws = api.signup()
    addresses = ["127.0.1.{}".format(i) for i in range(1, PER_ACCOUNT_ADDRESSES_FREE + 2)]
    codes = [login(client_at(api, address), ws, WRONG).status_code for address in addresses]
    assert codes == [401] * len(addresses)
    elsewhere = client_at(api, "127.0.1.200")
    waited = retry_after(login(elsewhere, ws, ws.password))  # the account as a whole waits now
    assert waited == 1  # the first delay: 1 s
    time.sleep(waited)
    assert login(elsewhere, ws, ws.password).status_code == 200


def test_login_counts_unknown_emails_like_wrong_passwords(api):
    client = client_at(api, "127.0.0.6")
    body = {"email": "nobody-{}@example.test".format(uuid.uuid4().hex[:8]), "password": WRONG}
    codes = [client.post("/api/auth/login", body).status_code for _ in range(PER_ACCOUNT_AT_ADDRESS_FREE + 2)]
    assert codes == [401] * (PER_ACCOUNT_AT_ADDRESS_FREE + 1) + [429]


# --- the throttle itself, against the real Redis and without it -------------------------------------
@pytest.fixture(params=["redis", "in-process"])
def throttle(request):
    url = None if request.param == "redis" else "redis://127.0.0.1:1/0"  # nothing listens there
    return LoginThrottle(FailureThrottle("test-" + uuid.uuid4().hex, 900, redis_url=url))


def test_one_address_failing_on_many_accounts_is_delayed(throttle):
    for index in range(PER_ADDRESS_FREE + 1):  # the free ones, and one more
        throttle.check("user{}@example.test".format(index), "10.0.0.1")
        throttle.failed("user{}@example.test".format(index), "10.0.0.1")
    with pytest.raises(TooManyRequests) as refusal:
        throttle.check("another@example.test", "10.0.0.1")
    assert refusal.value.headers == {"Retry-After": "1"}
    throttle.check("another@example.test", "10.0.0.2")  # other addresses are not concerned


def test_delays_double_up_to_a_minute_and_a_success_clears_the_accounts_count(throttle):
    for _ in range(PER_ACCOUNT_AT_ADDRESS_FREE + 7):
        throttle.failed("a@example.test", "10.0.0.3")
    with pytest.raises(TooManyRequests) as refusal:
        throttle.check("a@example.test", "10.0.0.3")
    assert refusal.value.headers == {"Retry-After": "60"}  # 1, 2, 4, ... 64 capped at 60
    throttle.succeeded("a@example.test", "10.0.0.3")
    throttle.check("a@example.test", "10.0.0.3")


def test_the_delay_rule():
    assert [domain.failure_delay(n, 5) for n in range(1, 14)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert domain.failure_delay(10 ** 6, 5) == 60
