"""Sign-up, login (it issues the user tokens), API-key authentication and who the caller is."""
from datetime import datetime, timezone

from eventlet import tpool

from infra.auth import Caller, issue_token, user_token_ttl
from infra.events import isoformat
from infra.validation import load
from services.directory import domain, schemas, store
from services.directory.exceptions import InvalidCredentials, InvalidDirectoryInput, UserDeactivated
from services.directory.models import User, Workspace
from services.directory.throttle import login_throttle
from services.directory.usecases.users import record_user_changed

SIGNUP = schemas.SignupSchema()
LOGIN = schemas.LoginSchema()


def caller_of(user, workspace, auth_method="token"):
    return Caller(user_id=user.id, user_uuid=user.uuid, workspace_id=workspace.id, workspace_uuid=workspace.uuid,
                  is_owner=user.is_owner, first_name=user.first_name, last_name=user.last_name,
                  auth_method=auth_method, permissions=domain.effective_permissions(user.is_owner, user.permissions))


def signup(ctx, payload):
    data = load(SIGNUP, payload, InvalidDirectoryInput)
    password_hash = tpool.execute(domain.hash_password, data["password"])
    workspace = Workspace(name=data["workspace"])
    owner = User(email=domain.normalize_email(data["email"]), password_hash=password_hash,
                 first_name=data["first_name"], last_name=data["last_name"], is_owner=True)
    store.add_workspace_with_owner(ctx.db, workspace, owner)
    record_user_changed(ctx.db, owner, "created")
    ctx.db.commit()
    return dict(_token(owner, workspace), user=schemas.user_view(owner), workspace=schemas.workspace_view(workspace))


def login(ctx, payload, client_address=None):
    """A user token for the right email and password; failed logins are throttled per account and
    per client address (throttle.py): 429 with Retry-After, the password not even checked."""
    data = load(LOGIN, payload, InvalidDirectoryInput)
    email = domain.normalize_email(data["email"])
    address = client_address if isinstance(client_address, str) else None
    throttle = login_throttle()
    throttle.check(email, address)
    user = store.user_by_email(ctx.db, email)
    stored_hash = user.password_hash if user else domain.DUMMY_PASSWORD_HASH
    if not tpool.execute(domain.password_matches, stored_hash, data["password"]) or user is None:
        throttle.failed(email, address)
        raise InvalidCredentials()
    throttle.succeeded(email, address)
    if not user.active:
        raise UserDeactivated()
    return _token(user, store.get_workspace(ctx.db, user.workspace_id))


def authenticate_api_key(ctx, key):
    """The caller claims of a live API key of an active user, or InvalidCredentials."""
    if not domain.looks_like_api_key(key):
        raise InvalidCredentials("Invalid API key")
    found = store.api_key_owner(ctx.db, domain.hash_api_key(key))
    if found is None:
        raise InvalidCredentials("Invalid API key")
    user, workspace = found
    return caller_of(user, workspace, auth_method="api_key").as_claims()


def get_me(ctx):
    """Who this request acts as: the verified caller, with the access it is authorized with now."""
    return schemas.caller_view(ctx.me)


def _token(user, workspace):
    token, expires = issue_token(caller_of(user, workspace), user_token_ttl())
    return {"token": token, "expires_at": isoformat(datetime.fromtimestamp(expires, timezone.utc))}
