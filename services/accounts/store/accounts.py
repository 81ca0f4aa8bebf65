"""Accounts, their contacts and fields: reads and writes by the verified caller's workspace."""
from sqlalchemy import bindparam, or_, select

from services.accounts.models import Account

# accounts_in_workspace: live accounts by uuid or exact name, by name then id (callers take the first
# of a name); the IN lists are expanding parameters, so the statement is built once.
_LIVE_BY_UUID_OR_NAME = (
    select(Account.uuid, Account.name, Account.country, Account.tax_id, Account.inactivation_date)
    .where(Account.workspace_id == bindparam("workspace_id"), Account.deleted_at.is_(None),
           or_(Account.uuid.in_(bindparam("uuids", expanding=True)),
               Account.name.in_(bindparam("names", expanding=True))))
    .order_by(Account.name, Account.id))


def live_accounts_matching(db, workspace_id, uuids, names):
    """Rows (uuid, name, country, tax_id, inactivation_date) of the workspace's live accounts whose uuid
    is one of `uuids` or whose name is one of `names`."""
    return db.execute(_LIVE_BY_UUID_OR_NAME, {"workspace_id": workspace_id, "uuids": list(uuids),
                                              "names": list(names)}).all()
