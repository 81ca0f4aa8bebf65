"""Token verification refuses everything that is not a valid HS256 token we signed."""

import base64
import json
import time

import jwt
import pytest

from infra import settings
from infra.auth import INTERNAL_TOKEN_AUDIENCE, Caller, issue_token, verify_token
from infra.errors import Unauthenticated

SECRET = "unit-test-secret-unit-test-secret"
CALLER = Caller(user_id=7, user_uuid="u-7", workspace_id=3, workspace_uuid="w-3", is_owner=True)


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_we_issued_verifies_to_its_caller():
    token, _ = issue_token(CALLER, 60, secret=SECRET)
    assert verify_token(token, secret=SECRET) == CALLER


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda: issue_token(CALLER, 60, secret="another-secret-of-enough-length")[0], id="forged-signature"
        ),
        pytest.param(lambda: issue_token(CALLER, -10, secret=SECRET)[0], id="expired"),
        pytest.param(
            lambda: (
                b64({"alg": "none", "typ": "JWT"})
                + "."
                + b64(
                    dict(
                        CALLER.as_claims(),
                        sub="7",
                        iat=int(time.time()),
                        exp=int(time.time()) + 60,
                        jti="x",
                        aud="crm-api",
                    )
                )
                + "."
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda: jwt.encode(
                dict(
                    CALLER.as_claims(), sub="7", iat=int(time.time()), exp=int(time.time()) + 60, jti="x", aud="crm-api"
                ),
                SECRET,
                algorithm="HS512",
            ),
            id="other-algorithm",
        ),
        pytest.param(lambda: _tampered(), id="tampered-payload"),
        pytest.param(
            lambda: issue_token(CALLER, 60, secret=SECRET, audience=INTERNAL_TOKEN_AUDIENCE)[0], id="wrong-audience"
        ),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "7", "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x", "aud": "crm-api"},
                SECRET,
                algorithm="HS256",
            ),
            id="no-identity-claims",
        ),
        pytest.param(
            lambda: jwt.encode(
                dict(CALLER.as_claims(), sub="7", exp=int(time.time()) + 60, aud="crm-api"), SECRET, algorithm="HS256"
            ),
            id="missing-iat-and-jti",
        ),
        pytest.param(lambda: "not.a.token", id="garbage"),
        pytest.param(lambda: "", id="empty"),
    ],
)
def test_bad_tokens_are_unauthenticated(make_token):
    with pytest.raises(Unauthenticated):
        verify_token(make_token(), secret=SECRET)


def _tampered():
    token, _ = issue_token(CALLER, 60, secret=SECRET)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["workspace_id"] = 999  # try to move into another workspace, keeping the old signature
    return ".".join([header, b64(claims), signature])


@pytest.mark.parametrize("environment", ["development", "production", "test"])
@pytest.mark.parametrize("secret", ["", "short-secret", "x" * 31])
def test_a_missing_or_short_secret_is_refused_in_every_environment(monkeypatch, environment, secret):
    monkeypatch.setenv("CRM_ENV", environment)
    monkeypatch.setenv("JWT_SECRET", secret)
    with pytest.raises(settings.SettingsError):
        settings.reload().signing_secret()


def test_a_secret_of_32_bytes_is_accepted(monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "y" * 32)
    assert settings.reload().signing_secret() == "y" * 32


def test_a_verified_token_is_remembered_only_until_it_expires(monkeypatch):
    token, expires = issue_token(CALLER, 2, secret=SECRET)
    assert verify_token(token, secret=SECRET) == CALLER
    monkeypatch.setattr("infra.auth.jwt.decode", lambda *a, **k: pytest.fail("verified twice"))
    assert verify_token(token, secret=SECRET) == CALLER  # from the cache
    monkeypatch.undo()
    with pytest.raises(Unauthenticated):  # another secret is a fresh verification
        verify_token(token, secret="another-secret-of-enough-length")
    time.sleep(max(0.0, expires - time.time()) + 1.1)
    with pytest.raises(Unauthenticated):  # past exp: verified again, and refused
        verify_token(token, secret=SECRET)


def test_the_internal_token_is_reused_for_half_its_life(monkeypatch):
    from infra.auth import internal_token

    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.setenv("INTERNAL_TOKEN_TTL_SECONDS", "100")
    settings.reload()
    first = internal_token(CALLER)
    assert internal_token(CALLER) == first
    assert verify_token(first, audience=INTERNAL_TOKEN_AUDIENCE, secret=SECRET) == CALLER
    other = Caller(user_id=8, user_uuid="u-8", workspace_id=3, workspace_uuid="w-3")
    assert internal_token(other) != first
    now = time.time()
    monkeypatch.setattr("infra.auth.time.time", lambda: now + 51)
    assert internal_token(CALLER) != first  # less than half of the TTL left: signed anew
