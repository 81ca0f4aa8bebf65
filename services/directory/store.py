"""Every SQL statement of the directory. Lookups scoped by a workspace answer another workspace's
record exactly like a missing one (the NotFound error of its kind)."""
from sqlalchemy import String, any_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import ARRAY

from infra.db import commit_or_raise
from infra.reads import Read
from services.directory import domain
from services.directory.exceptions import (ApiKeyNotFound, CampaignNotFound, EmailAlreadyRegistered, GroupNameTaken,
                                           GroupNotFound, UserNotFound)
from services.directory.models import ApiKey, Campaign, Group, GroupMember, User, Workspace

# Run before every API-key request (never cached, so a revocation or a deactivation takes effect at
# once): built once, one statement.
_API_KEY_OWNER = (select(User, Workspace)
                  .join(ApiKey, ApiKey.user_id == User.id)
                  .join(Workspace, Workspace.id == ApiKey.workspace_id)
                  .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None),
                         User.active.is_(True)))


# --- workspaces and users ---------------------------------------------------------------------------------
def add_workspace_with_owner(db, workspace, owner):
    """Flushes both (EmailAlreadyRegistered if the email is taken); the caller commits."""
    db.add(workspace)
    db.flush()
    owner.workspace_id = workspace.id
    db.add(owner)
    commit_or_raise(db, EmailAlreadyRegistered(), flush_only=True)


def add_user(db, user):
    """Flushes the new user (EmailAlreadyRegistered if the email is taken); the caller commits."""
    db.add(user)
    commit_or_raise(db, EmailAlreadyRegistered(), flush_only=True)


def get_workspace(db, workspace_id):
    return db.get(Workspace, workspace_id)


def user_by_email(db, email):
    return db.scalar(select(User).where(User.email == email))


def get_user(db, workspace_id, user_id, lock=False):
    """The workspace's user, locked until the transaction ends when `lock`; UserNotFound otherwise."""
    query = select(User).where(User.workspace_id == workspace_id, User.id == domain.as_id(user_id))
    user = db.scalar(query.with_for_update() if lock else query)
    if user is None:
        raise UserNotFound()
    return user


def users_of_workspace(db, workspace_id, user_ids=None, user_uuids=None, emails=None):
    """The workspace's users in id order, narrowed to the given ids, uuids and emails (each when given;
    emails compare case-insensitively)."""
    query = select(User).where(User.workspace_id == domain.as_id(workspace_id))
    if user_ids is not None:
        query = query.where(User.id.in_(domain.possible_ids(user_ids)))
    if user_uuids is not None:
        query = query.where(User.uuid.in_([str(u) for u in user_uuids]))
    if emails is not None:
        query = query.where(User.email.in_([domain.normalize_email(e) for e in emails if isinstance(e, str)]))
    return db.scalars(query.order_by(User.id)).all()


def existing_user_ids(db, workspace_id, user_ids):
    """The sorted, distinct `user_ids`; UserNotFound naming the ones the workspace does not have."""
    wanted = sorted(set(user_ids))
    found = db.scalars(select(User.id).where(User.workspace_id == workspace_id,
                                             User.id.in_(domain.possible_ids(wanted))))
    missing = domain.missing_ids(wanted, found)
    if missing:  # another workspace's users answer like missing ones
        raise UserNotFound("Unknown user ids: {}".format(missing), "members")
    return wanted


def users_whose_access_changed_since(db, moment):
    return db.scalars(select(User).where(User.access_changed_at >= moment).order_by(User.id)).all()


def api_key_owner(db, key_hash):
    """(User, Workspace) of a live API key of an active user, or None."""
    return db.execute(_API_KEY_OWNER, {"key_hash": key_hash}).first()


# --- groups -------------------------------------------------------------------------------------------------
def add_group(db, group, member_ids):
    db.add(group)
    commit_or_raise(db, GroupNameTaken(), flush_only=True)
    db.add_all(GroupMember(group_id=group.id, user_id=user_id) for user_id in member_ids)


def get_group(db, workspace_id, group_id):
    group = db.scalar(select(Group).where(Group.workspace_id == workspace_id, Group.id == domain.as_id(group_id)))
    if group is None:
        raise GroupNotFound()
    return group


def groups_of_workspace(db, workspace_id, group_ids=None):
    query = select(Group).where(Group.workspace_id == domain.as_id(workspace_id))
    if group_ids is not None:
        query = query.where(Group.id.in_(domain.possible_ids(group_ids)))
    return db.scalars(query.order_by(Group.id)).all()


def members_of(db, group_ids):
    """{group id: [member user ids]} of the given groups (groups without members are left out)."""
    members = {}
    if group_ids:
        for group_id, user_id in db.execute(select(GroupMember.group_id, GroupMember.user_id)
                                            .where(GroupMember.group_id.in_(group_ids))):
            members.setdefault(group_id, []).append(user_id)
    return members


def add_members(db, group_id, user_ids):
    db.add_all(GroupMember(group_id=group_id, user_id=user_id) for user_id in user_ids)


def remove_members(db, group_id, user_ids):
    db.execute(delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id.in_(user_ids)))


# --- campaigns ----------------------------------------------------------------------------------------------
def get_campaign(db, workspace_id, campaign_uuid):
    campaign = db.scalar(select(Campaign).where(Campaign.workspace_id == workspace_id,
                                                Campaign.uuid == str(campaign_uuid)))
    if campaign is None:
        raise CampaignNotFound()
    return campaign


def campaigns_of_workspace(db, workspace_id, campaign_uuids=None):
    """The workspace's campaigns (those of `campaign_uuids`), by id: rows with the Campaign's columns;
    outside a transaction, one compiled statement (infra.reads)."""
    params = {"workspace_id": domain.as_id(workspace_id)}
    if campaign_uuids is None:
        return _CAMPAIGNS.all(db, params)
    return _CAMPAIGNS_BY_UUID.all(db, dict(params, uuids=[str(u) for u in campaign_uuids]))


_campaigns = Campaign.__table__
_CAMPAIGNS_STATEMENT = (select(_campaigns).where(_campaigns.c.workspace_id == bindparam("workspace_id"))
                        .order_by(_campaigns.c.id))
_CAMPAIGNS = Read(_CAMPAIGNS_STATEMENT)
_CAMPAIGNS_BY_UUID = Read(
    _CAMPAIGNS_STATEMENT.where(_campaigns.c.uuid == any_(bindparam("uuids", type_=ARRAY(String)))),
    elsewhere=_CAMPAIGNS_STATEMENT.where(_campaigns.c.uuid.in_(bindparam("uuids", expanding=True))))


# --- API keys -----------------------------------------------------------------------------------------------
def api_keys_of_workspace(db, workspace_id):
    return db.scalars(select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id)).all()


def get_api_key(db, workspace_id, key_uuid):
    api_key = db.scalar(select(ApiKey).where(ApiKey.workspace_id == workspace_id, ApiKey.uuid == str(key_uuid)))
    if api_key is None:
        raise ApiKeyNotFound()
    return api_key
