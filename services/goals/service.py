"""Goals service: the sales goals API (campaign goals, assignments, progress) with figures kept
current by `deals.opportunity_changed` events. Entry points only translate; the rules are in
usecases.py (API), progress.py (projection and figures) and domain.py (pure progress rules)."""

from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from infra.consumers import EventConsumer, PoisonMessage as PoisonEvent, event_handler  # noqa: F401
from infra.entrypoints import rpc
from infra.outbox import OutboxRelay
from infra.service import ServiceBase
from services.goals import progress, usecases
from services.goals.customer_goals.service import CustomerGoalsRpc
from services.goals.models import outbox
from services.goals.sink import GoalEventsSink


class GoalsService(CustomerGoalsRpc, ServiceBase):
    name = "goals"

    outbox_relay = OutboxRelay(outbox)
    events_sink = GoalEventsSink()  # declared before the relay publishes: goal events always route

    @rpc
    def list_goals(self, payload):
        return usecases.list_goals(self.db, self._directory, self.identity(), payload)

    @rpc
    def goal_action(self, payload):
        """create / update / delete, by `action`."""
        return usecases.goal_action(self.db, self._directory, self.identity(), payload)

    @rpc
    def assign_goal(self, payload):
        return usecases.assign_goal(self.db, self._directory, self.identity(), payload)

    @rpc
    def unassign_goal(self, payload):
        return usecases.unassign_goal(self.db, self._directory, self.identity(), payload)

    @rpc
    def goal_progress(self, payload):
        return usecases.goal_progress(self.db, self._directory, self.identity(), payload)

    @event_handler("deals", "opportunity_changed")
    def handle_opportunity_changed(self, payload):
        """Idempotent and order tolerant (the projection keeps each deal's version). Raising puts the
        message back; after the delivery limit it is dead-lettered."""
        apply_opportunity_event(self.db, payload)

    def _directory(self, method, *args, **kwargs):
        return self.context().call("directory", method, *args, **kwargs)


def _apply(db, event):
    return progress.apply_change(db, event["aggregate_id"], event["workspace_id"], event["version"], event["snapshot"])


OPPORTUNITY_CHANGED = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, _apply, "opportunity_changed")


def apply_opportunity_event(db, payload):
    """One `deals.opportunity_changed` message through the consumer path (infra.consumers)."""
    return OPPORTUNITY_CHANGED.handle(db, payload)
