"""Accounts, their contacts and fields, and the projection of deals that feeds the counters.

Soft delete and uniqueness: UNIQUE(workspace_id, country, tax_key) holds only among live accounts
(a partial index `WHERE deleted_at IS NULL`, on PostgreSQL and SQLite alike), so a deleted
account's tax id can be used again. `tax_key` is the tax id without separators, upper-cased, so
"20-12345678-9" and "20123456789" are the same tax id.

Counters: the nine `opp_<bucket>_<type>` columns and the three `<bucket>_total` columns are kept by
the `deals.opportunity_changed` consumer in the same transaction as the projection row, so a list
page reads them with the account and `opportunities_state` is a partial-index query.
"""
from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        text)
from sqlalchemy.orm import DeclarativeBase

from infra.db import new_uuid, now_utc

ID = BigInteger().with_variant(Integer, "sqlite")
LIVE = text("deleted_at IS NULL")


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id = Column(ID, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, nullable=False)
    owner_id = Column(Integer, nullable=False)  # directory user id of the creator
    country = Column(Integer, nullable=False)
    tax_id = Column(String(20), nullable=False)
    tax_key = Column(String(20), nullable=False)
    name = Column(String(255), nullable=False)
    address = Column(String(255), nullable=True)
    location = Column(String(255), nullable=True)
    draft = Column(Boolean, nullable=False, default=False)
    created_date = Column(DateTime, nullable=False, default=now_utc)
    inactivation_date = Column(DateTime, nullable=True)
    deleted_at = Column(DateTime, nullable=True)
    field_count = Column(Integer, nullable=False, default=0, server_default="0")
    total_hectares = Column(Numeric(14, 2), nullable=False, default=0, server_default="0")
    open_total = Column(Integer, nullable=False, default=0, server_default="0")
    won_total = Column(Integer, nullable=False, default=0, server_default="0")
    lost_total = Column(Integer, nullable=False, default=0, server_default="0")
    opp_open_sale = Column(Integer, nullable=False, default=0, server_default="0")
    opp_open_purchase = Column(Integer, nullable=False, default=0, server_default="0")
    opp_open_exchange = Column(Integer, nullable=False, default=0, server_default="0")
    opp_won_sale = Column(Integer, nullable=False, default=0, server_default="0")
    opp_won_purchase = Column(Integer, nullable=False, default=0, server_default="0")
    opp_won_exchange = Column(Integer, nullable=False, default=0, server_default="0")
    opp_lost_sale = Column(Integer, nullable=False, default=0, server_default="0")
    opp_lost_purchase = Column(Integer, nullable=False, default=0, server_default="0")
    opp_lost_exchange = Column(Integer, nullable=False, default=0, server_default="0")
    __table_args__ = (
        Index("uq_accounts_live_tax_id", "workspace_id", "country", "tax_key", unique=True,
              postgresql_where=LIVE, sqlite_where=LIVE),
        Index("ix_accounts_live_name", "workspace_id", "name", "id", postgresql_where=LIVE, sqlite_where=LIVE),
        Index("ix_accounts_tax_key", "workspace_id", "tax_key"),
        Index("ix_accounts_open", "workspace_id", "name", "id", postgresql_where=text("open_total > 0"),
              sqlite_where=text("open_total > 0")),
        Index("ix_accounts_won", "workspace_id", "name", "id", postgresql_where=text("won_total > 0"),
              sqlite_where=text("won_total > 0")),
        Index("ix_accounts_lost", "workspace_id", "name", "id", postgresql_where=text("lost_total > 0"),
              sqlite_where=text("lost_total > 0")),
    )


class Contact(Base):
    """A contact associated to an account; the same contact uuid may be associated to several accounts."""
    __tablename__ = "account_contacts"
    id = Column(ID, primary_key=True)
    account_id = Column(ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    workspace_id = Column(Integer, nullable=False)
    contact_uuid = Column(String(36), nullable=False)
    first_name = Column(String(120), nullable=False)
    last_name = Column(String(120), nullable=False)
    start_date = Column(DateTime, nullable=False, default=now_utc)
    __table_args__ = (
        Index("uq_account_contacts", "account_id", "contact_uuid", unique=True),
        Index("ix_account_contacts_first", "account_id", "start_date", "id"),
        Index("ix_account_contacts_uuid", "workspace_id", "contact_uuid"),
    )


class Field(Base):
    """A field (lote) of the account, with its hectares and the farm it belongs to."""
    __tablename__ = "account_fields"
    id = Column(ID, primary_key=True)
    account_id = Column(ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    workspace_id = Column(Integer, nullable=False)
    field_uuid = Column(String(36), nullable=False)
    farm_uuid = Column(String(36), nullable=True)
    hectares = Column(Numeric(12, 2), nullable=False)
    __table_args__ = (
        Index("uq_account_fields", "account_id", "field_uuid", unique=True),
        Index("ix_account_fields_farm", "workspace_id", "farm_uuid"),
    )


class Opportunity(Base):
    """Projection of a deal: what it counts for (account, state, type) at the newest version seen.

    A deleted deal stays as a tombstone (deleted=True) so that an older event arriving late
    cannot bring it back.
    """
    __tablename__ = "opportunity_projection"
    deal_uuid = Column(String(36), primary_key=True)
    workspace_id = Column(Integer, nullable=False)
    version = Column(Integer, nullable=False, default=0)
    account_uuid = Column(String(36), nullable=True)
    state = Column(String(10), nullable=True)
    type = Column(String(10), nullable=True)
    deleted = Column(Boolean, nullable=False, default=False)
    updated_at = Column(DateTime, nullable=False, default=now_utc, onupdate=now_utc)
    __table_args__ = (Index("ix_opportunity_projection_account", "workspace_id", "account_uuid"),)
