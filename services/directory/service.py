"""Directory service: workspaces, users, groups, campaigns, API keys; issues user tokens.

Every method that acts for a caller scopes by the verified caller's workspace. The `*_in_workspace`
methods are for other services (their workspace comes from their own verified caller or event).
"""
from datetime import datetime, timezone

from eventlet import tpool
from sqlalchemy import delete, select

from contracts.events import USER_CHANGED
from infra.auth import Caller, issue_token, user_token_ttl
from infra.db import commit_or_raise, now_utc
from infra.entrypoints import rpc
from infra.events import envelope, isoformat
from infra.outbox import OutboxRelay, record_event
from infra.service import ServiceBase
from infra.sinks import EventsSink
from infra.validation import load
from services.directory import domain, schemas
from services.directory.exceptions import (ApiKeyNotFound, CampaignNotFound, EmailAlreadyRegistered,
                                           GroupNameTaken, GroupNotFound, InvalidCredentials,
                                           InvalidDirectoryInput, UserDeactivated, UserNotFound)
from services.directory.models import ApiKey, Campaign, Group, GroupMember, User, Workspace, outbox


def caller_of(user, workspace, auth_method="token"):
    return Caller(user_id=user.id, user_uuid=user.uuid, workspace_id=workspace.id, workspace_uuid=workspace.uuid,
                  is_owner=user.is_owner, first_name=user.first_name, last_name=user.last_name,
                  auth_method=auth_method, permissions=domain.effective_permissions(user.is_owner, user.permissions))


def record_user_changed(db, user, change):
    """The user's `user_changed` event, in the transaction of the change (version already set)."""
    snapshot = schemas.user_snapshot(user)
    record_event(db, outbox, envelope(USER_CHANGED, user.workspace_id, "user", user.uuid, user.version, change,
                                      snapshot))


