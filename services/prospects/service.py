"""Prospects service: the prospects and clients API of the 003 document (Kanban, table, calendar,
KPIs, records, contacts, notes, locations, partner data, clients and onboarding, imports) and the
`prospect_created`/`prospect_changed` events. Entry points only translate: the rules are in
usecases/ (per endpoint), domain/ (pure) and store/ (SQL). Every query is scoped by the verified
caller's workspace, and by the caller's own prospects without the all-prospects permission."""
from infra.entrypoints import rpc
from infra.outbox import OutboxRelay
from infra.service import ServiceBase
from infra.sinks import EventsSink
from services.prospects import usecases
from services.prospects.models import outbox
from services.prospects.usecases import by_client, by_prospect


class ProspectsService(ServiceBase):
    name = "prospects"

    events_sink = EventsSink("prospects")  # declared before the relay publishes: prospect events always route
    relay = OutboxRelay(outbox)

    # --- listing ----------------------------------------------------------------------------------------
    @rpc
    def list_follow_ups(self):
        return usecases.list_follow_ups(self.context())

    @rpc
    def grouped_prospects(self, args=None):
        return usecases.grouped_prospects(self.context(), args)

    @rpc
    def list_prospects(self, args=None):
        return usecases.list_prospects(self.context(), args)

    @rpc
    def prospect_activities(self, args=None):
        return usecases.prospect_activities(self.context(), args)

    @rpc
    def prospect_kpis(self, args=None):
        return usecases.prospect_kpis(self.context(), args)

    # --- prospects ---------------------------------------------------------------------------------------
    @rpc
    def get_prospect(self, prospect_id, args=None):
        return usecases.get_prospect(self.context(), by_prospect(prospect_id), args)

    @rpc
    def process_prospects(self, rows):
        return usecases.process_prospects(self.context(), rows)

    @rpc
    def create_prospects(self, rows, idempotency_key=None):
        return usecases.create_prospects(self.context(), rows, idempotency_key)

    @rpc
    def update_prospect(self, prospect_id, payload):
        return usecases.update_prospect(self.context(), prospect_id, payload)

    @rpc
    def update_prospect_data(self, prospect_id, payload):
        return usecases.update_data(self.context(), by_prospect(prospect_id), payload)

    @rpc
    def update_partner_data(self, prospect_id, payload):
        return usecases.update_partner_data(self.context(), prospect_id, payload)

    @rpc
    def add_prospect_contact(self, prospect_id, payload):
        return usecases.add_contact(self.context(), by_prospect(prospect_id), payload)

    @rpc
    def update_prospect_contact(self, prospect_id, payload):
        return usecases.update_contact(self.context(), by_prospect(prospect_id), payload)

    @rpc
    def delete_contact(self, contact_id):
        return usecases.delete_contact(self.context(), contact_id)

    @rpc
    def add_prospect_note(self, prospect_id, payload):
        return usecases.add_note(self.context(), by_prospect(prospect_id), payload)

    @rpc
    def update_note(self, entity_id, note_id, payload):
        return usecases.update_note(self.context(), entity_id, note_id, payload)

    @rpc
    def add_prospect_location(self, prospect_id, payload):
        return usecases.add_location(self.context(), by_prospect(prospect_id), payload)

    @rpc
    def update_prospect_location(self, location_id, payload):
        return usecases.update_location(self.context(), location_id, payload)

    @rpc
    def delete_prospect_location(self, location_id):
        return usecases.delete_location(self.context(), location_id)

    # --- clients (by company id) -------------------------------------------------------------------------
    @rpc
    def get_client(self, company_id):
        return usecases.get_client(self.context(), by_client(company_id))

    @rpc
    def get_client_onboarding(self, company_id, args=None):
        return usecases.get_onboarding(self.context(), by_client(company_id), args)

    @rpc
    def update_client_onboarding(self, company_id, payload):
        return usecases.update_onboarding(self.context(), by_client(company_id), payload)

    @rpc
    def add_client_contact(self, company_id, payload):
        return usecases.add_contact(self.context(), by_client(company_id), payload)

    @rpc
    def add_client_note(self, company_id, payload):
        return usecases.add_note(self.context(), by_client(company_id), payload)

    @rpc
    def update_client_data(self, company_id, payload):
        return usecases.update_data(self.context(), by_client(company_id), payload)

    @rpc
    def add_client_location(self, company_id, payload):
        return usecases.add_location(self.context(), by_client(company_id), payload)

    @rpc
    def update_client_location(self, location_id, payload):
        return usecases.update_location(self.context(), location_id, payload, clients_only=True)

    @rpc
    def delete_client_location(self, location_id):
        return usecases.delete_location(self.context(), location_id, clients_only=True)
