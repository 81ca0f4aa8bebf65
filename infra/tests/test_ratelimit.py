"""The rate limiter's quota, on real Redis and in-process: how many requests are left in the window
and when it frees a slot (the X-RateLimit-* headers), and whose budget a request takes."""

import hashlib
import uuid

import pytest

from infra.auth import Caller
from infra.ratelimit import RateLimiter, TooManyRequests, key_for

BACKENDS = {"redis": "redis://127.0.0.1:6379/0", "in-process": ""}


def caller():
    return Caller(user_id=1, user_uuid=str(uuid.uuid4()), workspace_id=1, workspace_uuid=str(uuid.uuid4()))


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_each_accepted_request_is_told_its_remaining_quota_and_the_refused_one_when_to_retry(backend):
    limiter = RateLimiter(limit=3, redis_url=BACKENDS[backend])
    # the backend named is the one counting
    assert limiter.counter.shared is None or limiter.counter.shared.client.ping()
    who = caller()
    quotas = [limiter.check(who) for _ in range(3)]
    assert [quota.remaining for quota in quotas] == [2, 1, 0]
    for quota in quotas:
        assert quota.limit == 3 and 0 < quota.reset <= 1.0
        headers = quota.headers()
        assert headers["X-RateLimit-Limit"] == "3" and headers["X-RateLimit-Reset"] == "1"
    assert [quota.headers()["X-RateLimit-Remaining"] for quota in quotas] == ["2", "1", "0"]
    with pytest.raises(TooManyRequests) as refusal:
        limiter.check(who)
    assert refusal.value.headers == {
        "Retry-After": "1",
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1",
    }
    assert limiter.check(caller()).remaining == 2  # another caller's budget is its own


def test_the_key_is_the_api_key_when_the_caller_used_one_else_the_user():
    who = caller()
    assert key_for(who) == "user:" + who.user_uuid
    assert key_for(who, "crm_abc_secret") == "api_key:" + hashlib.sha256(b"crm_abc_secret").hexdigest()


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_two_api_keys_of_one_user_and_the_user_s_token_have_budgets_of_their_own(backend):
    limiter = RateLimiter(limit=2, redis_url=BACKENDS[backend])
    who = caller()
    for _ in range(2):
        limiter.check(who, api_key="key-one-" + who.user_uuid)
    with pytest.raises(TooManyRequests):
        limiter.check(who, api_key="key-one-" + who.user_uuid)
    assert limiter.check(who, api_key="key-two-" + who.user_uuid).remaining == 1
    assert limiter.check(who).remaining == 1
