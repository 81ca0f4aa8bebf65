"""What each opportunity brings to each goal (goal_contributions): a goal's figures are their sums."""
from sqlalchemy import delete, select

from services.goals.models import Contribution


def contributions_of(session, goal_id, user_ids=None):
    """The goal's contributions (of these users' opportunities only, if given), by opportunity uuid."""
    query = select(Contribution).where(Contribution.goal_id == goal_id)
    if user_ids is not None:
        query = query.where(Contribution.user_id.in_(user_ids))
    return session.scalars(query.order_by(Contribution.opportunity_uuid)).all()


def replace_contributions(session, goal_id, contributions):
    """The goal's contributions become these (domain.Contribution values)."""
    session.execute(delete(Contribution).where(Contribution.goal_id == goal_id))
    session.add_all(Contribution(goal_id=goal_id, opportunity_uuid=c.opportunity_uuid, user_id=c.user_id,
                                 state=c.state, amount=c.amount, raw_quantity=c.raw_quantity,
                                 raw_unit_id=c.raw_unit_id) for c in contributions)
