"""Goals service: the sales goals API (campaign goals, assignments, progress) with figures kept
current by `deals.opportunity_changed` events. Entry points only translate; the rules are in
usecases.py (API), progress.py (projection and figures) and domain.py (pure progress rules)."""
from marshmallow import ValidationError
from nameko.rpc import RpcProxy

from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from infra import rpc as rpc_calls
from infra.auth import Identity
from infra.consumers import reliable_event_handler
from infra.db import Database
from infra.entrypoints import rpc
from infra.logs import RequestLog
from infra.stats import RuntimeStats
from infra.outbox import OutboxRelay
from services.goals import progress, usecases
from services.goals.models import outbox
from services.goals.sink import GoalEventsSink


class PoisonEvent(Exception):
    """An event that does not satisfy the contract: refused until it is dead-lettered."""


class GoalsService(RuntimeStats):
    name = "goals"

    db = Database()
    caller = Identity()
    request_log = RequestLog()
    directory = RpcProxy("directory")
    outbox_relay = OutboxRelay(outbox)
    events_sink = GoalEventsSink()  # declared before the relay publishes: goal events always route

    @rpc
    def ping(self):
        return "ok"

    @rpc
    def list_goals(self, payload):
        return usecases.list_goals(self.db, self._directory, self.caller(), payload)

    @rpc
    def goal_action(self, payload):
        """create / update / delete, by `action`."""
        return usecases.goal_action(self.db, self._directory, self.caller(), payload)

    @rpc
    def assign_goal(self, payload):
        return usecases.assign_goal(self.db, self._directory, self.caller(), payload)

    @rpc
    def unassign_goal(self, payload):
        return usecases.unassign_goal(self.db, self._directory, self.caller(), payload)

    @rpc
    def goal_progress(self, payload):
        return usecases.goal_progress(self.db, self._directory, self.caller(), payload)

    @reliable_event_handler("deals", "opportunity_changed")
    def handle_opportunity_changed(self, payload):
        """Idempotent and order tolerant (the projection keeps each deal's version). Raising puts the
        message back; after the delivery limit it is dead-lettered."""
        apply_opportunity_event(self.db, payload)

    def _directory(self, method, *args, **kwargs):
        return rpc_calls.call(self.directory, method, *args, **kwargs)


def apply_opportunity_event(db, payload):
    """One `deals.opportunity_changed` message (the decoded JSON body): checked against the contract
    (PoisonEvent if it does not match), applied and committed; rolled back on any failure."""
    if not isinstance(payload, dict):
        raise PoisonEvent("opportunity_changed does not match the contract: not an object")
    try:
        event = OPPORTUNITY_CHANGED_SCHEMA.load(payload)  # validates while loading: one pass
    except ValidationError as exc:
        raise PoisonEvent("opportunity_changed does not match the contract: {}".format(exc.messages))
    snapshot = event["snapshot"]
    if (snapshot is None) != (event["change"] == "deleted") or (
            snapshot is not None and (snapshot["uuid"] != event["aggregate_id"]
                                      or snapshot["workspace_id"] != event["workspace_id"])):
        raise PoisonEvent("opportunity_changed snapshot does not match its envelope")
    try:
        progress.apply_change(db, event["aggregate_id"], event["workspace_id"], event["version"], snapshot)
        db.commit()
    except Exception:
        db.rollback()
        raise
