"""Maintenance commands of the goals service (`make resync`, `make reconcile`).

  python -m services.goals.cli resync      rebuild the opportunity projection from the deals service
                                           (RPC list_opportunities), refresh group memberships from the
                                           directory, and recompute every goal from scratch
  python -m services.goals.cli reconcile   recompute every goal from scratch from the deals service's
                                           opportunities and report each goal whose stored figure
                                           differs; exit status 1 if any does
           ... reconcile --local           the same check against the goals service's own projection
  --workspace N                            either command for one workspace only

Both use GOALS_DATABASE_URL and AMQP_URI like the service, and are safe while it runs.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (green sockets for nameko's standalone RPC and psycopg2)

import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy.orm import sessionmaker  # noqa: E402

from contracts.deals import opportunity_pages  # noqa: E402
from infra import rpc, settings  # noqa: E402
from infra.db import get_engine  # noqa: E402
from services.goals import domain  # noqa: E402
from services.goals.consumers import apply_change  # noqa: E402
from services.goals.figures import recompute_goal  # noqa: E402
from services.goals.store import maintenance, projection  # noqa: E402


def session_factory():
    return sessionmaker(get_engine(settings.get().database_url("goals")), expire_on_commit=False)


class cluster:
    """The RPC client for the length of a command (`with cluster() as client:`)."""

    def __enter__(self):
        self.client = rpc.standalone(name="goals-cli")
        return self.client

    def __exit__(self, *exc_info):
        self.client.stop()


# --- resync -------------------------------------------------------------------------------------------
def resync(workspace_id=None, out=sys.stdout):
    sessions = session_factory()
    applied = seen = 0
    with cluster() as proxies:
        for items in opportunity_pages(proxies, workspace_id):
            with sessions() as session:
                for aggregate_id, deal_workspace_id, version, snapshot in items:
                    seen += 1
                    applied += apply_change(session, aggregate_id, deal_workspace_id, version, snapshot,
                                            replay_same_version=True)
                session.commit()
        refreshed = refresh_memberships(sessions, proxies, workspace_id)
    with sessions() as session:
        goal_ids = maintenance.live_goal_ids(session, workspace_id)
    for goal_id in goal_ids:
        with sessions() as session:
            recompute_goal(session, maintenance.goal_for_recompute(session, goal_id))
            session.commit()
    print("resync: {} opportunities from deals, {} applied; {} group memberships refreshed; {} goals recomputed"
          .format(seen, applied, refreshed, len(goal_ids)), file=out)
    return 0


def refresh_memberships(sessions, proxies, workspace_id=None):
    """Group members as the directory knows them now (goals keep the membership they were computed with)."""
    refreshed = 0
    with sessions() as session:
        rows = maintenance.assigned_groups(session, workspace_id)
        by_workspace = defaultdict(set)
        for _, goal_workspace_id, group_id in rows:
            by_workspace[goal_workspace_id].add(group_id)
        members = {}
        for goal_workspace_id, group_ids in by_workspace.items():
            for group in proxies.call("directory", "groups_in_workspace", [goal_workspace_id],
                                      {"group_ids": sorted(group_ids)}):
                members[group["id"]] = group["members"]
        for goal_id, _, group_id in rows:
            maintenance.replace_group_members(session, goal_id, group_id, members.get(group_id, ()))
            refreshed += 1
        session.commit()
    return refreshed


# --- reconcile ----------------------------------------------------------------------------------------
def reconcile(local=False, workspace_id=None, out=sys.stdout):
    sessions = session_factory()
    with sessions() as session:
        goals = maintenance.live_goals(session, workspace_id)
        members = maintenance.members_by_goal(session)
    index = defaultdict(list)
    for goal in goals:
        index[(goal.workspace_id, goal.campaign_uuid, goal.goal_type)].append(
            (goal, domain.goal_spec(goal, members[goal.id])))
    sums = {goal.id: [Decimal(0), Decimal(0)] for goal in goals}

    def count(opp):
        for goal, spec in index.get((opp["workspace_id"], opp["campaign_uuid"], opp["type"]), ()):
            contribution = domain.contribution(spec, opp)
            if contribution is not None:
                sums[goal.id][0] += contribution.counted
                sums[goal.id][1] += contribution.forecast

    seen = 0
    if local:
        with sessions() as session:
            for opp in projection.live_opportunities(session, workspace_id):
                seen += 1
                count(opp)
    else:
        with cluster() as proxies:
            for items in opportunity_pages(proxies, workspace_id):
                for aggregate_id, deal_workspace_id, _, snapshot in items:
                    seen += 1
                    if snapshot is not None:
                        count(dict(domain.projected_fields(deal_workspace_id, snapshot), uuid=aggregate_id))
    drifted = 0
    for goal in goals:
        current, forecast = sums[goal.id]
        if current != Decimal(goal.current) or forecast != Decimal(goal.forecast):
            drifted += 1
            print("DRIFT goal {} (workspace {}): stored current {} forecast {}; recomputed current {} forecast {}"
                  .format(goal.uuid, goal.workspace_id, domain.number(goal.current), domain.number(goal.forecast),
                          domain.number(current), domain.number(forecast)), file=out)
    print("reconcile: {} goals checked against {} opportunities ({}); {} with drift".format(
        len(goals), seen, "goals projection" if local else "deals service", drifted), file=out)
    return 1 if drifted else 0


def main(argv):
    workspace_id = None
    if "--workspace" in argv[:-1]:
        workspace_id = int(argv[argv.index("--workspace") + 1])
    if len(argv) >= 2 and argv[1] == "resync":
        return resync(workspace_id)
    if len(argv) >= 2 and argv[1] == "reconcile":
        return reconcile(local="--local" in argv[2:], workspace_id=workspace_id)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