class DirectoryService(ServiceBase):
    name = "directory"

    outbox_relay = OutboxRelay(outbox)
    events_sink = EventsSink("directory")  # declared before the relay publishes: user events always route

    # --- authentication ---------------------------------------------------------------------------
    @rpc
    def signup(self, payload):
        data = load(schemas.SignupSchema(), payload, InvalidDirectoryInput)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        workspace = Workspace(name=data["workspace"])
        owner = User(email=domain.normalize_email(data["email"]), password_hash=password_hash,
                     first_name=data["first_name"], last_name=data["last_name"], is_owner=True)
        self.db.add(workspace)
        self.db.flush()
        owner.workspace_id = workspace.id
        self.db.add(owner)
        commit_or_raise(self.db, EmailAlreadyRegistered(), flush_only=True)
        record_user_changed(self.db, owner, "created")
        self.db.commit()
        token, expires = issue_token(caller_of(owner, workspace), user_token_ttl())
        return {"token": token, "expires_at": isoformat(datetime.fromtimestamp(expires, timezone.utc)),
                "user": schemas.user_view(owner), "workspace": schemas.workspace_view(workspace)}

    @rpc
    def login(self, payload):
        data = load(schemas.LoginSchema(), payload, InvalidDirectoryInput)
        user = self.db.scalar(select(User).where(User.email == domain.normalize_email(data["email"])))
        stored_hash = user.password_hash if user else domain.DUMMY_PASSWORD_HASH
        if not tpool.execute(domain.password_matches, stored_hash, data["password"]) or user is None:
            raise InvalidCredentials()
        if not user.active:
            raise UserDeactivated()
        workspace = self.db.get(Workspace, user.workspace_id)
        token, expires = issue_token(caller_of(user, workspace), user_token_ttl())
        return {"token": token, "expires_at": isoformat(datetime.fromtimestamp(expires, timezone.utc))}

    @rpc
    def authenticate_api_key(self, key):
        """The caller claims of a live API key, or InvalidCredentials."""
        if not isinstance(key, str) or not key.startswith(domain.API_KEY_PREFIX + "_") or len(key) > 200:
            raise InvalidCredentials("Invalid API key")
        # one statement: this runs before every API-key request (never cached, so a revocation
        # takes effect at once)
        found = self.db.execute(select(User, Workspace)
                                .join(ApiKey, ApiKey.user_id == User.id)
                                .join(Workspace, Workspace.id == ApiKey.workspace_id)
                                .where(ApiKey.key_hash == domain.hash_api_key(key),
                                       ApiKey.revoked_at.is_(None), User.active.is_(True))).first()
        if found is None:
            raise InvalidCredentials("Invalid API key")
        user, workspace = found
        return caller_of(user, workspace, auth_method="api_key").as_claims()

    # --- users --------------------------------------------------------------------------------------
    @rpc
    def create_user(self, payload):
        me = self.identity()
        domain.require_owner(me)
        data = load(schemas.NewUserSchema(), payload, InvalidDirectoryInput)
        password_hash = tpool.execute(domain.hash_password, data["password"])
        user = User(workspace_id=me.workspace_id, email=domain.normalize_email(data["email"]),
                    password_hash=password_hash, first_name=data["first_name"], last_name=data["last_name"],
                    permissions=list(domain.effective_permissions(False, data["permissions"])))
        self.db.add(user)
        commit_or_raise(self.db, EmailAlreadyRegistered(), flush_only=True)
        record_user_changed(self.db, user, "created")
        self.db.commit()
        return schemas.user_view(user)

    @rpc
    def set_user_permissions(self, user_id, payload):
        """Replaces the user's permission names (owner only; the owner's own cannot change)."""
        me = self.identity()
        domain.require_owner(me)
        data = load(schemas.PermissionsSchema(), payload, InvalidDirectoryInput)
        user = self._user(me.workspace_id, user_id, lock=True)
        if user.is_owner:
            raise InvalidDirectoryInput("permissions: the workspace owner holds every permission", "permissions")
        permissions = list(domain.effective_permissions(False, data["permissions"]))
        if permissions != list(user.permissions):
            user.permissions = permissions
            self._access_changed(user)
        self.db.commit()
        return schemas.user_view(user)

    @rpc
    def deactivate_user(self, user_id):
        """Disables a user (owner only, never the owner): login and their API keys are refused, and
        their tokens within seconds everywhere (infra.access). Deactivating twice changes nothing."""
        me = self.identity()
        domain.require_owner(me)
        user = self._user(me.workspace_id, user_id, lock=True)
        if user.is_owner:
            raise InvalidDirectoryInput("user: the workspace owner cannot be deactivated", "user")
        if user.active:
            user.active = False
            self._access_changed(user)
        self.db.commit()
        return schemas.user_view(user)

    @rpc
    def access_changes(self, since):
        """For infra.access: [{"version", "snapshot"}] of every user whose permissions or activity
        changed at or after `since` (ISO 8601 UTC), in every workspace."""
        moment = domain.parse_utc(since)
        if moment is None:
            raise InvalidDirectoryInput("since: must be an ISO 8601 time", "since")
        users = self.db.scalars(select(User).where(User.access_changed_at >= moment).order_by(User.id))
        return [{"version": user.version, "snapshot": schemas.user_snapshot(user)} for user in users]

    def _access_changed(self, user):
        user.access_changed_at = now_utc()
        user.version += 1
        record_user_changed(self.db, user, "updated")

    @rpc
    def list_users(self):
        me = self.identity()
        users = self.db.scalars(select(User).where(User.workspace_id == me.workspace_id).order_by(User.id))
        return [schemas.user_view(user) for user in users]

    @rpc
    def get_me(self):
        """Who this request acts as: the verified caller, with the access it is authorized with now."""
        return schemas.caller_view(self.identity())

    @rpc
    def get_user(self, user_id):
        me = self.identity()
        return schemas.user_view(self._user(me.workspace_id, user_id))

    # --- groups -------------------------------------------------------------------------------------
    @rpc
    def create_group(self, payload):
        me = self.identity()
        domain.require_owner(me)
        data = load(schemas.NewGroupSchema(), payload, InvalidDirectoryInput)
        member_ids = self._existing_user_ids(me.workspace_id, data["members"])
        group = Group(workspace_id=me.workspace_id, name=data["name"])
        self.db.add(group)
        commit_or_raise(self.db, GroupNameTaken(), flush_only=True)
        self.db.add_all(GroupMember(group_id=group.id, user_id=user_id) for user_id in member_ids)
        self.db.commit()
        return schemas.group_view(group, member_ids)

    @rpc
    def list_groups(self):
        me = self.identity()
        groups = self.db.scalars(select(Group).where(Group.workspace_id == me.workspace_id).order_by(Group.id)).all()
        members = self._members([group.id for group in groups])
        return [schemas.group_view(group, members.get(group.id, [])) for group in groups]

    @rpc
    def get_group(self, group_id):
        me = self.identity()
        group = self._group(me.workspace_id, group_id)
        return schemas.group_view(group, self._members([group.id]).get(group.id, []))

    @rpc
    def add_group_members(self, group_id, payload):
        me = self.identity()
        domain.require_owner(me)
        group = self._group(me.workspace_id, group_id)
        wanted = self._existing_user_ids(me.workspace_id, load(schemas.MembersSchema(), payload, InvalidDirectoryInput)["users"])
        current = set(self._members([group.id]).get(group.id, []))
        self.db.add_all(GroupMember(group_id=group.id, user_id=user_id) for user_id in wanted if user_id not in current)
        self.db.commit()
        return schemas.group_view(group, current | set(wanted))

    @rpc
    def remove_group_members(self, group_id, payload):
        me = self.identity()
        domain.require_owner(me)
        group = self._group(me.workspace_id, group_id)
        users = load(schemas.MembersSchema(), payload, InvalidDirectoryInput)["users"]
        self.db.execute(delete(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id.in_(users)))
        self.db.commit()
        return schemas.group_view(group, self._members([group.id]).get(group.id, []))

    # --- campaigns ----------------------------------------------------------------------------------
    @rpc
    def create_campaign(self, payload):
        me = self.identity()
        data = load(schemas.NewCampaignSchema(), payload, InvalidDirectoryInput)
        campaign = Campaign(workspace_id=me.workspace_id, **data)
        self.db.add(campaign)
        self.db.commit()
        return schemas.campaign_view(campaign)

    @rpc
    def list_campaigns(self):
        me = self.identity()
        campaigns = self.db.scalars(select(Campaign).where(Campaign.workspace_id == me.workspace_id).order_by(Campaign.id))
        return [schemas.campaign_view(campaign) for campaign in campaigns]

    @rpc
    def get_campaign(self, campaign_uuid):
        me = self.identity()
        campaign = self.db.scalar(select(Campaign).where(Campaign.workspace_id == me.workspace_id,
                                                         Campaign.uuid == str(campaign_uuid)))
        if campaign is None:
            raise CampaignNotFound()
        return schemas.campaign_view(campaign)

    # --- API keys -----------------------------------------------------------------------------------
    @rpc
    def create_api_key(self, payload):
        me = self.identity()
        domain.require_owner(me)
        data = load(schemas.NewApiKeySchema(), payload, InvalidDirectoryInput)
        key, prefix, key_hash = domain.new_api_key()
        api_key = ApiKey(workspace_id=me.workspace_id, user_id=me.user_id, name=data["name"], prefix=prefix,
                         key_hash=key_hash)
        self.db.add(api_key)
        self.db.commit()
        return dict(schemas.api_key_view(api_key), key=key)

    @rpc
    def list_api_keys(self):
        me = self.identity()
        domain.require_owner(me)
        keys = self.db.scalars(select(ApiKey).where(ApiKey.workspace_id == me.workspace_id).order_by(ApiKey.id))
        return [schemas.api_key_view(key) for key in keys]

    @rpc
    def revoke_api_key(self, key_uuid):
        me = self.identity()
        domain.require_owner(me)
        api_key = self.db.scalar(select(ApiKey).where(ApiKey.workspace_id == me.workspace_id,
                                                      ApiKey.uuid == str(key_uuid)))
        if api_key is None:
            raise ApiKeyNotFound()
        if api_key.revoked_at is None:
            api_key.revoked_at = now_utc()
            self.db.commit()
        return schemas.api_key_view(api_key)

    # --- for other services (workspace given by the calling service) --------------------------------
    @rpc
    def users_in_workspace(self, workspace_id, user_ids=None, user_uuids=None):
        query = select(User).where(User.workspace_id == workspace_id)
        if user_ids is not None:
            query = query.where(User.id.in_([int(i) for i in user_ids]))
        if user_uuids is not None:
            query = query.where(User.uuid.in_([str(u) for u in user_uuids]))
        return [schemas.user_view(user) for user in self.db.scalars(query.order_by(User.id))]

    @rpc
    def groups_in_workspace(self, workspace_id, group_ids=None):
        query = select(Group).where(Group.workspace_id == workspace_id)
        if group_ids is not None:
            query = query.where(Group.id.in_([int(i) for i in group_ids]))
        groups = self.db.scalars(query.order_by(Group.id)).all()
        members = self._members([group.id for group in groups])
        return [schemas.group_view(group, members.get(group.id, [])) for group in groups]

    @rpc
    def campaigns_in_workspace(self, workspace_id, campaign_uuids=None):
        query = select(Campaign).where(Campaign.workspace_id == workspace_id)
        if campaign_uuids is not None:
            query = query.where(Campaign.uuid.in_([str(u) for u in campaign_uuids]))
        return [schemas.campaign_view(campaign) for campaign in self.db.scalars(query.order_by(Campaign.id))]

    # --- helpers ------------------------------------------------------------------------------------
    def _user(self, workspace_id, user_id, lock=False):
        query = select(User).where(User.workspace_id == workspace_id, User.id == _as_int(user_id))
        user = self.db.scalar(query.with_for_update() if lock else query)
        if user is None:
            raise UserNotFound()
        return user

    def _group(self, workspace_id, group_id):
        group = self.db.scalar(select(Group).where(Group.workspace_id == workspace_id, Group.id == _as_int(group_id)))
        if group is None:
            raise GroupNotFound()
        return group

    def _existing_user_ids(self, workspace_id, user_ids):
        wanted = sorted(set(user_ids))
        found = set(self.db.scalars(select(User.id).where(User.workspace_id == workspace_id, User.id.in_(wanted))))
        missing = [user_id for user_id in wanted if user_id not in found]
        if missing:  # another workspace's users answer like missing ones
            raise UserNotFound("Unknown user ids: {}".format(missing), "members")
        return wanted

    def _members(self, group_ids):
        members = {}
        if group_ids:
            for group_id, user_id in self.db.execute(select(GroupMember.group_id, GroupMember.user_id)
                                                     .where(GroupMember.group_id.in_(group_ids))):
                members.setdefault(group_id, []).append(user_id)
        return members


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
