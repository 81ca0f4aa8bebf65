"""Directory service: workspaces, users, groups, campaigns, API keys; issues user tokens.

Entrypoints only: each is one line into a use case (services/directory/usecases/). Every method
that acts for a caller scopes by the verified caller's workspace; the `*_in_workspace` methods are
for other services (their workspace comes from their own verified caller or event), and
`access_changes` for infra.access in every process.
"""
from infra.entrypoints import rpc
from infra.outbox import OutboxRelay
from infra.service import ServiceBase
from infra.sinks import EventsSink
from services.directory.models import outbox
from services.directory.usecases import api_keys, auth, campaigns, groups, users


class DirectoryService(ServiceBase):
    name = "directory"

    outbox_relay = OutboxRelay(outbox)
    events_sink = EventsSink("directory")  # declared before the relay publishes: user events always route

    # --- authentication -----------------------------------------------------------------------------
    @rpc
    def signup(self, payload):
        return auth.signup(self.context(), payload)

    @rpc
    def login(self, payload, client_address=None):
        return auth.login(self.context(), payload, client_address)

    @rpc
    def authenticate_api_key(self, key):
        return auth.authenticate_api_key(self.context(), key)

    @rpc
    def get_me(self):
        return auth.get_me(self.context())

    # --- users --------------------------------------------------------------------------------------
    @rpc
    def create_user(self, payload):
        return users.create_user(self.context(), payload)

    @rpc
    def list_users(self):
        return users.list_users(self.context())

    @rpc
    def get_user(self, user_id):
        return users.get_user(self.context(), user_id)

    @rpc
    def set_user_permissions(self, user_id, payload):
        return users.set_user_permissions(self.context(), user_id, payload)

    @rpc
    def deactivate_user(self, user_id):
        return users.deactivate_user(self.context(), user_id)

    # --- groups -------------------------------------------------------------------------------------
    @rpc
    def create_group(self, payload):
        return groups.create_group(self.context(), payload)

    @rpc
    def list_groups(self):
        return groups.list_groups(self.context())

    @rpc
    def get_group(self, group_id):
        return groups.get_group(self.context(), group_id)

    @rpc
    def add_group_members(self, group_id, payload):
        return groups.add_group_members(self.context(), group_id, payload)

    @rpc
    def remove_group_members(self, group_id, payload):
        return groups.remove_group_members(self.context(), group_id, payload)

    # --- campaigns ----------------------------------------------------------------------------------
    @rpc
    def create_campaign(self, payload):
        return campaigns.create_campaign(self.context(), payload)

    @rpc
    def list_campaigns(self):
        return campaigns.list_campaigns(self.context())

    @rpc
    def get_campaign(self, campaign_uuid):
        return campaigns.get_campaign(self.context(), campaign_uuid)

    # --- API keys -----------------------------------------------------------------------------------
    @rpc
    def create_api_key(self, payload):
        return api_keys.create_api_key(self.context(), payload)

    @rpc
    def list_api_keys(self):
        return api_keys.list_api_keys(self.context())

    @rpc
    def revoke_api_key(self, key_uuid):
        return api_keys.revoke_api_key(self.context(), key_uuid)

    # --- for other services (workspace given by the calling service) and for infra.access -----------
    @rpc
    def users_in_workspace(self, workspace_id, user_ids=None, user_uuids=None, emails=None):
        return users.users_in_workspace(self.context(), workspace_id, user_ids, user_uuids, emails)

    @rpc
    def groups_in_workspace(self, workspace_id, group_ids=None):
        return groups.groups_in_workspace(self.context(), workspace_id, group_ids)

    @rpc
    def campaigns_in_workspace(self, workspace_id, campaign_uuids=None):
        return campaigns.campaigns_in_workspace(self.context(), workspace_id, campaign_uuids)

    @rpc
    def access_changes(self, since):
        return users.access_changes(self.context(), since)
