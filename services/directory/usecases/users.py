"""The workspace's users: created by the owner, their permissions, deactivation, the views other
services read, and the access changes every process follows (infra.access)."""
from eventlet import tpool

from contracts.events import USER_CHANGED
from infra.db import now_utc
from infra.events import envelope
from infra.outbox import record_event
from infra.validation import load
from services.directory import domain, schemas, store
from services.directory.exceptions import InvalidDirectoryInput
from services.directory.models import User, outbox

NEW_USER = schemas.NewUserSchema()
PERMISSIONS = schemas.PermissionsSchema()


def record_user_changed(db, user, change):
    """The user's `user_changed` event, in the transaction of the change (version already set)."""
    record_event(db, outbox, envelope(USER_CHANGED, user.workspace_id, "user", user.uuid, user.version, change,
                                      schemas.user_snapshot(user)))


def create_user(ctx, payload):
    me = ctx.me
    domain.require_owner(me)
    data = load(NEW_USER, payload, InvalidDirectoryInput)
    password_hash = tpool.execute(domain.hash_password, data["password"])
    user = User(workspace_id=me.workspace_id, email=domain.normalize_email(data["email"]),
                password_hash=password_hash, first_name=data["first_name"], last_name=data["last_name"],
                permissions=list(domain.effective_permissions(False, data["permissions"])))
    store.add_user(ctx.db, user)
    record_user_changed(ctx.db, user, "created")
    ctx.db.commit()
    return schemas.user_view(user)


def list_users(ctx):
    return [schemas.user_view(user) for user in store.users_of_workspace(ctx.db, ctx.me.workspace_id)]


def get_user(ctx, user_id):
    return schemas.user_view(store.get_user(ctx.db, ctx.me.workspace_id, user_id))


def set_user_permissions(ctx, user_id, payload):
    """Replaces the user's permission names (owner only; the owner's own cannot change)."""
    me = ctx.me
    domain.require_owner(me)
    data = load(PERMISSIONS, payload, InvalidDirectoryInput)
    user = store.get_user(ctx.db, me.workspace_id, user_id, lock=True)
    domain.check_permissions_change(user.is_owner)
    permissions = list(domain.effective_permissions(False, data["permissions"]))
    if permissions != list(user.permissions):
        user.permissions = permissions
        _access_changed(ctx.db, user)
    ctx.db.commit()
    return schemas.user_view(user)


def deactivate_user(ctx, user_id):
    """Disables a user (owner only, never the owner): login and their API keys are refused, and
    their tokens within seconds everywhere (infra.access). Deactivating twice changes nothing."""
    me = ctx.me
    domain.require_owner(me)
    user = store.get_user(ctx.db, me.workspace_id, user_id, lock=True)
    domain.check_deactivation(user.is_owner)
    if user.active:
        user.active = False
        _access_changed(ctx.db, user)
    ctx.db.commit()
    return schemas.user_view(user)


def users_in_workspace(ctx, workspace_id, user_ids=None, user_uuids=None, emails=None):
    """For other services (the workspace comes from their own verified caller or event): the views
    (`id`, `uuid`, `email`, names, `permissions`, `active`...) of the workspace's users, narrowed to
    the given ids, uuids and emails (each when given)."""
    users = store.users_of_workspace(ctx.db, workspace_id, user_ids=user_ids, user_uuids=user_uuids, emails=emails)
    return [schemas.user_view(user) for user in users]


def access_changes(ctx, since):
    """For infra.access: [{"version", "snapshot"}] of every user whose permissions or activity
    changed at or after `since` (ISO 8601 UTC), in every workspace."""
    moment = domain.parse_utc(since)
    if moment is None:
        raise InvalidDirectoryInput("since: must be an ISO 8601 time", "since")
    return [{"version": user.version, "snapshot": schemas.user_snapshot(user)}
            for user in store.users_whose_access_changed_since(ctx.db, moment)]


def _access_changed(db, user):
    user.access_changed_at = now_utc()
    user.version += 1
    record_user_changed(db, user, "updated")
