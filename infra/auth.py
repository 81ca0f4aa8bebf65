"""Tokens and the verified identity.

The directory issues user tokens (JWT, HS256, `exp`/`iat`/`jti`). The gateway verifies the
caller's token or API key and forwards the identity to services as a short-lived signed token in
the RPC context (`identity`), so a service trusts only what the gateway signed. Services read it
through the `Identity` DependencyProvider and scope every query by `identity.workspace_id`.
"""
import time
import uuid
from dataclasses import asdict, dataclass, field, replace

import jwt
from nameko.extensions import DependencyProvider

from infra import settings
from infra.access import AccessWatch, current_access
from infra.errors import Unauthenticated

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
    permissions: tuple = field(default_factory=tuple)
    # when the user's token was issued (epoch seconds; an internal token keeps its user token's):
    # access changes after it apply (infra.access). Not part of who the caller is.
    issued_at: float = field(default=0.0, compare=False)

    def as_claims(self):
        claims = asdict(self)
        claims["permissions"] = list(self.permissions)
        return claims

    @classmethod
    def from_claims(cls, claims):
        try:
            return cls(
                user_id=int(claims["user_id"]),
                user_uuid=str(claims["user_uuid"]),
                workspace_id=int(claims["workspace_id"]),
                workspace_uuid=str(claims["workspace_uuid"]),
                is_owner=bool(claims.get("is_owner", False)),
                first_name=claims.get("first_name", ""),
                last_name=claims.get("last_name", ""),
                auth_method=claims.get("auth_method", "token"),
                permissions=tuple(claims.get("permissions", ())),
            )
        except (KeyError, TypeError, ValueError):
            raise Unauthenticated("Token does not carry a valid identity")


def issue_token(caller, ttl_seconds, audience=USER_TOKEN_AUDIENCE, secret=None):
    moment = time.time()
    now = int(moment)
    claims = caller.as_claims()
    claims.update({"sub": str(caller.user_id), "iat": now, "exp": now + int(ttl_seconds),
                   "jti": uuid.uuid4().hex, "aud": audience, "issued_at": caller.issued_at or round(moment, 3)})
    return jwt.encode(claims, secret or settings.get().signing_secret(), algorithm=ALGORITHMS[0]), claims["exp"]


class _VerifiedTokens:
    """Tokens this process has already verified -> their Caller, each until its own `exp`.

    Verifying a token is deterministic (signature, audience, claims) except for time, and time only
    matters through `exp`, which `get` checks on every use: a cached answer is the answer a fresh
    verification would give. What changed for the user since the token was issued (permissions,
    deactivation) is applied to the cached Caller on every use (infra.access), so nothing is delayed.
    Only successes are kept; bounded (emptied when full)."""

    max_entries = 20000

    def __init__(self):
        self.entries = {}

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            if entry[1] > time.time():
                return entry[0]
            self.entries.pop(key, None)
        return None

    def put(self, key, caller, expires):
        if len(self.entries) >= self.max_entries:
            self.entries.clear()
        self.entries[key] = (caller, expires)


_verified = _VerifiedTokens()


def verify_token(token, audience=USER_TOKEN_AUDIENCE, secret=None):
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


def _verify(token, audience, secret):
    try:
        claims = jwt.decode(token, secret, algorithms=ALGORITHMS, audience=audience,
                            options={"require": ["exp", "iat", "jti", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Token expired")
    except jwt.PyJWTError:
        raise Unauthenticated("Invalid token")
    try:
        expires = float(claims["exp"])
        issued_at = claims.get("issued_at", claims["iat"])  # tokens from before issued_at: their iat
        if isinstance(issued_at, bool) or not isinstance(issued_at, (int, float)):
            raise TypeError("issued_at")
    except (TypeError, ValueError):
        raise Unauthenticated("Invalid token")
    return replace(Caller.from_claims(claims), issued_at=float(issued_at)), expires


def user_token_ttl():
    return settings.get().jwt_ttl_seconds


_internal_tokens = {}  # (caller, secret) -> (token, exp): signed once, reused for the first half of its life


def internal_token(caller):
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

    def setup(self):
        self.secret = settings.get().signing_secret()  # refuses a missing or short secret at start

    def get_dependency(self, worker_ctx):
        token = worker_ctx.data.get(CONTEXT_KEY)
        secret = self.secret

        def current_caller():
            return current_access(verify_token(token, audience=INTERNAL_TOKEN_AUDIENCE, secret=secret))

        return current_caller


class TokenSecret(DependencyProvider):
    """What verifying user tokens needs (the gateway): the signing secret, checked when the container
    starts, and the process's watch of access changes (apply them with infra.access.current_access)."""

    access_watch = AccessWatch()

    def setup(self):
        self.secret = settings.get().signing_secret()

    def get_dependency(self, worker_ctx):
        return self.secret
