"""The prospects database. Every query starts with workspace_id, so every index does too.

A prospect row is the lead, its follow-up data, its role assignments and its contact summary
(first/last contact, kept from its notes); a client is a prospect with a `companies` row
(`company_id`). `prospect_totals` keeps the count and value of prospects per workspace, salesman,
type and follow-up status in the transaction of every write, so the Kanban counters and the KPIs
read a few rows instead of scanning the workspace.
"""
from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        SmallInteger, String, Text)
from sqlalchemy.orm import DeclarativeBase

from infra.db import new_uuid, now_utc
from infra.outbox import outbox_table

BIGINT = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys
MONEY = Numeric(20, 2)


class Base(DeclarativeBase):
    pass


class Prospect(Base):
    __tablename__ = "prospects"
    id = Column(BIGINT, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)  # the events' aggregate id
    workspace_id = Column(BigInteger, nullable=False)
    type = Column(SmallInteger, nullable=False, default=1)  # 1 prospect, 2 client, 3 partner
    source = Column(SmallInteger, nullable=False, default=1)  # 1 company (types 1, 2), 2 partner (type 3)
    # 1, 2, 3... in insertion (= id) order per workspace and source, without gaps: prospects are never
    # deleted and never change source, so the default order's page at any offset is a range of it
    seq = Column(BigInteger, nullable=False)
    status = Column(SmallInteger, nullable=False, default=1)
    name = Column(String(150), nullable=True)
    company_name = Column(String(200), nullable=True)
    search_key = Column(String(360), nullable=False, default="")  # company and name, lower-cased, no accents
    email = Column(String(254), nullable=True)
    email_key = Column(String(254), nullable=True)  # lower-cased: the dedupe key
    phone_code = Column(String(4), nullable=True)
    phone = Column(String(15), nullable=True)
    phone_key = Column(String(20), nullable=True)  # country code + digits: the dedupe key
    locale_id = Column(BigInteger, nullable=True)
    follow_up_id = Column(SmallInteger, nullable=False, default=1)
    follow_changed_at = Column(DateTime, nullable=False, default=now_utc)
    company_id = Column(BigInteger, nullable=True, unique=True)
    created_by = Column(BigInteger, nullable=False)  # the salesman
    created_at = Column(DateTime, nullable=False, default=now_utc)
    updated_at = Column(DateTime, nullable=False, default=now_utc)
    version = Column(Integer, nullable=False, default=1)  # per-prospect event version
    # follow-up data
    channel = Column(String(100), nullable=True)
    account_value = Column(MONEY, nullable=False, default=0)
    balance = Column(MONEY, nullable=False, default=0)
    monthly_shipments = Column(BigInteger, nullable=True)
    ecommerce_type_id = Column(BigInteger, nullable=True)
    weight_id = Column(BigInteger, nullable=True)
    content_id = Column(BigInteger, nullable=True)
    plan_type_id = Column(BigInteger, nullable=True)
    account_type = Column(String(20), nullable=True)
    estimated_close_date = Column(Date, nullable=True)
    commercial_offer_date = Column(Date, nullable=True)
    annotations = Column(Text, nullable=True)
    campaign = Column(String(100), nullable=True)
    lead_status = Column(String(50), nullable=True)
    has_recharge = Column(Boolean, nullable=False, default=False)
    verified = Column(Boolean, nullable=False, default=False)
    tier = Column(String(30), nullable=True)
    services = Column(String(255), nullable=False, default="")  # service ids, comma-separated
    onboarding_status = Column(SmallInteger, nullable=True)  # clients: 0 not started, 1 in progress, 2 done
    # the contact summary, from the notes
    first_contact = Column(DateTime, nullable=True)
    last_contact = Column(DateTime, nullable=True)
    # role assignments: user ids of the workspace
    kae = Column(BigInteger, nullable=True)
    kae_ltl = Column(BigInteger, nullable=True)
    csr = Column(BigInteger, nullable=True)
    csr_ltl = Column(BigInteger, nullable=True)
    fullfilment = Column(BigInteger, nullable=True)
    wms = Column(BigInteger, nullable=True)
    ecartpay = Column(BigInteger, nullable=True)
    parapaquetes = Column(BigInteger, nullable=True)


Index("uq_prospects_ws_email", Prospect.workspace_id, Prospect.email_key, unique=True,
      postgresql_where=Prospect.email_key.isnot(None), sqlite_where=Prospect.email_key.isnot(None))
Index("uq_prospects_ws_phone", Prospect.workspace_id, Prospect.phone_key, unique=True,
      postgresql_where=Prospect.phone_key.isnot(None), sqlite_where=Prospect.phone_key.isnot(None))
Index("ix_prospects_ws_source_id", Prospect.workspace_id, Prospect.source, Prospect.id)
Index("ix_prospects_ws_source_seq", Prospect.workspace_id, Prospect.source, Prospect.seq)
Index("ix_prospects_ws_source_follow_id", Prospect.workspace_id, Prospect.source, Prospect.follow_up_id, Prospect.id)
Index("ix_prospects_ws_salesman_source_id", Prospect.workspace_id, Prospect.created_by, Prospect.source, Prospect.id)
Index("ix_prospects_ws_salesman_source_follow_id", Prospect.workspace_id, Prospect.created_by, Prospect.source,
      Prospect.follow_up_id, Prospect.id)


