"""Tokens and the verified identity.

The directory issues user tokens (JWT, HS256, `exp`/`iat`/`jti`). The gateway verifies the
caller's token or API key and forwards the identity to services as a short-lived signed token in
the RPC context (`identity`), so a service trusts only what the gateway signed. Services read it
through the `Identity` DependencyProvider and scope every query by `identity.workspace_id`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import jwt
from nameko.extensions import DependencyProvider

from infra import settings
from infra.access import AccessWatch, current_access
from infra.errors import Unauthenticated
from infra.validation import INT64_MAX

ALGORITHMS = ["HS256"]  # explicit: `alg: none` and every other algorithm are refused
USER_TOKEN_AUDIENCE = "crm-api"
INTERNAL_TOKEN_AUDIENCE = "crm-internal"
CONTEXT_KEY = "identity"


@dataclass(frozen=True)
class Caller:
    user_id: int
    user_uuid: str
    workspace_id: int
    workspace_uuid: str
    is_owner: bool = False
    first_name: str = ""
    last_name: str = ""
    auth_method: str = "token"
    permissions: tuple[str, ...] = field(default_factory=tuple)
    # when the user's token was issued (epoch seconds; an internal token keeps its user token's):
    # access changes after it apply (infra.access). Not part of who the caller is.
    issued_at: float = field(default=0.0, compare=False)

    def as_claims(self) -> dict[str, Any]:
        claims = asdict(self)
        claims["permissions"] = list(self.permissions)
        return claims

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Caller:
        """The Caller that `claims` describe. A signed token is still input: every claim must have
        its type and size (no loose conversion), else Unauthenticated."""
        try:
            return cls(
                user_id=_claim_id(claims["user_id"]),
                user_uuid=_claim_text(claims["user_uuid"], MAX_UUID_LENGTH, required=True),
                workspace_id=_claim_id(claims["workspace_id"]),
                workspace_uuid=_claim_text(claims["workspace_uuid"], MAX_UUID_LENGTH, required=True),
                is_owner=_claim_flag(claims.get("is_owner", False)),
                first_name=_claim_text(claims.get("first_name", ""), MAX_NAME_LENGTH),
                last_name=_claim_text(claims.get("last_name", ""), MAX_NAME_LENGTH),
                auth_method=_claim_choice(claims.get("auth_method", "token"), AUTH_METHODS),
                permissions=_claim_names(claims.get("permissions", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:  # which claim, for the log
            raise Unauthenticated("Token does not carry a valid identity") from exc


AUTH_METHODS = ("token", "api_key")
MAX_UUID_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_PERMISSIONS = 100
MAX_PERMISSION_LENGTH = 64


def _claim_id(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= INT64_MAX:  # not bool, float or a numeric string
        raise ValueError("an id claim must be an integer from 1 to 2^63-1")
    return value


def _claim_text(value: Any, max_length: int, required: bool = False) -> str:
    if not isinstance(value, str) or len(value) > max_length or (required and not value):
        raise ValueError("a text claim must be a string of at most {} characters".format(max_length))
    return value


def _claim_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("a flag claim must be true or false")
    return value


def _claim_choice(value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError("a claim must be one of {}".format(", ".join(choices)))
    return value


def _claim_names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_PERMISSIONS:
        raise ValueError("permissions must be a list of at most {} names".format(MAX_PERMISSIONS))
    return tuple(_claim_text(name, MAX_PERMISSION_LENGTH, required=True) for name in value)


def issue_token(
    caller: Caller, ttl_seconds: float, audience: str = USER_TOKEN_AUDIENCE, secret: str | None = None
) -> tuple[str, int]:
    moment = time.time()
    now = int(moment)
    claims = caller.as_claims()
    claims.update(
        {
            "sub": str(caller.user_id),
            "iat": now,
            "exp": now + int(ttl_seconds),
            "jti": uuid.uuid4().hex,
            "aud": audience,
            "issued_at": caller.issued_at or round(moment, 3),
        }
    )
    return jwt.encode(claims, secret or settings.get().signing_secret(), algorithm=ALGORITHMS[0]), claims["exp"]


class _VerifiedTokens:
    """Tokens this process has already verified -> their Caller, each until its own `exp`.

    Verifying a token is deterministic (signature, audience, claims) except for time, and time only
    matters through `exp`, which `get` checks on every use: a cached answer is the answer a fresh
    verification would give. What changed for the user since the token was issued (permissions,
    deactivation) is applied to the cached Caller on every use (infra.access), so nothing is delayed.
    Only successes are kept; bounded (emptied when full)."""

    max_entries = 20000

    def __init__(self) -> None:
        # (token, audience, secret) -> (its Caller, its exp)
        self.entries: dict[tuple[str, str, str], tuple[Caller, float]] = {}

    def get(self, key: tuple[str, str, str]) -> Caller | None:
        entry = self.entries.get(key)
        if entry is not None:
            if entry[1] > time.time():
                return entry[0]
            self.entries.pop(key, None)
        return None

    def put(self, key: tuple[str, str, str], caller: Caller, expires: float) -> None:
        if len(self.entries) >= self.max_entries:
            self.entries.clear()
        self.entries[key] = (caller, expires)


_verified = _VerifiedTokens()


def verify_token(token: object, audience: str = USER_TOKEN_AUDIENCE, secret: str | None = None) -> Caller:
    """Returns the Caller of a valid token; anything forged, expired or tampered is Unauthenticated."""
    if not token or not isinstance(token, str):
        raise Unauthenticated("Missing token")
    secret = secret or settings.get().signing_secret()
    key = (token, audience, secret)
    caller = _verified.get(key)
    if caller is not None:
        return caller
    caller, expires = _verify(token, audience, secret)
    _verified.put(key, caller, expires)
    return caller


def _verify(token: str, audience: str, secret: str) -> tuple[Caller, float]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=ALGORITHMS, audience=audience, options={"require": ["exp", "iat", "jti", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Token expired") from None
    except jwt.PyJWTError as exc:  # why (signature, audience, a missing claim), for the log
        raise Unauthenticated("Invalid token") from exc
    try:
        expires = float(claims["exp"])
        issued_at = claims.get("issued_at", claims["iat"])  # tokens from before issued_at: their iat
        if isinstance(issued_at, bool) or not isinstance(issued_at, (int, float)):
            raise TypeError("issued_at")
    except (TypeError, ValueError) as exc:
        raise Unauthenticated("Invalid token") from exc
    return replace(Caller.from_claims(claims), issued_at=float(issued_at)), expires


def user_token_ttl() -> int:
    return settings.get().jwt_ttl_seconds


# (caller, secret) -> (token, exp): signed once, reused for the first half of its life
_internal_tokens: dict[tuple[Caller, str], tuple[str, int]] = {}


def internal_token(caller: Caller) -> str:
    """The short-lived token the gateway forwards to services. One per caller is signed and reused
    while more than half of its TTL (INTERNAL_TOKEN_TTL_SECONDS, default 300) is left, so a service
    always gets at least TTL/2 of validity and the gateway does not sign on every request."""
    ttl = settings.get().internal_token_ttl_seconds
    secret = settings.get().signing_secret()
    key = (caller, secret)
    entry = _internal_tokens.get(key)
    if entry is not None and entry[1] - time.time() > ttl / 2.0:
        return entry[0]
    token, expires = issue_token(caller, ttl_seconds=ttl, audience=INTERNAL_TOKEN_AUDIENCE, secret=secret)
    if len(_internal_tokens) >= _VerifiedTokens.max_entries:
        _internal_tokens.clear()
    _internal_tokens[key] = (token, expires)
    return token


class Identity(DependencyProvider):
    """Injects a callable returning the verified Caller of this request (Unauthenticated if none),
    with the user's current access applied (infra.access; a deactivated user is Unauthenticated)."""

    access_watch = AccessWatch()  # keeps this process's knowledge of access changes current

    def setup(self) -> None:
        self.secret = settings.get().signing_secret()  # refuses a missing or short secret at start

    def get_dependency(self, worker_ctx: Any) -> Callable[[], Caller]:
        token = worker_ctx.data.get(CONTEXT_KEY)
        secret = self.secret

        def current_caller() -> Caller:
            return current_access(verify_token(token, audience=INTERNAL_TOKEN_AUDIENCE, secret=secret))

        return current_caller


class TokenSecret(DependencyProvider):
    """What verifying user tokens needs (the gateway): the signing secret, checked when the container
    starts, and the process's watch of access changes (apply them with infra.access.current_access)."""

    access_watch = AccessWatch()

    def setup(self) -> None:
        self.secret = settings.get().signing_secret()

    def get_dependency(self, worker_ctx: Any) -> str:
        return self.secret
