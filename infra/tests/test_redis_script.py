"""infra.redis_script.ScriptClient against the real Redis: the same answers as redis-py's registered
script, the script loaded again after the server forgot it (NOSCRIPT), the database of the URL, a
script error raised as redis-py raises it, an unreachable server a redis ConnectionError (what the
rate limit falls back on), and a connection reused between calls."""

import uuid

import pytest
import redis

from infra.redis_script import ScriptClient, client_for

URL = "redis://127.0.0.1:6379/0"
ECHO = "return {tonumber(ARGV[1]) + 1, redis.call('INCR', KEYS[1]), #KEYS}"


@pytest.fixture
def key():
    name = "crm:test:script:" + uuid.uuid4().hex
    yield name
    redis.Redis.from_url(URL).delete(name)


def test_it_answers_as_redis_py_does(key):
    ours, theirs = ScriptClient(URL, ECHO), redis.Redis.from_url(URL).register_script(ECHO)
    assert ours(keys=[key], args=[41]) == [42, 1, 1]
    assert theirs(keys=[key], args=[41]) == [42, 2, 1]
    assert ours(keys=[key], args=[-3]) == [-2, 3, 1]
    assert len(ours._idle) == 1  # one connection, kept


def test_a_script_the_server_forgot_is_loaded_again(key):
    client = ScriptClient(URL, ECHO + " -- " + uuid.uuid4().hex)  # a script Redis has never seen
    assert client(keys=[key], args=[1]) == [2, 1, 1]
    redis.Redis.from_url(URL).script_flush()
    assert client(keys=[key], args=[1]) == [2, 2, 1]


def test_the_urls_database_is_used(key):
    ScriptClient("redis://127.0.0.1:6379/3", ECHO)(keys=[key], args=[0])
    assert redis.Redis.from_url("redis://127.0.0.1:6379/3").get(key) == b"1"
    assert redis.Redis.from_url(URL).get(key) is None
    redis.Redis.from_url("redis://127.0.0.1:6379/3").delete(key)


def test_errors_are_redis_pys():
    with pytest.raises(redis.ResponseError):
        ScriptClient(URL, "return redis.call('NOSUCHCOMMAND')")(keys=[], args=[])
    unreachable = ScriptClient("redis://127.0.0.1:1/0", ECHO, timeout=0.2, connect_timeout=0.2)
    with pytest.raises(redis.ConnectionError):
        unreachable(keys=["k"], args=[1])
    assert unreachable._idle == []


def test_other_urls_go_through_redis_py():
    assert not isinstance(client_for("unix:///tmp/redis.sock", ECHO, 0.3, 0.3), ScriptClient)
