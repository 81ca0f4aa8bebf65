"""Accounts, their contacts and fields: reads and writes by the verified caller's workspace."""
from sqlalchemy import String, any_, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from infra.reads import Read
from services.accounts.models import Account, Contact, Field

# accounts_in_workspace: live accounts by uuid or exact name, by name then id (callers take the first
# of a name); the IN lists are expanding parameters, so the statement is built once.
_LIVE_BY_UUID_OR_NAME = (
    select(Account.uuid, Account.name, Account.country, Account.tax_id, Account.inactivation_date)
    .where(Account.workspace_id == bindparam("workspace_id"), Account.deleted_at.is_(None),
           or_(Account.uuid.in_(bindparam("uuids", expanding=True)),
               Account.name.in_(bindparam("names", expanding=True))))
    .order_by(Account.name, Account.id))
_LIVE_BY_UUID_OR_NAME_READ = Read(  # PostgreSQL: the lists as arrays, so it is compiled once
    select(Account.uuid, Account.name, Account.country, Account.tax_id, Account.inactivation_date)
    .where(Account.workspace_id == bindparam("workspace_id"), Account.deleted_at.is_(None),
           or_(Account.uuid == any_(bindparam("uuids", type_=ARRAY(String))),
               Account.name == any_(bindparam("names", type_=ARRAY(String)))))
    .order_by(Account.name, Account.id), elsewhere=_LIVE_BY_UUID_OR_NAME)
_LIVE_ACCOUNT = select(Account).where(Account.workspace_id == bindparam("workspace_id"),
                                      Account.uuid == bindparam("uuid"), Account.deleted_at.is_(None))
_LIVE_ACCOUNT_LOCKED = _LIVE_ACCOUNT.with_for_update()
_BY_TAX_KEY = (select(Account).where(Account.workspace_id == bindparam("workspace_id"), Account.deleted_at.is_(None),
                                     Account.tax_key == bindparam("tax_key")).order_by(Account.id).limit(1))
_BY_TAX_KEY_IN_COUNTRY = _BY_TAX_KEY.where(Account.country == bindparam("country"))
_CONTACT = select(Contact).where(Contact.account_id == bindparam("account_id"),
                                 Contact.contact_uuid == bindparam("contact_uuid"))
_FIELD = select(Field).where(Field.account_id == bindparam("account_id"), Field.field_uuid == bindparam("field_uuid"))
_accounts = Account.__table__
_LIVE_ACCOUNT_ROW = Read(select(_accounts).where(_accounts.c.workspace_id == bindparam("workspace_id"),
                                                 _accounts.c.uuid == bindparam("uuid"),
                                                 _accounts.c.deleted_at.is_(None)))
_MOVE_HECTARES = (update(_accounts).where(_accounts.c.id == bindparam("account_id"))
                  .values(field_count=_accounts.c.field_count + bindparam("count_delta"),
                          total_hectares=_accounts.c.total_hectares + bindparam("hectares_delta",
                                                                                  type_=Field.hectares.type)))


def live_accounts_matching(db, workspace_id, uuids, names):
    """Rows (uuid, name, country, tax_id, inactivation_date) of the workspace's live accounts whose uuid
    is one of `uuids` or whose name is one of `names`."""
    return _LIVE_BY_UUID_OR_NAME_READ.all(db, {"workspace_id": workspace_id, "uuids": list(uuids),
                                               "names": list(names)})


def live_account(db, workspace_id, account_uuid, lock=False):
    """The workspace's live account of that uuid, or None; `lock`: FOR UPDATE (the lock the deals
    consumer's counter update takes too, so a check sees committed counts)."""
    return db.scalar(_LIVE_ACCOUNT_LOCKED if lock else _LIVE_ACCOUNT,
                     {"workspace_id": workspace_id, "uuid": account_uuid})


def read_live_account(db, workspace_id, account_uuid):
    """The workspace's live account of that uuid as a row (its columns as attributes), read outside a
    transaction to show it (infra.reads), or None."""
    return _LIVE_ACCOUNT_ROW.one_or_none(db, {"workspace_id": workspace_id, "uuid": account_uuid})


def oldest_with_tax_key(db, workspace_id, tax_key, country=None):
    """The oldest live account of the workspace with that tax key (in that country, if given), or None."""
    if country is None:
        return db.scalar(_BY_TAX_KEY, {"workspace_id": workspace_id, "tax_key": tax_key})
    return db.scalar(_BY_TAX_KEY_IN_COUNTRY, {"workspace_id": workspace_id, "tax_key": tax_key, "country": country})


def add(db, row):
    """A new account, contact or field, written at the next flush or commit."""
    db.add(row)
    return row


def new_account(db, **values):
    return add(db, Account(**values))


def new_contact(db, account, **values):
    return add(db, Contact(account_id=account.id, workspace_id=account.workspace_id, **values))


def new_field(db, account, **values):
    return add(db, Field(account_id=account.id, workspace_id=account.workspace_id, **values))


def contact_of(db, account, contact_uuid):
    return db.scalar(_CONTACT, {"account_id": account.id, "contact_uuid": contact_uuid})


def field_of(db, account, field_uuid):
    return db.scalar(_FIELD, {"account_id": account.id, "field_uuid": field_uuid})


def remove(db, row):
    """Deletes a contact or a field at the next flush or commit."""
    db.delete(row)


def move_hectares(db, account, count_delta, hectares_delta):
    """Adds to the account's field count and total hectares (in the database, not read-modify-write)."""
    db.execute(_MOVE_HECTARES, {"account_id": account.id, "count_delta": count_delta,
                                "hectares_delta": hectares_delta})
