"""Deals service: the opportunities of the deals API and their `opportunity_changed` events.

Every write changes the deal, bumps its `version` and records the event in the outbox in one
transaction; the OutboxRelay publishes it with publisher confirms afterwards. Every query is
scoped by the verified caller's workspace.
"""
import hashlib
import json

from sqlalchemy.exc import IntegrityError

from contracts.directory import DirectoryNames
from contracts.events import OPPORTUNITY_CHANGED
from infra.db import now_utc
from infra.entrypoints import rpc
from infra.events import envelope
from infra.outbox import OutboxRelay, record_event
from infra.service import ServiceBase
from infra.validation import load
from services.deals import domain, schemas, store, usecases
from services.deals.exceptions import IdempotencyKeyReused, InvalidDeal, InvalidQuery
from services.deals.models import Deal, IdempotencyKey, outbox

MAX_IDEMPOTENCY_KEY = 255
DIRECTORY_NAMES = DirectoryNames()  # the responsible users' names (contracts/directory.py)
DEAL_INPUT = schemas.DealInput()  # built once: building a schema per request was 11% of the service's CPU
DIRECTORY_TIMEOUT_SECONDS = 5


class DealsService(ServiceBase):
    name = "deals"

    relay = OutboxRelay(outbox)

    # --- the deals API --------------------------------------------------------------------------------
    @rpc
    def list_deals(self, args):
        me = self.identity()
        query = domain.parse_query(args or {}, me.user_id)
        deals, total = store.page(self.db, me.workspace_id, query)
        return {"deals": self._views(me, deals, query), "total": total, "page": query.page,
                "perpage": query.perpage, "next_cursor": store.next_cursor(deals, query)}

    @rpc
    def search_deals(self, args):
        me = self.identity()
        args = args or {}
        term = (args.get("name") or "").strip()
        if not term:
            raise InvalidQuery("is required", "name")
        query = domain.parse_query({k: v for k, v in args.items() if k != "name"}, me.user_id)
        deals = store.search(self.db, me.workspace_id, term, query.perpage)
        return self._views(me, deals, query)

    @rpc
    def deal_stats(self, args):
        me = self.identity()
        args = dict(args or {})
        currency = str(args.pop("currency", "") or "EUR").upper()
        total, amount = store.stats(self.db, me.workspace_id, domain.parse_query(args, me.user_id), currency)
        return {"total_entries": total, "sum": domain.json_number(amount), "currency": currency.lower()}

    @rpc
    def get_deal(self, deal_id, args=None):
        me = self.identity()
        query = domain.parse_query(args or {}, me.user_id)
        return self._views(me, [store.get_live(self.db, me.workspace_id, deal_id)], query)[0]

    @rpc
    def create_deal(self, payload, idempotency_key=None):
        me = self.identity()
        data = self._load(payload, partial=False)
        self._check_user(me, data)
        request_hash = None
        if idempotency_key is not None:
            if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
                raise InvalidDeal("must be 1 to 255 characters", "Idempotency-Key")
            request_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
            replay = self._replay(me.workspace_id, idempotency_key, request_hash)
            if replay is not None:
                return replay
        try:
            return self._create(me, data, idempotency_key, request_hash)
        except IntegrityError:
            self.db.rollback()
            if idempotency_key is None:
                raise
            replay = self._replay(me.workspace_id, idempotency_key, request_hash)  # a concurrent retry won
            if replay is None:
                raise
            return replay

    @rpc
    def update_deal(self, deal_id, payload):
        me = self.identity()
        data = self._load(payload, partial=True)
        self._check_user(me, data)
        deal = store.get_live(self.db, me.workspace_id, deal_id, for_update=True)
        before = store.totals_key(deal)
        now = now_utc()
        store.apply_fields(deal, data, now)
        deal.updated_at = now
        deal.version += 1
        store.replace_nested(self.db, me.workspace_id, deal, data)
        self._record(deal, "updated", before)
        self.db.commit()
        return {"deal": schemas.deal_view(deal)}

    @rpc
    def delete_deal(self, deal_id):
        me = self.identity()
        deal = store.get_live(self.db, me.workspace_id, deal_id, for_update=True)
        view = schemas.deal_view(deal)
        before = store.totals_key(deal)
        deal.deleted_at = now_utc()
        deal.version += 1
        self._record(deal, "deleted", before)
        self.db.commit()
        return {"deal": view}

    @rpc
    def list_custom_field_types(self):
        me = self.identity()
        return [{"id": type_id, "name": name} for type_id, name in store.custom_field_types(self.db, me.workspace_id)]

    # --- for other services (workspace given by the calling service) ------------------------------------
    @rpc
    def deals_in_workspace(self, workspace_id, ids=None, uuids=None, names=None):
        return usecases.deals_in_workspace(self.context(), workspace_id, ids, uuids, names)

    # --- for consumers rebuilding their projection (docs/events.md) ------------------------------------
    @rpc
    def list_opportunities(self, workspace_id=None, after_id=0, limit=500):
        after_id, limit = int(after_id or 0), max(1, min(int(limit or 500), 1000))
        deals = store.opportunities_after(self.db, None if workspace_id is None else int(workspace_id), after_id,
                                          limit)
        return {"opportunities": [{"aggregate_id": deal.uuid, "version": deal.version,
                                   "workspace_id": deal.workspace_id,
                                   "snapshot": None if deal.deleted_at else schemas.snapshot(deal)}
                                  for deal in deals],
                "next_after_id": deals[-1].id if len(deals) == limit else None}

    # --- helpers ----------------------------------------------------------------------------------------
    def _create(self, me, data, idempotency_key, request_hash):
        key_row = None
        if idempotency_key is not None:  # first, so a concurrent retry waits on this key
            key_row = IdempotencyKey(workspace_id=me.workspace_id, key=idempotency_key, request_hash=request_hash)
            self.db.add(key_row)
            self.db.flush()
        now = now_utc()
        deal = Deal(workspace_id=me.workspace_id, user_id=me.user_id, currency="EUR", type="sale",
                    current_state=None, finished_at=None, created_at=now, updated_at=now, version=1)
        store.apply_fields(deal, data, now)
        self.db.add(deal)
        self.db.flush()
        store.replace_nested(self.db, me.workspace_id, deal, data)
        result = {"deal": schemas.deal_view(deal), "replayed": False}
        if key_row is not None:
            key_row.deal_id = deal.id
            key_row.response = json.dumps(result["deal"])
        self._record(deal, "created")
        self.db.commit()
        return result

    def _replay(self, workspace_id, key, request_hash):
        row = self.db.get(IdempotencyKey, (workspace_id, key))
        if row is None:
            return None
        if row.request_hash != request_hash:
            raise IdempotencyKeyReused(field="Idempotency-Key")
        return {"deal": json.loads(row.response), "replayed": True}

    def _record(self, deal, change, totals_before=None):
        """The deal's event into the outbox and its move in deal_totals, the last writes before commit."""
        self.db.flush()
        record_event(self.db, outbox, envelope(OPPORTUNITY_CHANGED, deal.workspace_id, "opportunity", deal.uuid,
                                               deal.version, change,
                                               None if change == "deleted" else schemas.snapshot(deal)))
        store.move_totals(self.db, deal.workspace_id, totals_before, store.totals_key(deal))

    @staticmethod
    def _load(payload, partial):
        if not isinstance(payload, dict) or not isinstance(payload.get("deal"), dict):
            raise InvalidDeal("is required: send {\"deal\": {...}}", "deal")
        return load(DEAL_INPUT, payload["deal"], InvalidDeal, partial=partial)

    def _check_user(self, me, data):
        """The responsible user must be a user of the caller's workspace."""
        user_id = data.get("user_id")
        if user_id is None or user_id == me.user_id:
            return
        found = self._directory("users_in_workspace", me.workspace_id, user_ids=[user_id])
        if not found:
            raise InvalidDeal("is not a user of this workspace", "user_id")

    def _directory(self, method, *args, **kwargs):
        return self.context().call("directory", method, *args, timeout=DIRECTORY_TIMEOUT_SECONDS, **kwargs)

    def _views(self, me, deals, query):
        names = {}
        if "responsible_user_natural_name" in query.methods:
            user_ids = sorted({deal.user_id for deal in deals if deal.user_id is not None})
            users = DIRECTORY_NAMES.users(self._directory, me.workspace_id, user_ids)  # only unseen ids cost a call
            names = {user["id"]: "{} {}".format(user["first_name"], user["last_name"]).strip()
                     for user in users.values()}
        extras = store.extras(self.db, deals, query, names)
        return [{"deal": schemas.deal_view(deal, extras[deal.id])} for deal in deals]
