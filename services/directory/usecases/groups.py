"""Groups of the workspace's users: created and changed by the owner, read by everyone in it."""
from infra.validation import load
from services.directory import domain, schemas, store
from services.directory.exceptions import InvalidDirectoryInput
from services.directory.models import Group

NEW_GROUP = schemas.NewGroupSchema()
MEMBERS = schemas.MembersSchema()


def create_group(ctx, payload):
    me = ctx.me
    domain.require_owner(me)
    data = load(NEW_GROUP, payload, InvalidDirectoryInput)
    member_ids = store.existing_user_ids(ctx.db, me.workspace_id, data["members"])
    group = Group(workspace_id=me.workspace_id, name=data["name"])
    store.add_group(ctx.db, group, member_ids)
    ctx.db.commit()
    return schemas.group_view(group, member_ids)


def list_groups(ctx):
    return _views(ctx.db, store.groups_of_workspace(ctx.db, ctx.me.workspace_id))


def get_group(ctx, group_id):
    return _views(ctx.db, [store.get_group(ctx.db, ctx.me.workspace_id, group_id)])[0]


def add_group_members(ctx, group_id, payload):
    me = ctx.me
    domain.require_owner(me)
    group = store.get_group(ctx.db, me.workspace_id, group_id)
    wanted = store.existing_user_ids(ctx.db, me.workspace_id, load(MEMBERS, payload, InvalidDirectoryInput)["users"])
    current = set(store.members_of(ctx.db, [group.id]).get(group.id, []))
    store.add_members(ctx.db, group.id, [user_id for user_id in wanted if user_id not in current])
    ctx.db.commit()
    return schemas.group_view(group, current | set(wanted))


def remove_group_members(ctx, group_id, payload):
    me = ctx.me
    domain.require_owner(me)
    group = store.get_group(ctx.db, me.workspace_id, group_id)
    store.remove_members(ctx.db, group.id, load(MEMBERS, payload, InvalidDirectoryInput)["users"])
    ctx.db.commit()
    return _views(ctx.db, [group])[0]


def groups_in_workspace(ctx, workspace_id, group_ids=None):
    """For other services (the workspace comes from their own verified caller or event)."""
    return _views(ctx.db, store.groups_of_workspace(ctx.db, workspace_id, group_ids))


def _views(db, groups):
    members = store.members_of(db, [group.id for group in groups])
    return [schemas.group_view(group, members.get(group.id, [])) for group in groups]
