"""Tables of the customer goals (seed 001), on the goals service's Base: one metadata and one Alembic
history hold them and the sales goals. Every row carries its workspace; goals and templates share
`cs_goals` (`category` GOAL or TEMPLATE) as they share the API's fields and the fetch DSL.

External ids (`gsid`) are Gainsight-like strings (domain.new_gsid); references between records
(a goal's status, type, template) are held by gsid, so the fetch DSL filters on them without joins.
"""
from sqlalchemy import (BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)

from services.goals.models import Base

BIG_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY
VALUE = Numeric(24, 6)


class CsPicklist(Base):
    """A goal type (GOAL_TYPE) or a goal status (GOAL_STATUS) of one workspace."""
    __tablename__ = "cs_picklists"
    id = Column(Integer, primary_key=True)
    gsid = Column(String(36), nullable=False, unique=True)
    workspace_id = Column(Integer, nullable=False)
    category = Column(String(16), nullable=False)
    name = Column(String(120), nullable=False)
    name_key = Column(String(120), nullable=False)  # casefolded name: names are unique per category
    system_name = Column(String(64), nullable=True)
    color = Column(String(16), nullable=False)
    display_order = Column(Integer, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    open_status_type = Column(Boolean, nullable=False, default=False)
    system_defined = Column(Boolean, nullable=False, default=False)
    association_ids = Column(String(255), nullable=False, default="ALL_ENTITY")  # comma separated
    created_date = Column(BigInteger, nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "category", "name_key", name="uq_cs_picklists_name"),)


class CsMetric(Base):
    __tablename__ = "cs_metrics"
    id = Column(Integer, primary_key=True)
    gsid = Column(String(36), nullable=False, unique=True)
    workspace_id = Column(Integer, nullable=False)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=True)
    unit_of_measure = Column(String(16), nullable=False)
    display_order = Column(Integer, nullable=False)
    external_id = Column(String(64), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    system_defined = Column(Boolean, nullable=False, default=False)
    deleted = Column(Boolean, nullable=False, default=False)
    created_at = Column(BigInteger, nullable=False)  # epoch milliseconds, as the API shows them
    modified_at = Column(BigInteger, nullable=False)
    created_by = Column(String(36), nullable=False)  # directory user uuid
    modified_by = Column(String(36), nullable=False)
    __table_args__ = (Index("ix_cs_metrics_workspace", "workspace_id", "id"),)


class CsMetricGoalType(Base):
    """A goal type a metric is associated with (the goal type's layout shows it)."""
    __tablename__ = "cs_metric_goal_types"
    metric_id = Column(Integer, ForeignKey("cs_metrics.id", ondelete="CASCADE"), primary_key=True)
    goal_type_id = Column(Integer, ForeignKey("cs_picklists.id", ondelete="CASCADE"), primary_key=True)


class CsGoal(Base):
    """A customer goal (category GOAL) or a goal template of the goals library (category TEMPLATE)."""
    __tablename__ = "cs_goals"
    id = Column(BIG_ID, primary_key=True)
    gsid = Column(String(36), nullable=False, unique=True)
    workspace_id = Column(Integer, nullable=False)
    category = Column(String(8), nullable=False)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=True)            # sanitised HTML
    entity_type = Column(String(16), nullable=True)      # goals: COMPANY, OPPORTUNITY, GLOBAL
    company_id = Column(String(36), nullable=True)       # accounts service: account uuid
    opportunity_id = Column(BigInteger, nullable=True)   # deals service: deal id
    relationship_id = Column(String(64), nullable=True)
    relationship_type_id = Column(String(64), nullable=True)
    goal_type_id = Column(String(36), nullable=False)    # cs_picklists.gsid (GOAL_TYPE)
    status_id = Column(String(36), nullable=False)       # cs_picklists.gsid (GOAL_STATUS)
    due_date = Column(Date, nullable=True)               # goals: a date
    due_days = Column(Integer, nullable=True)            # templates: days from the goal's creation
    template_id = Column(String(36), nullable=True)      # the template a goal was created from
    currency_iso_code = Column(String(3), nullable=False)
    created_by_id = Column(String(36), nullable=False)
    modified_by_id = Column(String(36), nullable=False)
    created_date = Column(BigInteger, nullable=False)    # epoch milliseconds
    modified_date = Column(BigInteger, nullable=False)
    version = Column(Integer, nullable=False, default=1)  # of customer_goal_changed events
    deleted_date = Column(BigInteger, nullable=True)
    __table_args__ = (
        # every fetch pages a workspace's live goals or templates in id order
        Index("ix_cs_goals_live", "workspace_id", "category", "id",
              postgresql_where=deleted_date.is_(None), sqlite_where=deleted_date.is_(None)),
    )


class CsGoalCustomValue(Base):
    """One `*__gc` field of a goal or template, typed by its JSON type so filters compare like with
    like: kind `s` (text_value), `n` (number_value) or `b` (number_value 1 or 0)."""
    __tablename__ = "cs_goal_custom_values"
    goal_id = Column(BIG_ID, ForeignKey("cs_goals.id", ondelete="CASCADE"), primary_key=True)
    name = Column(String(64), primary_key=True)
    kind = Column(String(1), nullable=False)
    text_value = Column(Text, nullable=True)
    number_value = Column(Numeric(), nullable=True)


class CsGoalLink(Base):
    """An external record linked to a goal or template by its id: a CTA, a success plan (SP), or
    associated work (WORK)."""
    __tablename__ = "cs_goal_links"
    goal_id = Column(BIG_ID, ForeignKey("cs_goals.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(4), primary_key=True)
    external_id = Column(String(64), primary_key=True)


class CsGoalMetric(Base):
    """A metric of a goal or template, with its base and target values."""
    __tablename__ = "cs_goal_metrics"
    id = Column(BIG_ID, primary_key=True)
    gsid = Column(String(36), nullable=False, unique=True)
    goal_id = Column(BIG_ID, ForeignKey("cs_goals.id", ondelete="CASCADE"), nullable=False)
    metric_id = Column(Integer, ForeignKey("cs_metrics.id"), nullable=False)
    base_value = Column(VALUE, nullable=True)
    target_value = Column(VALUE, nullable=True)
    __table_args__ = (UniqueConstraint("goal_id", "metric_id", name="uq_cs_goal_metrics"),
                      Index("ix_cs_goal_metrics_metric", "metric_id"))


class CsMetricActual(Base):
    """One dated point of a goal metric's actual value: one per date (a later value for the same
    date replaces it, so a repeated update changes nothing)."""
    __tablename__ = "cs_metric_actuals"
    id = Column(BIG_ID, primary_key=True)
    gsid = Column(String(36), nullable=False, unique=True)
    goal_metric_id = Column(BIG_ID, ForeignKey("cs_goal_metrics.id", ondelete="CASCADE"), nullable=False)
    on_date = Column(Date, nullable=False)
    value = Column(VALUE, nullable=False)
    __table_args__ = (UniqueConstraint("goal_metric_id", "on_date", name="uq_cs_metric_actuals_date"),)
