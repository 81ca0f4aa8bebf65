"""API keys: created, listed and revoked by the owner; a key acts as the user who created it."""
from infra.db import now_utc
from infra.validation import load
from services.directory import domain, schemas, store
from services.directory.exceptions import InvalidDirectoryInput
from services.directory.models import ApiKey

NEW_API_KEY = schemas.NewApiKeySchema()


def create_api_key(ctx, payload):
    me = ctx.me
    domain.require_owner(me)
    data = load(NEW_API_KEY, payload, InvalidDirectoryInput)
    key, prefix, key_hash = domain.new_api_key()
    api_key = ApiKey(workspace_id=me.workspace_id, user_id=me.user_id, name=data["name"], prefix=prefix,
                     key_hash=key_hash)
    ctx.db.add(api_key)
    ctx.db.commit()
    return dict(schemas.api_key_view(api_key), key=key)  # shown once: only its hash is stored


def list_api_keys(ctx):
    domain.require_owner(ctx.me)
    return [schemas.api_key_view(key) for key in store.api_keys_of_workspace(ctx.db, ctx.me.workspace_id)]


def revoke_api_key(ctx, key_uuid):
    me = ctx.me
    domain.require_owner(me)
    api_key = store.get_api_key(ctx.db, me.workspace_id, key_uuid)
    if api_key.revoked_at is None:
        api_key.revoked_at = now_utc()
        ctx.db.commit()
    return schemas.api_key_view(api_key)
