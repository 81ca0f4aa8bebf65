"""The deals database. Every query starts with workspace_id, so every index does too; listing
indexes are partial on live deals (deleted_at IS NULL), which PostgreSQL and SQLite both support."""
from sqlalchemy import (BigInteger, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase

from infra.db import new_uuid, now_utc
from infra.idempotency import KeyColumns
from infra.outbox import outbox_table



class Base(DeclarativeBase):
    pass


MONEY = Numeric(20, 4)


class Deal(Base):
    __tablename__ = "deals"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, nullable=False)
    user_id = Column(Integer, nullable=True)
    company_id = Column(Integer, nullable=True)
    name = Column(String(120), nullable=False)
    name_search = Column(String(120), nullable=False)  # casefolded name: the search key
    description = Column(Text, nullable=True)
    value = Column(MONEY, nullable=False)
    value_type = Column(String(20), nullable=False)
    value_count = Column(MONEY, nullable=False)
    currency = Column(String(3), nullable=False, default="EUR")
    target_date = Column(Date, nullable=False)
    finished_at = Column(DateTime, nullable=True)
    current_state = Column(String(20), nullable=False, default="open_0")
    type = Column(String(20), nullable=False, default="sale")
    account_uuid = Column(String(36), nullable=True)
    campaign_uuid = Column(String(36), nullable=True)
    input_uuid = Column(String(36), nullable=True)
    crop_id = Column(Integer, nullable=True)
    variety_id = Column(Integer, nullable=True)
    quantity = Column(MONEY, nullable=True)
    unit_id = Column(Integer, nullable=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    updated_at = Column(DateTime, nullable=False, default=now_utc)
    deleted_at = Column(DateTime, nullable=True)  # soft delete: kept for list_opportunities
    version = Column(Integer, nullable=False, default=1)  # per-deal event version


Index("ix_deals_ws_name", Deal.workspace_id, Deal.name_search, Deal.id, postgresql_where=Deal.deleted_at.is_(None),
      sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_prefix", Deal.workspace_id, Deal.name_search, Deal.id,
      postgresql_ops={"name_search": "text_pattern_ops"},
      postgresql_where=Deal.deleted_at.is_(None), sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_created", Deal.workspace_id, Deal.created_at, Deal.id, postgresql_where=Deal.deleted_at.is_(None),
      sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_updated", Deal.workspace_id, Deal.updated_at, Deal.id, postgresql_where=Deal.deleted_at.is_(None),
      sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_state", Deal.workspace_id, Deal.current_state, postgresql_where=Deal.deleted_at.is_(None),
      sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_user", Deal.workspace_id, Deal.user_id, postgresql_where=Deal.deleted_at.is_(None),
      sqlite_where=Deal.deleted_at.is_(None))
Index("ix_deals_ws_id", Deal.workspace_id, Deal.id)  # list_opportunities per workspace, deleted included


class DealTotal(Base):
    """Live deals of a workspace per (state, currency) and the sum of their value * value_count,
    kept in the transaction of every write, so the unfiltered index count and stats read a few
    rows instead of scanning the workspace (store.move_totals, store.totals)."""
    __tablename__ = "deal_totals"
    workspace_id = Column(Integer, primary_key=True)
    current_state = Column(String(20), primary_key=True)
    currency = Column(String(3), primary_key=True)
    deals = Column(BigInteger().with_variant(Integer, "sqlite"), nullable=False, default=0)
    amount = Column(Numeric(38, 8), nullable=False, default=0)  # value * value_count has 8 decimals


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    workspace_id = Column(Integer, nullable=False)
    name = Column(String(120), nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_tags_workspace_name"),)


class DealTag(Base):
    __tablename__ = "deal_tags"
    deal_id = Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    tag_id = Column(Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_deal_tags_tag", "tag_id", "deal_id"),)


class CustomFieldType(Base):
    __tablename__ = "custom_field_types"
    id = Column(Integer, primary_key=True)
    workspace_id = Column(Integer, nullable=False)
    name = Column(String(120), nullable=False)
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_custom_field_types_workspace_name"),)


class DealCustomField(Base):
    __tablename__ = "deal_custom_fields"
    deal_id = Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    custom_field_type_id = Column(Integer, ForeignKey("custom_field_types.id", ondelete="CASCADE"), primary_key=True)
    value = Column(String(255), nullable=False)
    __table_args__ = (Index("ix_deal_custom_fields_type_value", "custom_field_type_id", "value", "deal_id"),)


class DealPerson(Base):
    __tablename__ = "deal_people"
    deal_id = Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    person_id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


class DealObserver(Base):
    __tablename__ = "deal_observers"
    deal_id = Column(Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(Integer, primary_key=True)
    __table_args__ = (Index("ix_deal_observers_user", "user_id", "deal_id"),)


class IdempotencyKey(KeyColumns, Base):
    """A create's Idempotency-Key: the first answer is replayed to retries (infra.idempotency)."""
    __tablename__ = "idempotency_keys"
    workspace_id = Column(Integer, primary_key=True)


outbox = outbox_table(Base.metadata)
