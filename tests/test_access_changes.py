"""A change of permissions, and a deactivation, take effect on that user's requests within 5 seconds,
not at token expiry: in the gateway, and in every service by itself (infra.access)."""
import os
import time
import uuid

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, insert

from infra.auth import INTERNAL_TOKEN_AUDIENCE, Caller, issue_token
from infra.db import now_utc
from infra.errors import Unauthenticated
from services.directory import domain
from services.directory.models import ApiKey
from tests.support.events import wait_for

WITHIN_SECONDS = 5.0


def me(api, token):
    return api.get("/api/directory/me", token=token)


def timed(probe, predicate):
    """Seconds until `predicate(probe())` holds (AssertionError past WITHIN_SECONDS)."""
    started = time.monotonic()
    wait_for(probe, predicate, timeout=WITHIN_SECONDS, interval=0.02)
    return time.monotonic() - started


def report(what, seconds):
    print("\n{}: {:.0f} ms".format(what, seconds * 1000))  # shown with -s; the report quotes them


def internal_identity(user, ws, permissions=()):
    """What the gateway forwards to services for `user`, signed now (as a gateway would have)."""
    caller = Caller(user_id=user["id"], user_uuid=user["uuid"], workspace_id=ws.workspace["id"],
                    workspace_uuid=ws.workspace["uuid"], permissions=tuple(permissions), issued_at=time.time())
    return issue_token(caller, 300, audience=INTERNAL_TOKEN_AUDIENCE, secret=os.environ["JWT_SECRET"])[0]


def api_key_of(test_env, user, ws):
    """An API key of `user` (the API lets owners create keys only for themselves)."""
    key, prefix, key_hash = domain.new_api_key()
    engine = create_engine(test_env.database_urls["directory"])
    with engine.begin() as connection:
        connection.execute(insert(ApiKey.__table__).values(uuid=str(uuid.uuid4()), workspace_id=ws.workspace["id"],
                                                           user_id=user["id"], name="member key", prefix=prefix,
                                                           key_hash=key_hash, created_at=now_utc()))
    engine.dispose()
    return key


def test_a_permission_change_shows_on_the_next_request_without_logging_in_again(api):
    ws = api.signup()
    user = ws.add_user()
    assert api.put("/api/directory/users/{}/permissions".format(user["id"]), {"permissions": ["319"]},
                   token=ws.token).status_code == 200
    # the token from before the change: its own claims say no permissions
    assert wait_for(lambda: me(api, user["token"]).json()["data"]["permissions"], lambda p: p == ["319"],
                    timeout=WITHIN_SECONDS)
    changed = api.put("/api/directory/users/{}/permissions".format(user["id"]),
                      {"permissions": ["crm-menu", "all-prospects"]}, token=ws.token)
    assert changed.status_code == 200
    seconds = timed(lambda: me(api, user["token"]).json()["data"]["permissions"],
                    lambda p: p == ["crm-menu", "all-prospects"])
    report("permission change -> next request", seconds)
    assert me(api, user["token"]).json()["data"]["id"] == user["id"]
    fresh = api.post("/api/auth/login", {"email": user["email"], "password": "another-long-password"}).json()["data"]
    assert me(api, fresh["token"]).json()["data"]["permissions"] == ["crm-menu", "all-prospects"]


def test_a_deactivated_users_token_and_api_key_are_refused_within_seconds(api, test_env):
    ws = api.signup()
    user = ws.add_user()
    key = api_key_of(test_env, user, ws)
    assert me(api, user["token"]).status_code == 200
    assert api.get("/api/catalog/units", token=user["token"]).status_code == 200
    assert api.get("/api/directory/me", headers={"X-apikey": key}).json()["data"]["id"] == user["id"]
    assert api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token).status_code == 200
    seconds = timed(lambda: me(api, user["token"]).status_code, lambda status: status == 401)
    report("deactivation -> token refused", seconds)
    refused = me(api, user["token"])
    assert refused.json() == {"res": "error", "code": 11, "info": "This user has been deactivated"}
    # the gateway refuses by itself: this route calls no service
    assert api.get("/api/catalog/units", token=user["token"]).status_code == 401
    assert api.get("/api/deals.json", token=user["token"]).status_code == 401
    assert api.get("/api/directory/me", headers={"X-apikey": key}).status_code == 401
    assert api.get("/api/directory/me", headers={"accesskey": key}).status_code == 401
    # everybody else goes on as before
    assert me(api, ws.token).status_code == 200


@pytest.mark.parametrize("service, method, args", [("directory", "get_me", ()), ("deals", "list_deals", ({},))])
def test_a_service_refuses_a_deactivated_user_by_itself(api, test_env, service, method, args):
    """An RPC straight to the service, not through the gateway, with an identity signed before the
    deactivation (as the gateway had signed it) is refused."""
    ws = api.signup()
    user = ws.add_user()
    identity = internal_identity(user, ws)
    config = {"AMQP_URI": test_env.amqp_uri}
    with ServiceRpcProxy(service, config, context_data={"identity": identity}) as proxy:
        getattr(proxy, method)(*args)  # accepted before
        assert api.post("/api/directory/users/{}/deactivate".format(user["id"]), token=ws.token).status_code == 200

        def refused():
            try:
                getattr(proxy, method)(*args)
            except Unauthenticated:
                return True
            return False

        report("deactivation -> {} refuses by itself".format(service), timed(refused, bool))


def test_a_service_applies_a_permission_change_by_itself(api, test_env):
    ws = api.signup()
    user = ws.add_user()
    identity = internal_identity(user, ws, permissions=["319"])
    with ServiceRpcProxy("directory", {"AMQP_URI": test_env.amqp_uri}, context_data={"identity": identity}) as proxy:
        assert proxy.get_me()["permissions"] == ["319"]
        api.put("/api/directory/users/{}/permissions".format(user["id"]), {"permissions": ["crm-partners"]},
                token=ws.token)
        seconds = timed(lambda: proxy.get_me()["permissions"], lambda p: p == ["crm-partners"])
        report("permission change -> directory applies it by itself", seconds)
