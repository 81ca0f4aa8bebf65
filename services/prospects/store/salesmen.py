"""The names of the workspace's users this service has met (salesmen, note authors, assignees)."""
from sqlalchemy import select, text

from services.prospects.models import Salesman

# text, compiled once; a name that did not change writes nothing
_REMEMBER = text("INSERT INTO salesmen (workspace_id, user_id, name) VALUES (:workspace_id, :user_id, :name)"
                 " ON CONFLICT (workspace_id, user_id) DO UPDATE SET name = excluded.name"
                 " WHERE salesmen.name <> excluded.name")


def remember(db, workspace_id, names):
    """`names`: {user id: "First Last"}."""
    rows = [{"workspace_id": workspace_id, "user_id": user_id, "name": name}
            for user_id, name in sorted(names.items())]
    if rows:
        db.execute(_REMEMBER, rows)


def names(db, workspace_id, user_ids):
    """{user id: name} of those known."""
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return {}
    return dict(db.execute(select(Salesman.user_id, Salesman.name)
                           .where(Salesman.workspace_id == workspace_id, Salesman.user_id.in_(ids))).all())
