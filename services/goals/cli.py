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

from sqlalchemy import delete, select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from contracts.events import OpportunitySnapshot  # noqa: E402
from infra import rpc, settings  # noqa: E402
from infra.db import get_engine  # noqa: E402
from services.goals import domain, progress  # noqa: E402
from services.goals.models import Goal, GoalAssignment, GoalMember, Opportunity  # noqa: E402

PAGE = 500


def session_factory():
    return sessionmaker(get_engine(settings.get().database_url("goals")), expire_on_commit=False)


class cluster:
    """The RPC client for the length of a command (`with cluster() as client:`)."""

    def __enter__(self):
        self.client = rpc.standalone(name="goals-cli")
        return self.client

    def __exit__(self, *exc_info):
        self.client.stop()


def deal_pages(proxies, workspace_id=None):
    """Every opportunity the deals service holds (deleted ones with snapshot None), page by page."""
    after_id = 0
    while after_id is not None:
        page = proxies.call("deals", "list_opportunities", kwargs={"workspace_id": workspace_id, "after_id": after_id,
                                                                   "limit": PAGE}, timeout=60)
        items = []
        for item in page["opportunities"]:
            snapshot = OpportunitySnapshot().load(item["snapshot"]) if item["snapshot"] is not None else None
            items.append((item["aggregate_id"], item["workspace_id"], item["version"], snapshot))
        yield items
        after_id = page["next_after_id"]


# --- resync -------------------------------------------------------------------------------------------
def _goals_query(workspace_id):
    query = select(Goal).where(Goal.deleted_at.is_(None))
    return query if workspace_id is None else query.where(Goal.workspace_id == workspace_id)


def resync(workspace_id=None, out=sys.stdout):
    sessions = session_factory()
    applied = seen = 0
    with cluster() as proxies:
        for items in deal_pages(proxies, workspace_id):
            with sessions() as session:
                for aggregate_id, workspace_id, version, snapshot in items:
                    seen += 1
                    applied += progress.apply_change(session, aggregate_id, workspace_id, version, snapshot,
                                                     replay_same_version=True)
                session.commit()
        refreshed = refresh_memberships(sessions, proxies, workspace_id)
    with sessions() as session:
        goal_ids = [goal.id for goal in session.scalars(_goals_query(workspace_id).order_by(Goal.id))]
    for goal_id in goal_ids:
        with sessions() as session:
            goal = session.get(Goal, goal_id)
            progress.lock_campaigns(session, goal.workspace_id, {goal.campaign_uuid}, shared=False)
            session.refresh(goal, with_for_update=True)
            progress.recompute_goal(session, goal)
            session.commit()
    print("resync: {} opportunities from deals, {} applied; {} group memberships refreshed; {} goals recomputed"
          .format(seen, applied, refreshed, len(goal_ids)), file=out)
    return 0


def refresh_memberships(sessions, proxies, workspace_id=None):
    """Group members as the directory knows them now (goals keep the membership they were computed with)."""
    refreshed = 0
    with sessions() as session:
        query = (select(Goal.id, Goal.workspace_id, GoalAssignment.assignee_id)
                 .join(GoalAssignment, GoalAssignment.goal_id == Goal.id)
                 .where(Goal.deleted_at.is_(None), GoalAssignment.kind == "group"))
        if workspace_id is not None:
            query = query.where(Goal.workspace_id == workspace_id)
        rows = session.execute(query).all()
        by_workspace = defaultdict(set)
        for _, workspace_id, group_id in rows:
            by_workspace[workspace_id].add(group_id)
        members = {}
        for workspace_id, group_ids in by_workspace.items():
            for group in proxies.call("directory", "groups_in_workspace", [workspace_id],
                                      {"group_ids": sorted(group_ids)}):
                members[group["id"]] = group["members"]
        for goal_id, _, group_id in rows:
            session.execute(delete(GoalMember).where(GoalMember.goal_id == goal_id, GoalMember.group_id == group_id))
            session.add_all(GoalMember(goal_id=goal_id, group_id=group_id, user_id=u) for u in members.get(group_id, ()))
            refreshed += 1
        session.commit()
    return refreshed


# --- reconcile ----------------------------------------------------------------------------------------
def reconcile(local=False, workspace_id=None, out=sys.stdout):
    sessions = session_factory()
    with sessions() as session:
        goals = session.scalars(_goals_query(workspace_id).order_by(Goal.id)).all()
        members = defaultdict(set)
        for goal_id, user_id in session.execute(select(GoalMember.goal_id, GoalMember.user_id)):
            members[goal_id].add(user_id)
    index = defaultdict(list)
    for goal in goals:
        index[(goal.workspace_id, goal.campaign_uuid, goal.goal_type)].append(
            (goal, progress.goal_spec(goal, members[goal.id])))
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
            query = select(Opportunity).where(Opportunity.deleted.is_(False))
            if workspace_id is not None:
                query = query.where(Opportunity.workspace_id == workspace_id)
            for row in session.scalars(query.execution_options(yield_per=2000)):
                seen += 1
                count(progress.opportunity_dict(row))
    else:
        with cluster() as proxies:
            for items in deal_pages(proxies, workspace_id):
                for aggregate_id, workspace_id, _, snapshot in items:
                    seen += 1
                    if snapshot is not None:
                        count(dict(progress.projected_fields(workspace_id, snapshot), uuid=aggregate_id))
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
