"""The deals service's use cases: one function per RPC entrypoint, taking a Context (`ctx.db` the
session, `ctx.me` the verified caller, `ctx.call` other services with a deadline).

Every write changes the deal, bumps its `version` and records `opportunity_changed` in the outbox
and its move in deal_totals in one transaction; the OutboxRelay publishes the event afterwards.
Every query is scoped by the verified caller's workspace, except the methods other services call
with a workspace of their own verified caller (`deals_in_workspace`, `list_opportunities`).
"""
from functools import partial

import eventlet
from nameko.exceptions import UnknownService

from contracts.directory import BoundedSet, DirectoryNames
from contracts.events import OPPORTUNITY_CHANGED
from infra import idempotency, settings
from infra.db import now_utc
from infra.errors import ServiceTimeout, ServiceUnavailable
from infra.events import envelope
from infra.outbox import record_event
from infra.validation import load
from services.deals import domain, schemas, store
from services.deals.exceptions import IdempotencyKeyReused, InvalidDeal, InvalidQuery
from services.deals.models import IdempotencyKey, outbox

DIRECTORY_NAMES = DirectoryNames()  # the responsible users' names (contracts/directory.py)
DEAL_INPUT = schemas.DealInput()  # built once: building a schema per request was 11% of the service's CPU
DEAL_LOOKUP = schemas.DealLookup()
# a deal's reference (domain.REFERENCE_FIELDS) -> the RPC that finds it in a workspace, the keyword
# of the list it looks up, and what a client is told when it is not there
REFERENCES = {
    "user_id": ("directory", "users_in_workspace", "user_ids", "is not a user of this workspace"),
    "account_uuid": ("accounts", "accounts_in_workspace", "uuids", "is not an account of this workspace"),
    "campaign_uuid": ("directory", "campaigns_in_workspace", "campaign_uuids", "is not a campaign of this workspace"),
}

# A user or a campaign found in a workspace stays in it (the directory deletes neither, nor moves them):
# once found, this process does not ask again. An account can be deleted: it is asked every time.
LASTING_REFERENCES = ("user_id", "campaign_uuid")
KNOWN_REFERENCES = BoundedSet(50_000)  # (reference, workspace id, value) found


# --- reads ----------------------------------------------------------------------------------------------
def list_deals(ctx, args):
    query = domain.parse_query(args or {}, ctx.me.user_id)
    deals, total = store.page(ctx.db, ctx.me.workspace_id, query)
    return {"deals": _views(ctx, deals, query), "total": total, "page": query.page, "perpage": query.perpage,
            "next_cursor": domain.next_cursor(deals, query.order, query.perpage)}


def search_deals(ctx, args):
    args = args or {}
    term = (args.get("name") or "").strip()
    if not term:
        raise InvalidQuery("is required", "name")
    query = domain.parse_query({k: v for k, v in args.items() if k != "name"}, ctx.me.user_id)
    return _views(ctx, store.search(ctx.db, ctx.me.workspace_id, term, query.perpage), query)


def deal_stats(ctx, args):
    args = dict(args or {})
    currency = str(args.pop("currency", "") or "EUR").upper()
    query = domain.parse_query(args, ctx.me.user_id)
    total, amount = store.stats(ctx.db, ctx.me.workspace_id, query, currency)
    return {"total_entries": total, "sum": domain.json_number(amount), "currency": currency.lower()}


def get_deal(ctx, deal_id, args=None):
    query = domain.parse_query(args or {}, ctx.me.user_id)
    return _views(ctx, [store.read_live(ctx.db, ctx.me.workspace_id, deal_id)], query)[0]


def list_custom_field_types(ctx):
    return [{"id": type_id, "name": name} for type_id, name in store.custom_field_types(ctx.db, ctx.me.workspace_id)]


# --- writes ---------------------------------------------------------------------------------------------
def create_deal(ctx, payload, idempotency_key=None):
    """{"deal", "replayed"}: a retry with the same Idempotency-Key and body answers the first create."""
    data = _load(payload, partial=False)
    _check_references(ctx, data, {})
    deal, replayed = idempotency.run_once(ctx.db, IdempotencyKey, ctx.me.workspace_id, idempotency_key, payload,
                                          lambda claim: _create(ctx, data, claim), invalid=InvalidDeal,
                                          reused=IdempotencyKeyReused)
    return {"deal": deal, "replayed": replayed}


def update_deal(ctx, deal_id, payload):
    data = _load(payload, partial=True)
    if any(name in data for name in domain.REFERENCE_FIELDS):  # read unlocked: no lock is held across the RPCs
        _check_references(ctx, data, store.live_references(ctx.db, ctx.me.workspace_id, deal_id))
    locked = store.lock_live(ctx.db, ctx.me.workspace_id, deal_id)
    now = now_utc()
    deal = store.write_changes(ctx.db, locked, domain.deal_changes(store.state_of(locked), data, now), now)
    store.replace_nested(ctx.db, ctx.me.workspace_id, deal, data)
    _record(ctx, deal, "updated", store.totals_key(locked))
    ctx.db.commit()
    return {"deal": schemas.deal_view(deal)}


def delete_deal(ctx, deal_id):
    deal = store.get_live(ctx.db, ctx.me.workspace_id, deal_id, for_update=True)
    view = schemas.deal_view(deal)
    before = store.totals_key(deal)
    store.delete_deal(deal, now_utc())
    _record(ctx, deal, "deleted", before)
    ctx.db.commit()
    return {"deal": view}


