"""Tokens an attacker or a stale client may present, each made from a signed-up workspace's own token and
claims: every one must be a 401 (tests/test_authentication.py, tests/test_security_matrix.py)."""
import base64
import json
import os
import time

import jwt

from infra.auth import Caller


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
