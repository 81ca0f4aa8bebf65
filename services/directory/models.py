from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase

from infra.db import new_uuid, now_utc
from infra.outbox import outbox_table


class Base(DeclarativeBase):
    pass


class Workspace(Base):
    __tablename__ = "workspaces"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    name = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False, default=now_utc)


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, ForeignKey("workspaces.id"), nullable=False)
    email = Column(String(254), nullable=False, unique=True)  # login is by email alone
    password_hash = Column(String(255), nullable=False)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    is_owner = Column(Boolean, nullable=False, default=False)
    # permission names granted (contracts.permissions); an owner holds them all whatever is stored
    permissions = Column(JSON, nullable=False, default=list, server_default=text("'[]'"))
    active = Column(Boolean, nullable=False, default=True, server_default=text("true"))
    # when the permissions or `active` last changed (what infra.access compares token issue times with)
    access_changed_at = Column(DateTime, nullable=True)
    version = Column(Integer, nullable=False, default=1, server_default=text("1"))  # of its user_changed events
    created_at = Column(DateTime, nullable=False, default=now_utc)
    __table_args__ = (Index("ix_users_workspace", "workspace_id", "id"),
                      Index("ix_users_access_changed_at", "access_changed_at"))


class Group(Base):
    __tablename__ = "groups"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, ForeignKey("workspaces.id"), nullable=False)
    name = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_groups_workspace_name"),)


class GroupMember(Base):
    __tablename__ = "group_members"
    group_id = Column(Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_group_members_user", "user_id"),)


class Campaign(Base):
    __tablename__ = "campaigns"
    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, ForeignKey("workspaces.id"), nullable=False)
    name = Column(String(120), nullable=False)
    start_date = Column(Date, nullable=False)
    end_date = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=now_utc)
    __table_args__ = (Index("ix_campaigns_workspace", "workspace_id", "id"),)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    uuid = Column(String(36), nullable=False, unique=True, default=new_uuid)
    workspace_id = Column(Integer, ForeignKey("workspaces.id"), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    name = Column(String(120), nullable=False)
    prefix = Column(String(16), nullable=False)
    key_hash = Column(String(64), nullable=False, unique=True)  # sha256 of the whole key
    created_at = Column(DateTime, nullable=False, default=now_utc)
    revoked_at = Column(DateTime, nullable=True)
    __table_args__ = (Index("ix_api_keys_workspace", "workspace_id", "id"),)


outbox = outbox_table(Base.metadata)
