"""Every bad credential is a 401 through the gateway; services refuse calls without a verified identity."""
import base64
import json
import os
import time

import jwt
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from infra.auth import Caller, issue_token
from infra.errors import Unauthenticated


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(ws, **overrides):
    now = int(time.time())
    claims = dict(Caller(user_id=ws.owner["id"], user_uuid=ws.owner["uuid"], workspace_id=ws.workspace["id"],
                         workspace_uuid=ws.workspace["uuid"], is_owner=True).as_claims(),
                  sub=str(ws.owner["id"]), iat=now, exp=now + 600, jti="t", aud="crm-api")
    claims.update(overrides)
    return claims


BAD_TOKENS = {
    "forged-signature": lambda ws: jwt.encode(_claims(ws), "a-secret-the-attacker-guessed-wrong", algorithm="HS256"),
    "expired": lambda ws: jwt.encode(_claims(ws, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
                                     os.environ["JWT_SECRET"], algorithm="HS256"),
    "alg-none": lambda ws: _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims(ws)) + ".",
    "tampered": lambda ws: _tamper(ws.token),
    "truncated": lambda ws: ws.token[:-5],
    "garbage": lambda ws: "garbage",
}


def _tamper(token):
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["workspace_id"] += 1
    return ".".join([header, _b64(claims), signature])


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_token_is_401_in_the_family_envelope(api, kind):
    ws = api.signup()
    token = BAD_TOKENS[kind](ws)
    sales = api.get("/api/directory/users", token=token)
    assert sales.status_code == 401
    assert sales.json()["res"] == "error" and sales.json()["code"] == 11
    deals = api.get("/api/deals.json", token=token)
    assert deals.status_code == 401 and "errors" in deals.json()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"},
    {"X-apikey": "crm_deadbeef_not-a-real-key"}, {"accesskey": "random"},
])
def test_missing_or_malformed_credentials_are_401(api, headers):
    response = api.get("/api/directory/users", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == 11


def test_a_valid_token_still_works_next_to_those_cases(api):
    ws = api.signup()
    assert api.get("/api/directory/users", token=ws.token).status_code == 200


def test_services_refuse_rpc_without_a_gateway_signed_identity(test_env, system):
    config = {"AMQP_URI": test_env.amqp_uri}
    with ServiceRpcProxy("directory", config) as directory:
        with pytest.raises(Unauthenticated):
            directory.list_users()
    forged = issue_token(Caller(user_id=1, user_uuid="u", workspace_id=1, workspace_uuid="w", is_owner=True), 60,
                         audience="crm-internal", secret="not-the-platform-secret-at-all")[0]
    with ServiceRpcProxy("directory", config, context_data={"identity": forged}) as directory:
        with pytest.raises(Unauthenticated):
            directory.list_users()
