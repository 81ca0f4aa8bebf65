"""Accounts service: customer companies of a workspace, their contacts and fields, and deal counts
kept from `deals.opportunity_changed` (see README.md). Entrypoints only: the use cases are in
usecases.py, the consumer in consumers.py."""
from infra.consumers import batched_event_handler
from infra.entrypoints import rpc
from infra.service import ServiceBase
from services.accounts import consumers, usecases


class AccountsService(ServiceBase):
    name = "accounts"

    # --- reads --------------------------------------------------------------------------------------
    @rpc
    def list_accounts(self, payload):
        return usecases.list_accounts(self.context(), payload)

    @rpc
    def get_account(self, account_uuid):
        return usecases.get_account(self.context(), account_uuid)

    @rpc
    def validate_tax_id(self, payload):
        return usecases.validate_tax_id(self.context(), payload)

    # --- writes -------------------------------------------------------------------------------------
    @rpc
    def create_account(self, payload):
        return usecases.create_account(self.context(), payload)

    @rpc
    def update_account(self, payload):
        return usecases.update_account(self.context(), payload)

    @rpc
    def delete_account(self, payload):
        return usecases.delete_account(self.context(), payload)

    @rpc
    def inactivate_account(self, payload):
        return usecases.inactivate_account(self.context(), payload)

    @rpc
    def activate_account(self, payload):
        return usecases.activate_account(self.context(), payload)

    # --- contacts and fields ------------------------------------------------------------------------
    @rpc
    def add_contact(self, payload):
        return usecases.add_contact(self.context(), payload)

    @rpc
    def remove_contact(self, payload):
        return usecases.remove_contact(self.context(), payload)

    @rpc
    def add_field(self, payload):
        return usecases.add_field(self.context(), payload)

    @rpc
    def remove_field(self, payload):
        return usecases.remove_field(self.context(), payload)

    # --- for other services (workspace given by the calling service) --------------------------------
    @rpc
    def accounts_in_workspace(self, workspace_id, uuids=None, names=None):
        return usecases.accounts_in_workspace(self.context(), workspace_id, uuids, names)

    # --- events -------------------------------------------------------------------------------------
    @batched_event_handler("deals", "opportunity_changed")
    def handle_opportunity_changed(self, payloads):
        return consumers.OPPORTUNITY_CHANGED.handle_batch(self.db, payloads)
