"""Deals service: the opportunities of the deals API and their `opportunity_changed` events.
Entrypoints only: each is one use case (usecases.py)."""
from infra.entrypoints import rpc
from infra.outbox import OutboxRelay
from infra.service import ServiceBase
from services.deals import usecases
from services.deals.models import outbox


class DealsService(ServiceBase):
    name = "deals"

    relay = OutboxRelay(outbox)

    # --- the deals API --------------------------------------------------------------------------------
    @rpc
    def list_deals(self, args):
        return usecases.list_deals(self.context(), args)

    @rpc
    def search_deals(self, args):
        return usecases.search_deals(self.context(), args)

    @rpc
    def deal_stats(self, args):
        return usecases.deal_stats(self.context(), args)

    @rpc
    def get_deal(self, deal_id, args=None):
        return usecases.get_deal(self.context(), deal_id, args)

    @rpc
    def create_deal(self, payload, idempotency_key=None):
        return usecases.create_deal(self.context(), payload, idempotency_key)

    @rpc
    def update_deal(self, deal_id, payload):
        return usecases.update_deal(self.context(), deal_id, payload)

    @rpc
    def delete_deal(self, deal_id):
        return usecases.delete_deal(self.context(), deal_id)

    @rpc
    def list_custom_field_types(self):
        return usecases.list_custom_field_types(self.context())

    # --- for other services (workspace given by the calling service) ------------------------------------
    @rpc
    def deals_in_workspace(self, workspace_id, ids=None, uuids=None, names=None):
        return usecases.deals_in_workspace(self.context(), workspace_id, ids, uuids, names)

    @rpc
    def list_opportunities(self, workspace_id=None, after_id=0, limit=500):
        """For consumers rebuilding their projection (docs/events.md)."""
        return usecases.list_opportunities(self.context(), workspace_id, after_id, limit)
