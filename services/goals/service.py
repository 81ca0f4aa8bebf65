"""Goals service: the sales goals API (campaign goals, assignments, progress) with figures kept
current by `deals.opportunity_changed` events. Entrypoints only: the use cases are in usecases/,
the event consumer in consumers.py."""
from infra.consumers import batched_event_handler
from infra.entrypoints import rpc
from infra.outbox import OutboxRelay
from infra.service import ServiceBase
from infra.sinks import EventsSink
from services.goals import consumers, usecases
from services.goals.customer_goals.service import CustomerGoalsRpc
from services.goals.models import outbox


class GoalsService(CustomerGoalsRpc, ServiceBase):
    name = "goals"

    outbox_relay = OutboxRelay(outbox)
    events_sink = EventsSink("goals")  # declared before the relay publishes: goal events always route

    @rpc
    def list_goals(self, payload):
        return usecases.goals.list_goals(self.context(), payload)

    @rpc
    def create_goal(self, payload):
        return usecases.goals.create_goal(self.context(), payload)

    @rpc
    def update_goal(self, payload):
        return usecases.goals.update_goal(self.context(), payload)

    @rpc
    def delete_goal(self, payload):
        return usecases.goals.delete_goal(self.context(), payload)

    @rpc
    def assign_goal(self, payload):
        return usecases.assignments.assign_goal(self.context(), payload)

    @rpc
    def unassign_users(self, payload):
        return usecases.assignments.unassign_users(self.context(), payload)

    @rpc
    def unassign_groups(self, payload):
        return usecases.assignments.unassign_groups(self.context(), payload)

    @rpc
    def goal_progress(self, payload):
        return usecases.progress.goal_progress(self.context(), payload)

    @batched_event_handler("deals", "opportunity_changed")
    def handle_opportunity_changed(self, payloads):
        return consumers.OPPORTUNITY_CHANGED.handle_batch(self.db, payloads)