# --- for other services -----------------------------------------------------------------------------------
def deals_in_workspace(ctx, workspace_id, ids=None, uuids=None, names=None):
    """The workspace's live deals with one of `ids`, `uuids` or exact `names` (a deal matching any
    list is answered once), ordered by name then id, at most schemas.MAX_LOOKUP of them."""
    data = load(DEAL_LOOKUP, {"workspace_id": workspace_id, "ids": ids, "uuids": uuids, "names": names},
                InvalidQuery)
    if data["ids"] is None and data["uuids"] is None and data["names"] is None:
        raise InvalidQuery("give ids, uuids or names", "ids")
    ids = [deal_id for deal_id in data["ids"] or () if deal_id <= domain.MAX_ID]  # a larger one cannot exist
    rows = store.deals_matching(ctx.db, data["workspace_id"], ids, data["uuids"], data["names"], schemas.MAX_LOOKUP)
    return [schemas.deal_reference(row) for row in rows]


def list_opportunities(ctx, workspace_id=None, after_id=0, limit=500):
    """Every deal (deleted ones with snapshot None) for consumers rebuilding their projection."""
    after_id, limit = int(after_id or 0), max(1, min(int(limit or 500), 1000))
    workspace_id = None if workspace_id is None else int(workspace_id)
    deals = store.opportunities_after(ctx.db, workspace_id, after_id, limit)
    return {"opportunities": [{"aggregate_id": deal.uuid, "version": deal.version, "workspace_id": deal.workspace_id,
                               "snapshot": None if deal.deleted_at else schemas.snapshot(deal)} for deal in deals],
            "next_after_id": deals[-1].id if len(deals) == limit else None}


# --- helpers --------------------------------------------------------------------------------------------
def _create(ctx, data, claim):
    me = ctx.me
    now = now_utc()
    deal = store.add_deal(ctx.db, me.workspace_id, me.user_id, domain.deal_changes({}, data, now), now)
    store.replace_nested(ctx.db, me.workspace_id, deal, data)
    view = schemas.deal_view(deal)
    claim(view)
    _record(ctx, deal, "created")
    ctx.db.commit()
    return view


def _record(ctx, deal, change, totals_before=None):
    """The deal's event into the outbox and its move in deal_totals, the last writes before commit."""
    ctx.db.flush()
    snapshot = None if change == "deleted" else schemas.snapshot(deal)
    record_event(ctx.db, outbox, envelope(OPPORTUNITY_CHANGED, deal.workspace_id, "opportunity", deal.uuid,
                                          deal.version, change, snapshot))
    store.move_totals(ctx.db, deal.workspace_id, totals_before, store.totals_key(deal))


def _load(payload, partial):
    if not isinstance(payload, dict) or not isinstance(payload.get("deal"), dict):
        raise InvalidDeal("is required: send {\"deal\": {...}}", "deal")
    return load(DEAL_INPUT, payload["deal"], InvalidDeal, partial=partial)


def _check_references(ctx, data, current):
    """The responsible user, account and campaign `data` sets must be found in the caller's
    workspace (asked from their services at once); InvalidDeal naming each that is not. A
    reference the deal already holds (`current`) is not asked again. A service that does not
    answer is a ServiceUnavailable or ServiceTimeout (503/504)."""
    wanted = domain.references_to_check(data, current, ctx.me.user_id)
    workspace_id = ctx.me.workspace_id

    def found(name):
        service, method, keyword, _ = REFERENCES[name]
        try:
            return bool(ctx.call(service, method, workspace_id, timeout=_call_timeout(), **{keyword: [wanted[name]]}))
        except ServiceTimeout:  # 504 / 503 naming what could not be checked
            raise ServiceTimeout("could not be checked: the {} service did not answer".format(service), name)
        except (ServiceUnavailable, UnknownService):
            raise ServiceUnavailable("could not be checked: the {} service is unavailable".format(service), name)

    names = [name for name in wanted if (name, workspace_id, wanted[name]) not in KNOWN_REFERENCES]
    answers = eventlet.GreenPool(len(names)).imap(found, names) if len(names) > 1 else map(found, names)
    errors = {}
    for name, ok in zip(names, list(answers)):
        if not ok:
            errors[name] = [REFERENCES[name][3]]
        elif name in LASTING_REFERENCES:
            KNOWN_REFERENCES.add((name, workspace_id, wanted[name]))
    if errors:
        first = next(iter(errors))
        raise InvalidDeal(errors[first][0], first, errors)


def _directory(ctx, method, *args, **kwargs):
    return ctx.call("directory", method, *args, timeout=_call_timeout(), **kwargs)


def _call_timeout():
    """Half the caller's own deadline (RPC_TIMEOUT_SECONDS), so a service that does not answer us is
    our 504 naming it, before the gateway gives up on us."""
    return settings.get().rpc_timeout_seconds / 2


def _views(ctx, deals, query):
    names = {}
    if "responsible_user_natural_name" in query.methods:
        user_ids = sorted({deal.user_id for deal in deals if deal.user_id is not None})
        # only the ids this process has not seen yet cost a call
        users = DIRECTORY_NAMES.users(partial(_directory, ctx), ctx.me.workspace_id, user_ids)
        names = {user["id"]: "{} {}".format(user["first_name"], user["last_name"]).strip() for user in users.values()}
    extras = store.extras(ctx.db, deals, query, names)
    return [{"deal": schemas.deal_view(deal, extras[deal.id])} for deal in deals]
