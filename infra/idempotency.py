"""The `Idempotency-Key` of a create: a retry with the same key and the same body answers what the
first request answered and writes nothing twice; the same key with another body is refused.

The key's row (a table of the service with the columns of `KeyColumns`) is written first, in the
create's own transaction, so a concurrent retry with the same key waits on the unique key and, once
the first commits, gets an IntegrityError: it then answers the first's stored answer.

    answer, replayed = run_once(ctx.db, ImportKey, workspace_id, key, payload, create,
                                invalid=InvalidThing, reused=KeyReused)

`create(claim)` does the create and calls `claim(answer)` with its JSON-able answer before it
commits (with no key, `claim` does nothing).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Optional

from sqlalchemy import Column, DateTime, String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infra.db import now_utc

MAX_KEY = 255
HEADER = "Idempotency-Key"


class KeyColumns:
    """The columns of a service's idempotency-key table (its primary key is (workspace_id, key))."""

    key = Column(String(MAX_KEY), primary_key=True)
    request_hash = Column(String(64), nullable=False)
    response = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=now_utc)


def request_hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    db: Session,
    model: Any,
    workspace_id: int,
    key: Optional[str],
    payload: Any,
    create: Callable[[Callable[[Any], None]], Any],
    invalid: type,
    reused: type,
) -> tuple[Any, bool]:
    """(answer, replayed): `create`'s answer, or the stored answer of the first request with `key`."""
    if key is None:
        return create(lambda answer: None), False
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise invalid("{} must be 1 to {} characters".format(HEADER, MAX_KEY), HEADER)
    digest = request_hash(payload)
    stored = _stored_answer(db, model, workspace_id, key, digest, reused)
    if stored is not None:
        return stored, True
    try:
        row = model(workspace_id=workspace_id, key=key, request_hash=digest)
        db.add(row)
        db.flush()  # first: a concurrent retry now waits on this key

        def claim(answer: Any) -> None:
            row.response = json.dumps(answer)

        return create(claim), False
    except IntegrityError:
        db.rollback()
        stored = _stored_answer(db, model, workspace_id, key, digest, reused)  # a concurrent retry won
        if stored is None:
            raise
        return stored, True


def _stored_answer(db: Session, model: Any, workspace_id: int, key: str, digest: str, reused: type) -> Any:
    row = db.get(model, (workspace_id, key))
    if row is None:
        return None
    if row.request_hash != digest:
        raise reused(field=HEADER)
    return json.loads(row.response)
