"""Rate-limited routes (the accounts API) tell the caller its quota on every answer:
X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds until a slot frees), besides
Retry-After on a 429; a caller using an API key is counted per key, apart from its user's token."""
import uuid

import eventlet
import pytest
import requests

ACCOUNTS = "/api/sales/accounts/"
LIMIT = 10


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


def api_key(api, owner):
    response = api.post("/api/directory/api-keys", {"name": "key-" + uuid.uuid4().hex[:6]}, token=owner.token)
    assert response.status_code == 200, response.text
    return response.json()["data"]["key"]


def burst(base_url, credentials):
    """One request per entry of `credentials` (headers), all at once; the responses in order."""
    def send(headers):
        return requests.post(base_url + ACCOUNTS, json={}, headers=headers, timeout=30)
    return list(eventlet.GreenPool(len(credentials)).imap(send, credentials))


def bearer(token):
    return {"Authorization": "Bearer " + token}


def test_every_answer_of_a_limited_route_carries_the_quota(api):
    token = api.signup().token
    responses = burst(api.base_url, [bearer(token)] * (LIMIT + 10))
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert refused and len(accepted) + len(refused) == len(responses), [r.status_code for r in responses]
    for response in responses:
        assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
        assert response.headers["X-RateLimit-Reset"] in ("0", "1")
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in accepted)
    assert len(set(remaining)) == len(remaining) and all(0 <= left < LIMIT for left in remaining)
    for response in refused:
        assert response.headers["X-RateLimit-Remaining"] == "0" and response.headers["Retry-After"] == "1"


def test_a_refused_input_on_a_limited_route_carries_the_quota_too(api, owner):
    response = api.get("/api/sales/accounts/account?uuid=not-a-uuid", token=api.signup().token)
    assert response.status_code in (400, 404), response.text
    assert response.headers["X-RateLimit-Remaining"] == str(LIMIT - 1)


def test_routes_without_a_limit_carry_no_quota(api, owner):
    response = api.get("/api/directory/users", token=owner.token)
    assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers


def test_an_api_key_has_a_budget_of_its_own(api):
    owner = api.signup()
    first, second = api_key(api, owner), api_key(api, owner)
    # the user's token and two of its API keys at once: three budgets, none exhausted
    responses = burst(api.base_url, [bearer(owner.token)] * LIMIT + [{"X-apikey": first}] * LIMIT
                      + [{"X-apikey": second}] * LIMIT)
    assert [r.status_code for r in responses] == [200] * (3 * LIMIT)
    # and each key is limited on its own
    responses = burst(api.base_url, [{"X-apikey": first}] * (LIMIT + 10))
    assert [r for r in responses if r.status_code == 429]