class ProspectSequence(Base):
    """The last `Prospect.seq` given per workspace and source; its row lock orders concurrent imports."""
    __tablename__ = "prospect_sequences"
    workspace_id = Column(BigInteger, primary_key=True)
    source = Column(SmallInteger, primary_key=True)
    last_seq = Column(BigInteger, nullable=False)


class ProspectTotal(Base):
    """Prospects per (workspace, salesman, type, follow-up status) and the sum of their account value."""
    __tablename__ = "prospect_totals"
    workspace_id = Column(BigInteger, primary_key=True)
    created_by = Column(BigInteger, primary_key=True)
    type = Column(SmallInteger, primary_key=True)
    follow_up_id = Column(SmallInteger, primary_key=True)
    prospects = Column(BigInteger, nullable=False, default=0)
    account_value = Column(Numeric(24, 2), nullable=False, default=0)


class Company(Base):
    """A client: the prospect it is, by its company id (the id of /clients/{id})."""
    __tablename__ = "companies"
    id = Column(BIGINT, primary_key=True)
    workspace_id = Column(BigInteger, nullable=False)
    prospect_id = Column(BigInteger, ForeignKey("prospects.id"), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)


class OnboardingStep(Base):
    __tablename__ = "onboarding_steps"
    company_id = Column(BigInteger, ForeignKey("companies.id"), primary_key=True)
    step = Column(String(40), primary_key=True)
    done_at = Column(DateTime, nullable=False)


class Note(Base):
    __tablename__ = "notes"
    id = Column(BIGINT, primary_key=True)
    workspace_id = Column(BigInteger, nullable=False)
    prospect_id = Column(BigInteger, ForeignKey("prospects.id"), nullable=False)
    action = Column(String(20), nullable=True)
    comment = Column(Text, nullable=False)
    follow_up_id = Column(SmallInteger, nullable=True)  # the status this note moved the prospect to
    scheduled_date = Column(DateTime, nullable=True)
    contact_at = Column(DateTime, nullable=False)  # when the contact it records happened
    created_by = Column(BigInteger, nullable=False)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    updated_at = Column(DateTime, nullable=False, default=now_utc)


Index("ix_notes_prospect_created", Note.prospect_id, Note.created_at)
Index("ix_notes_prospect_scheduled", Note.prospect_id, Note.scheduled_date)
Index("ix_notes_ws_scheduled", Note.workspace_id, Note.scheduled_date, Note.id)


class ExtraContact(Base):
    __tablename__ = "extra_contacts"
    id = Column(BIGINT, primary_key=True)
    workspace_id = Column(BigInteger, nullable=False)
    prospect_id = Column(BigInteger, ForeignKey("prospects.id"), nullable=False, index=True)
    name = Column(String(150), nullable=False)
    email = Column(String(254), nullable=False)
    email_key = Column(String(254), nullable=False)
    phone_code = Column(String(4), nullable=False)
    phone = Column(String(15), nullable=False)
    phone_key = Column(String(20), nullable=False)
    position = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    updated_at = Column(DateTime, nullable=False, default=now_utc)


class Location(Base):
    __tablename__ = "locations"
    id = Column(BIGINT, primary_key=True)
    workspace_id = Column(BigInteger, nullable=False)
    prospect_id = Column(BigInteger, ForeignKey("prospects.id"), nullable=False, index=True)
    name = Column(String(50), nullable=False)
    link = Column(String(150), nullable=False)
    type = Column(String(30), nullable=False)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    updated_at = Column(DateTime, nullable=False, default=now_utc)


class PartnerData(Base):
    __tablename__ = "partner_data"
    prospect_id = Column(BigInteger, ForeignKey("prospects.id"), primary_key=True)
    workspace_id = Column(BigInteger, nullable=False)
    url = Column(String(255), nullable=False)
    partner_type_id = Column(BigInteger, nullable=False)
    partner_origin_id = Column(BigInteger, nullable=False)
    rating = Column(SmallInteger, nullable=False)
    locale_id = Column(BigInteger, nullable=False)
    social_network = Column(String(150), nullable=True)
    updated_at = Column(DateTime, nullable=False, default=now_utc)


class Salesman(Base):
    """Names of the workspace's users this service has seen (salesmen, note authors, assignees), for
    views and sorting by salesman name; the directory never renames a user (contracts/directory.py)."""
    __tablename__ = "salesmen"
    workspace_id = Column(BigInteger, primary_key=True)
    user_id = Column(BigInteger, primary_key=True)
    name = Column(String(255), nullable=False)


class ImportKey(Base):
    """An import's Idempotency-Key: its first answer is replayed to retries."""
    __tablename__ = "import_keys"
    workspace_id = Column(BigInteger, primary_key=True)
    key = Column(String(255), primary_key=True)
    request_hash = Column(String(64), nullable=False)
    response = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)


outbox = outbox_table(Base.metadata)
