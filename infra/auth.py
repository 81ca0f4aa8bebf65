"""Tokens and the verified identity.

The directory issues user tokens (JWT, HS256, `exp`/`iat`/`jti`). The gateway verifies the
caller's token or API key and forwards the identity to services as a short-lived signed token in
the RPC context (`identity`), so a service trusts only what the gateway signed. Services read it
through the `Identity` DependencyProvider and scope every query by `identity.workspace_id`.
"""
import time
import uuid
from dataclasses import asdict, dataclass, field

import jwt
from nameko.extensions import DependencyProvider

from infra import config
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
    now = int(time.time())
    claims = caller.as_claims()
    claims.update({"sub": str(caller.user_id), "iat": now, "exp": now + int(ttl_seconds),
                   "jti": uuid.uuid4().hex, "aud": audience})
    return jwt.encode(claims, secret or config.jwt_secret(), algorithm=ALGORITHMS[0]), claims["exp"]


def verify_token(token, audience=USER_TOKEN_AUDIENCE, secret=None):
    """Returns the Caller of a valid token; anything forged, expired or tampered is Unauthenticated."""
    if not token or not isinstance(token, str):
        raise Unauthenticated("Missing token")
    try:
        claims = jwt.decode(token, secret or config.jwt_secret(), algorithms=ALGORITHMS, audience=audience,
                            options={"require": ["exp", "iat", "jti", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Token expired")
    except jwt.PyJWTError:
        raise Unauthenticated("Invalid token")
    return Caller.from_claims(claims)


def user_token_ttl():
    return config.int_setting("JWT_TTL_SECONDS", 8 * 3600)


def internal_token(caller):
    token, _ = issue_token(caller, ttl_seconds=config.int_setting("INTERNAL_TOKEN_TTL_SECONDS", 300),
                           audience=INTERNAL_TOKEN_AUDIENCE)
    return token


class Identity(DependencyProvider):
    """Injects a callable returning the verified Caller of this request (Unauthenticated if none)."""

    def setup(self):
        self.secret = config.jwt_secret()  # refuses a default secret outside development

    def get_dependency(self, worker_ctx):
        token = worker_ctx.data.get(CONTEXT_KEY)
        secret = self.secret

        def current_caller():
            return verify_token(token, audience=INTERNAL_TOKEN_AUDIENCE, secret=secret)

        return current_caller


class TokenSecret(DependencyProvider):
    """The signing secret, checked when the container starts (refused if default outside development)."""

    def setup(self):
        self.secret = config.jwt_secret()

    def get_dependency(self, worker_ctx):
        return self.secret
