"""The goals database: goals and their assignees, the projection of the deals it needs, and each
opportunity's contribution to each goal (so an event touches only the goals it affects)."""
from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text)
from sqlalchemy.orm import DeclarativeBase

from infra.db import new_uuid, now_utc
from infra.outbox import outbox_table

AMOUNT = Numeric(24, 6)



class Base(DeclarativeBase):
    pass


class Goal(Base):
    __tablename__ = "goals"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, nullable=False)
    owner_id = Column(Integer, nullable=False)
    owner_uuid = Column(String(36), nullable=False)
    description = Column(Text, nullable=False)
    campaign_uuid = Column(String(36), nullable=False)
    campaign_name = Column(String(120), nullable=False)  # directory campaigns are never renamed
    goal_type = Column(String(16), nullable=False)
    goal_subtype = Column(String(16), nullable=False)
    input_uuid = Column(String(36), nullable=True)
    crop_id = Column(Integer, nullable=True)
    variety_id = Column(Integer, nullable=True)
    amount = Column(AMOUNT, nullable=False)
    id_unit = Column(Integer, nullable=False)
    assigned = Column(Boolean, nullable=False, default=False)  # False: counts the whole workspace
    current = Column(AMOUNT, nullable=False, default=0)
    forecast = Column(AMOUNT, nullable=False, default=0)
    progress = Column(Numeric(7, 2), nullable=False, default=0)
    progress_int = Column(Integer, nullable=False, default=0)  # what the list shows and filters on
    version = Column(Integer, nullable=False, default=1)       # of goal_progress_changed events
    achieved_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    modified_at = Column(DateTime, nullable=False, default=now_utc)
    deleted_at = Column(DateTime, nullable=True)
    __table_args__ = (
        Index("ix_goals_workspace_id", "workspace_id", "id"),
        Index("ix_goals_match", "workspace_id", "campaign_uuid", "goal_type"),
    )


class GoalAssignment(Base):
    """A user or group the goal is assigned to, as the API shows it."""
    __tablename__ = "goal_assignments"
    goal_id = Column(Integer, ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(8), primary_key=True)  # user | group
    assignee_id = Column(Integer, primary_key=True)
    __table_args__ = (Index("ix_goal_assignments_assignee", "kind", "assignee_id"),)


class GoalMember(Base):
    """A user whose opportunities count for an assigned goal: directly (group_id 0) or as a member
    of an assigned group (resolved from the directory when the assignment changes, and on resync)."""
    __tablename__ = "goal_members"
    goal_id = Column(Integer, ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    group_id = Column(Integer, primary_key=True)
    user_id = Column(Integer, primary_key=True)
    __table_args__ = (Index("ix_goal_members_user", "user_id", "goal_id"),)


class Opportunity(Base):
    """Projection of deals.opportunity_changed: one row per deal uuid, with the version applied.
    A deleted deal stays as a tombstone (deleted=True) so an older event cannot resurrect it."""
    __tablename__ = "opportunities"
    uuid = Column(String(36), primary_key=True)
    version = Column(Integer, nullable=False)
    workspace_id = Column(Integer, nullable=False)
    deleted = Column(Boolean, nullable=False, default=False)
    deal_id = Column(BigInteger, nullable=True)
    name = Column(Text, nullable=True)
    user_id = Column(Integer, nullable=True)
    campaign_uuid = Column(String(36), nullable=True)
    type = Column(String(16), nullable=True)
    input_uuid = Column(String(36), nullable=True)
    crop_id = Column(Integer, nullable=True)
    variety_id = Column(Integer, nullable=True)
    current_state = Column(String(16), nullable=True)
    quantity = Column(AMOUNT, nullable=True)
    unit_id = Column(Integer, nullable=True)
    value = Column(AMOUNT, nullable=True)
    value_count = Column(AMOUNT, nullable=True)
    currency_id = Column(Integer, nullable=True)
    __table_args__ = (
        Index("ix_opportunities_campaign", "workspace_id", "campaign_uuid", "type"),
    )


class Contribution(Base):
    """What one (non-lost, matching) opportunity brings to one goal; the goal's figures are sums of these."""
    __tablename__ = "goal_contributions"
    goal_id = Column(Integer, ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    opportunity_uuid = Column(String(36), primary_key=True)
    user_id = Column(Integer, nullable=True)
    state = Column(String(16), nullable=False)
    amount = Column(AMOUNT, nullable=True)        # in the goal's unit; NULL: other unit/currency
    raw_quantity = Column(AMOUNT, nullable=True)  # in the opportunity's own unit/currency
    raw_unit_id = Column(Integer, nullable=True)
    __table_args__ = (
        Index("ix_goal_contributions_opportunity", "opportunity_uuid"),
        Index("ix_goal_contributions_goal_user", "goal_id", "user_id"),
    )


outbox = outbox_table(Base.metadata)
