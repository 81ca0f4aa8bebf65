"""Importing prospects: `process` previews (writes nothing), `create` inserts every valid row in one
transaction. Both check and deduplicate the same way (domain.imports.plan); an Idempotency-Key makes
a retried create answer its first result and insert nothing twice."""
import hashlib
import json
import uuid
from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError

from infra.db import now_utc
from infra.outbox import record_events
from services.prospects.domain import imports, keys, timeline
from services.prospects.domain.catalog import source_of
from services.prospects.exceptions import IdempotencyKeyReused, InvalidProspect, MalformedPayload
from services.prospects.models import outbox
from services.prospects.store import imports as imports_store
from services.prospects.store import prospects as prospects_store
from services.prospects.store import totals
from services.prospects.usecases.access import own_only, remember_caller, require, users_by_email
from services.prospects.usecases.changes import event_of

MAX_KEY = 255


def _rows(rows):
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise MalformedPayload("The request body must be a JSON array of objects, one per row", "body")
    if not rows:
        raise InvalidProspect("At least one row is required", "body")
    if len(rows) > imports.MAX_ROWS:
        raise InvalidProspect("At most {} rows per call".format(imports.MAX_ROWS), "body")
    return rows


def _plan(ctx, rows):
    me = ctx.me
    email_keys, phone_keys = imports.keys_of(rows)
    salesman = own_only(me)
    emails, phones = {}, {}
    for holder in prospects_store.holders(ctx.db, me.workspace_id, email_keys, phone_keys):
        existing = imports.Existing(holder.id, salesman is None or holder.created_by == salesman,
                                    {"name": holder.name, "company_name": holder.company_name,
                                     "email_key": holder.email_key, "phone_key": holder.phone_key})
        if holder.email_key in email_keys:
            emails[holder.email_key] = existing
        if holder.phone_key in phone_keys:
            phones[holder.phone_key] = existing
    return imports.plan(rows, emails, phones, users_by_email(ctx, email_keys))


def process_prospects(ctx, rows):
    require(ctx)
    rows = _rows(rows)
    plan = _plan(ctx, rows)
    return {"inserts": [dict(rows[insert["row"]], row=insert["row"]) for insert in plan.inserts],
            "updates": plan.updates, "errors": plan.errors}


def create_prospects(ctx, rows, idempotency_key=None):
    """{"inserts": [{"id", "email"}], "errors": [...], "conflict": every row a duplicate, "replayed"}."""
    require(ctx)
    rows = _rows(rows)
    request_hash = None
    if idempotency_key is not None:
        if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= MAX_KEY:
            raise InvalidProspect("Idempotency-Key must be 1 to 255 characters", "Idempotency-Key")
        request_hash = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
        replay = _replay(ctx, idempotency_key, request_hash)
        if replay is not None:
            return replay
    try:
        return _create(ctx, rows, idempotency_key, request_hash)
    except IntegrityError:
        ctx.db.rollback()
        replay = _replay(ctx, idempotency_key, request_hash) if idempotency_key is not None else None
        if replay is None:  # not a concurrent retry that took the key first
            raise
        return replay


def _replay(ctx, key, request_hash):
    row = imports_store.import_key(ctx.db, ctx.me.workspace_id, key)
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise IdempotencyKeyReused(field="Idempotency-Key")
    return dict(json.loads(row.response), replayed=True)


def _new_row(me, clean, now):
    follow_up_id = timeline.initial_status(clean["type"], clean["follow_up_id"])
    move = timeline.move_to(follow_up_id, clean["type"], False, None, now.date())
    return {"uuid": str(uuid.uuid4()), "workspace_id": me.workspace_id, "type": move.type,
            "source": source_of(move.type), "status": 1, "name": clean["name"],
            "company_name": clean["company_name"], "search_key": keys.search_key(clean["company_name"], clean["name"]),
            "email": clean["email"], "email_key": clean["email_key"], "phone_code": clean["phone_code"],
            "phone": clean["phone"], "phone_key": clean["phone_key"], "locale_id": clean["locale_id"],
            "follow_up_id": follow_up_id, "follow_changed_at": now, "company_id": None, "created_by": me.user_id,
            "created_at": now, "updated_at": now, "version": 1, "channel": None, "account_value": 0, "balance": 0,
            "monthly_shipments": clean["monthly_shipments"], "commercial_offer_date": move.commercial_offer_date,
            "campaign": clean["campaign"], "has_recharge": False, "verified": False, "services": "",
            "onboarding_status": 0 if move.becomes_client else None}, move.becomes_client


def _insert(ctx, plan, now):
    """Inserts the plan's rows, numbered per source (Prospect.seq) without gaps. Answers the records
    inserted with whether each becomes a client, and an error for each row a concurrent write took."""
    me = ctx.me
    new = [(clean, *_new_row(me, clean, now)) for clean in plan.inserts]
    taken = {}
    for source in sorted({record["source"] for _, record, _ in new}):
        records = [record for _, record, _ in new if record["source"] == source]
        taken[source] = (imports_store.take_seqs(ctx.db, me.workspace_id, source, len(records)), len(records))
        for number, record in enumerate(records, taken[source][0]):
            record["seq"] = number
    inserted = imports_store.insert_prospects(ctx.db, [record for _, record, _ in new])
    created, raced = [], []
    for clean, record, becomes_client in new:
        if record["uuid"] in inserted:
            record["id"] = inserted[record["uuid"]]
            created.append((record, becomes_client))
        else:  # a concurrent write took its email or phone since the plan
            code = "DUPLICATE_EMAIL" if clean["email_key"] else "DUPLICATE_PHONE"
            raced.append({"row": clean["row"], "email": clean["email"], "code": code,
                          "message": "another write took this {} meanwhile".format(code[10:].lower())})
    if raced:
        for source, (first, count) in taken.items():
            imports_store.close_gaps(ctx.db, me.workspace_id, source, {record["id"]: record["seq"] for record, _
                                                                      in created if record["source"] == source},
                                     first, count)
    return created, raced


def _create(ctx, rows, idempotency_key, request_hash):
    me = ctx.me
    key_row = None
    if idempotency_key is not None:  # first, so a concurrent retry waits on this key
        key_row = imports_store.claim_key(ctx.db, me.workspace_id, idempotency_key, request_hash)
    plan = _plan(ctx, rows)
    now = now_utc()
    created, raced = _insert(ctx, plan, now)
    companies = imports_store.make_clients(ctx.db, me.workspace_id,
                                           [record["id"] for record, becomes_client in created if becomes_client], now)
    deltas = {}
    for record, _ in created:
        record["company_id"] = companies.get(record["id"])
        totals.add(deltas, totals.key_of(SimpleNamespace(**record)))
    totals.move(ctx.db, me.workspace_id, deltas)
    record_events(ctx.db, outbox, [event_of(SimpleNamespace(**record), "created") for record, _ in created])
    remember_caller(ctx)
    errors = sorted(plan.errors + raced, key=lambda error: error["row"])
    result = {"inserts": [{"id": record["id"], "email": record["email"]} for record, _ in created],
              "errors": errors,
              "conflict": not created and all(error["code"].startswith("DUPLICATE_") for error in errors)}
    if key_row is not None:
        key_row.response = json.dumps(result)
    ctx.db.commit()
    return dict(result, replayed=False)
