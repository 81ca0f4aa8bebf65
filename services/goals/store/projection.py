"""The opportunity projection: one row per deal uuid with the version applied (a deleted deal stays
as a tombstone, so an older event cannot bring it back)."""
from sqlalchemy import BigInteger, bindparam, func, select, update

from infra.projections import ProjectionRows
from services.goals.domain import PROJECTED
from services.goals.models import Opportunity
from services.goals.store.locks import campaign_key, lock_campaigns

_opportunities = Opportunity.__table__
# a missing row is created as a tombstone of version 0, so any event of the deal is newer
ROWS = ProjectionRows(_opportunities, "uuid", ("uuid", "version", "workspace_id", "deleted"),
                      ("version", "deleted", "campaign_uuid"))
_UPDATE_ROW = update(_opportunities).where(_opportunities.c.uuid == bindparam("row_uuid"))
# The same update taking the shared campaign lock (the deal's one campaign) in the same round trip:
# the lock is a filter on the row found by its primary key (so it is taken once; `void IS NOT NULL`
# is true) and it is held before the next statement, the one that reads the goals, takes its snapshot.
_UPDATE_ROW_LOCKING_CAMPAIGN = _UPDATE_ROW.where(
    func.pg_advisory_xact_lock_shared(bindparam("campaign_key", type_=BigInteger())).is_not(None))


def lock_row(connection, aggregate_id, workspace_id):
    """(version, deleted, campaign_uuid) of the deal's row, created if missing, locked until the end of
    the transaction."""
    return ROWS.lock(connection, {"uuid": aggregate_id, "version": 0, "workspace_id": workspace_id, "deleted": True})


def update_row(session, aggregate_id, version, values, workspace_id, campaigns):
    """Writes the deal's projected `values` at `version`, and takes the shared lock of each of
    `campaigns` (the one it was in and the one it is in)."""
    connection = session.connection()
    row_values = dict(values, version=version, row_uuid=aggregate_id)
    if connection.dialect.name == "postgresql" and len(campaigns) == 1:  # the usual case: one round trip
        (campaign,) = campaigns
        updated = connection.execute(_UPDATE_ROW_LOCKING_CAMPAIGN,
                                     dict(row_values, campaign_key=campaign_key(workspace_id, campaign)))
        if updated.rowcount != 1:
            raise RuntimeError("opportunity {} not updated".format(aggregate_id))
        return
    connection.execute(_UPDATE_ROW, row_values)
    lock_campaigns(session, workspace_id, campaigns, shared=True)


def opportunity_dict(row):
    """A projected row as the domain reads an opportunity."""
    values = {name: getattr(row, name) for name in PROJECTED}
    values.update(uuid=row.uuid, deleted=row.deleted, currency_id=row.currency_id, deal_id=row.deal_id)
    return values


def candidate_opportunities(session, goal, members):
    """The projected opportunities that can count for the goal (one goal's scan, by index)."""
    query = select(Opportunity).where(Opportunity.workspace_id == goal.workspace_id,
                                      Opportunity.campaign_uuid == goal.campaign_uuid,
                                      Opportunity.type == goal.goal_type, Opportunity.deleted.is_(False))
    if goal.goal_type == "sale":
        query = query.where(Opportunity.input_uuid == goal.input_uuid)
    else:
        query = query.where(Opportunity.crop_id == goal.crop_id)
    if goal.assigned:
        query = query.where(Opportunity.user_id.in_(sorted(members)))
    return (opportunity_dict(row) for row in session.scalars(query.execution_options(yield_per=2000)))


def live_opportunities(session, workspace_id=None):
    """Every projected opportunity not deleted (of one workspace), streamed."""
    query = select(Opportunity).where(Opportunity.deleted.is_(False))
    if workspace_id is not None:
        query = query.where(Opportunity.workspace_id == workspace_id)
    return (opportunity_dict(row) for row in session.scalars(query.execution_options(yield_per=2000)))


def names_and_ids(session, uuids):
    """{uuid: (name, deal id)} of these opportunities."""
    if not uuids:
        return {}
    rows = session.execute(select(Opportunity.uuid, Opportunity.name, Opportunity.deal_id)
                           .where(Opportunity.uuid.in_(uuids)))
    return {row.uuid: (row.name, row.deal_id) for row in rows}
