"""The benchmark's data set, bulk-loaded with PostgreSQL COPY straight into each service's database,
consistent across services as if every deal's `opportunity_changed` had been consumed.

Per workspace:
- directory: the workspace and its owner by sign-up, campaigns and groups through the API; the
  other users (the benchmark's callers) COPY'd into the directory database with a real password
  hash (they can log in), their tokens issued with the platform's own `infra.auth.issue_token`;
- deals: N deals spread over accounts, campaigns, users, states, types, products (sale inputs,
  purchase crops/varieties), units and currencies; a few soft-deleted (version 2);
- accounts: accounts with contacts and fields, the deals projection (`opportunity_projection`)
  and every account's counters computed from the same deals;
- goals: goals (workspace-wide, assigned to users, assigned to a group), the opportunity
  projection and every goal's contributions and figures computed with the service's own rule
  (`services.goals.domain.contribution`), so `python -m services.goals.cli reconcile --local`
  finds no drift.

Column lists are checked against the services' SQLAlchemy models, so a schema change fails loudly
here instead of loading wrong data. Big tables are loaded with their secondary indexes dropped and
rebuilt afterwards (faster than maintaining them row by row); everything is VACUUM ANALYZEd.

    SIZES["full"]  one workspace with 100,000 accounts, 1,000,000 deals, 10,000 goals + 4 small ones
    SIZES["quick"] the same shape, about 20 times smaller
"""
import contextlib
import io
import random
import time
import uuid
from types import SimpleNamespace
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import psycopg2
import psycopg2.extensions
from werkzeug.security import generate_password_hash

from infra.auth import Caller, issue_token
from infra.reference import CURRENCIES_BY_CODE
from services.accounts import domain as accounts_domain
from services.accounts import models as accounts_models
from services.deals import models as deals_models
from services.deals import store as deals_store
from services.directory import models as directory_models
from services.goals import domain as goals_domain
from services.goals import models as goals_models


@dataclass(frozen=True)
class Size:
    accounts: int
    deals: int
    goals: int
    users: int        # callers besides the owner
    campaigns: int
    groups: int
    inputs: int = 40  # sale products
    crops: int = 10   # purchase products, 3 varieties each


SIZES = {
    "full": {"big": Size(accounts=100_000, deals=1_000_000, goals=10_000, users=400, campaigns=20, groups=20),
             "small": Size(accounts=1_000, deals=10_000, goals=100, users=20, campaigns=4, groups=2),
             "small_count": 4},
    "quick": {"big": Size(accounts=5_000, deals=50_000, goals=500, users=200, campaigns=10, groups=10),
              "small": Size(accounts=200, deals=2_000, goals=20, users=20, campaigns=2, groups=2),
              "small_count": 2},
}

PASSWORD = "bench-password-123"
INDEX_REBUILD_MIN_ROWS = 100_000  # below this, rows go into the indexed tables directly
CHUNK = 20_000

WORDS = ["Agro", "Campo", "Semillas", "Granos", "Cosecha", "Tierra", "Rio", "Sol", "Pampa", "Norte", "Sur",
         "Valle", "Monte", "Lago", "Verde", "Oro", "Trigo", "Maiz", "Soja", "Girasol"]
STATES = ("open_0", "open_25", "open_50", "open_75", "won", "lost")
STATE_WEIGHTS = (15, 15, 10, 10, 30, 20)
TYPES = ("sale", "purchase", "exchange")
TYPE_WEIGHTS = (60, 30, 10)
UNITS = (1, 2, 8, 11, 4, 5, 10)  # kg, t, q, bag50, lb, l, u (l and u never convert to mass goals)
UNIT_WEIGHTS = (40, 20, 10, 10, 5, 10, 5)
CURRENCIES = ("EUR", "USD", "ARS", "BRL")
CURRENCY_WEIGHTS = (50, 30, 10, 10)
BASE_TIME = datetime(2024, 1, 1)


# --- COPY helpers ------------------------------------------------------------------------------------
def checked_columns(table, names):
    """`names` after checking them against the model's table: all exist, and no NOT NULL column
    without a server default is left out."""
    columns = table.columns
    unknown = [name for name in names if name not in columns]
    missing = [c.name for c in columns if not c.nullable and c.server_default is None and c.name not in names
               and not (c.primary_key and c.autoincrement in (True, "auto") and len(table.primary_key.columns) == 1)]
    if unknown or missing:
        raise RuntimeError("dataset columns of {} out of date: unknown {} missing {}".format(table.name, unknown, missing))
    return tuple(names)


def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


class CopyBuffer:
    def __init__(self, table, names):
        self.table, self.names = table.name, checked_columns(table, names)
        self.buffer, self.rows = io.StringIO(), 0

    def add(self, row):
        self.buffer.write("\t".join(_text(v) for v in row))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, connection):
        if self.rows:
            self.buffer.seek(0)
            with connection.cursor() as cursor, _blocking_driver():
                cursor.copy_expert("COPY {} ({}) FROM STDIN".format(self.table, ", ".join(self.names)), self.buffer)
        self.buffer, self.rows = io.StringIO(), 0


@contextlib.contextmanager
def _blocking_driver():
    """COPY refuses psycopg2's green wait callback (set under eventlet, e.g. in the test suite)."""
    callback = psycopg2.extensions.get_wait_callback()
    if callback is not None:
        psycopg2.extensions.set_wait_callback(None)
    try:
        yield
    finally:
        if callback is not None:
            psycopg2.extensions.set_wait_callback(callback)


def _connect(url):
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        try:  # a bulk loader whose rows are consistent by construction: skip per-row FK triggers
            cursor.execute("SET session_replication_role = replica")
        except psycopg2.Error:
            connection.rollback()
    connection.commit()
    return connection


def _max_id(connection, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM {}".format(table))
        return cursor.fetchone()[0]


def _reset_sequence(connection, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT max(id) FROM {}), 1))"
                       .format(table), (table,))
    connection.commit()


class WithoutIndexes:
    """Drops the secondary indexes of `tables` (not those behind constraints) and rebuilds them."""

    def __init__(self, connection, tables, enabled=True):
        self.connection, self.tables, self.enabled, self.definitions = connection, list(tables), enabled, []

    def __enter__(self):
        if not self.enabled:
            return self
        with self.connection.cursor() as cursor:
            cursor.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                              FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                              WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
                                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                           (self.tables,))
            self.definitions = cursor.fetchall()
            for name, _ in self.definitions:
                cursor.execute("DROP INDEX {}".format(name))
        self.connection.commit()
        return self

    def __exit__(self, *exc):
        if self.definitions:
            self.connection.rollback()
            with self.connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _, definition in self.definitions:
                    cursor.execute(definition)
            self.connection.commit()
        return False


def vacuum_analyze(url):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


# --- what a loaded workspace looks like to the benchmark -----------------------------------------------
@dataclass
class Caller_:
    id: int
    uuid: str
    token: str


@dataclass
class LoadedWorkspace:
    name: str
    id: int
    uuid: str
    owner: Caller_
    size: Size
    users: list = field(default_factory=list)          # Caller_ of every non-owner user
    campaigns: list = field(default_factory=list)      # {"uuid", "name"}
    groups: list = field(default_factory=list)         # {"id", "members"}
    inputs: list = field(default_factory=list)
    account_uuids: list = field(default_factory=list)
    goal_uuids: list = field(default_factory=list)
    live_deal_ids: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    @property
    def callers(self):
        return self.users or [self.owner]


# --- the loader ----------------------------------------------------------------------------------------
class DatasetLoader:
    """Loads workspaces into a running system: `api` is tests.support.client.Api on its gateway,
    `database_urls` the services' databases, `jwt_secret` the platform's token secret."""

    def __init__(self, api, database_urls, jwt_secret, seed=1, log=print):
        self.api, self.urls, self.secret, self.seed, self.log = api, database_urls, jwt_secret, seed, log
        self.password_hash = generate_password_hash(PASSWORD)
        self.run_tag = uuid.uuid4().hex[:8]

    def load_workspace(self, name, size, rebuild_indexes=None):
        rng = random.Random("{}-{}".format(self.seed, name))
        started = time.perf_counter()
        rebuild = size.deals >= INDEX_REBUILD_MIN_ROWS if rebuild_indexes is None else rebuild_indexes
        ws = self._directory(name, size, rng)
        ws.seconds["directory"] = round(time.perf_counter() - started, 1)
        mark = time.perf_counter()
        accounts = self._plan_accounts(ws, size, rng)
        goals = self._load_goals(ws, size, rng)
        ws.seconds["goals"] = round(time.perf_counter() - mark, 1)
        mark = time.perf_counter()
        counters, sums = self._load_deals(ws, size, rng, accounts, goals, rebuild)
        ws.seconds["deals_projections_contributions"] = round(time.perf_counter() - mark, 1)
        mark = time.perf_counter()
        self._load_accounts(ws, accounts, counters, rng, rebuild)
        self._store_figures(ws, goals, sums)
        ws.seconds["accounts_figures"] = round(time.perf_counter() - mark, 1)
        ws.seconds["total"] = round(time.perf_counter() - started, 1)
        self.log("    {}: {} accounts, {} deals, {} goals, {} contributions, {} users in {}s".format(
            name, ws.counts["accounts"], ws.counts["deals"], ws.counts["goals"], ws.counts["contributions"],
            ws.counts["users"], ws.seconds["total"]))
        return ws

    def users_workspace(self, name, users):
        """A signed-up workspace with `users` more users (real password hashes, tokens issued), no
        other data: for scenario modules whose requests must rotate over many callers."""
        size = SimpleNamespace(users=users, campaigns=0, groups=0, inputs=0)
        return self._directory(name, size, random.Random("{}-{}".format(self.seed, name)))

    def analyze(self):
        for service in ("directory", "accounts", "deals", "goals"):
            vacuum_analyze(self.urls[service])

    # --- directory ------------------------------------------------------------------------------------
    def _directory(self, name, size, rng):
        signup = self.api.signup(workspace=name)
        workspace = signup.workspace
        owner = Caller_(signup.owner["id"], signup.owner["uuid"], signup.token)
        ws = LoadedWorkspace(name=name, id=workspace["id"], uuid=workspace["uuid"], owner=owner, size=size)
        connection = _connect(self.urls["directory"])
        users = CopyBuffer(directory_models.User.__table__,
                           ("uuid", "workspace_id", "email", "password_hash", "first_name", "last_name", "is_owner",
                            "created_at"))
        for index in range(size.users):
            users.add((str(uuid.UUID(int=rng.getrandbits(128), version=4)), ws.id,
                       "bench-{}-{}-{}@example.test".format(self.run_tag, ws.id, index), self.password_hash,
                       "User", "{:04d} {}".format(index, name), False, BASE_TIME))
        users.flush(connection)
        connection.commit()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, uuid, first_name, last_name FROM users WHERE workspace_id = %s AND NOT is_owner "
                           "ORDER BY id", (ws.id,))
            rows = cursor.fetchall()
        connection.close()
        for user_id, user_uuid, first, last in rows:
            caller = Caller(user_id=user_id, user_uuid=user_uuid, workspace_id=ws.id, workspace_uuid=ws.uuid,
                            first_name=first, last_name=last)
            token, _ = issue_token(caller, 24 * 3600, secret=self.secret)
            ws.users.append(Caller_(user_id, user_uuid, token))
        if ws.users:  # the loaded users are real: one logs in through the API
            login = self.api.post("/api/auth/login", {"email": "bench-{}-{}-0@example.test".format(self.run_tag, ws.id),
                                                      "password": PASSWORD})
            assert login.status_code == 200, login.text
        for index in range(size.campaigns):
            response = self.api.post("/api/sales/campaigns", {"name": "Campaign {} {}".format(index, name),
                                                              "start_date": "2025-01-01", "end_date": "2025-12-31"},
                                     token=owner.token)
            assert response.status_code == 200, response.text
            ws.campaigns.append(response.json()["data"])
        user_ids = [user.id for user in ws.users]
        per_group = max(1, min(10, len(user_ids) // max(size.groups, 1)))
        for index in range(size.groups):
            members = user_ids[index * per_group:(index + 1) * per_group] or user_ids[:per_group]
            response = self.api.post("/api/directory/groups", {"name": "Team {}".format(index), "members": members},
                                     token=owner.token)
            assert response.status_code == 200, response.text
            group = response.json()["data"]
            ws.groups.append({"id": group["id"], "members": group["members"]})
        ws.inputs = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(size.inputs)]
        ws.counts["users"] = len(ws.users) + 1
        return ws

    # --- accounts (planned first: deals point at them; written after, with their counters) -------------
    def _plan_accounts(self, ws, size, rng):
        return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(size.accounts)]

    def _load_accounts(self, ws, account_uuids, counters, rng, rebuild):
        connection = _connect(self.urls["accounts"])
        account_id = _max_id(connection, "accounts")
        contact_id = _max_id(connection, "account_contacts")
        field_id = _max_id(connection, "account_fields")
        Account, Contact, Field = accounts_models.Account, accounts_models.Contact, accounts_models.Field
        counter_names = [accounts_domain.counter_column(b, t) for b in ("open", "won", "lost")
                         for t in ("sale", "purchase", "exchange")]
        accounts = CopyBuffer(Account.__table__, ("id", "uuid", "workspace_id", "owner_id", "country", "tax_id",
                                                  "tax_key", "name", "address", "location", "draft", "created_date",
                                                  "field_count", "total_hectares", "open_total", "won_total",
                                                  "lost_total", *counter_names))
        contacts = CopyBuffer(Contact.__table__, ("id", "account_id", "workspace_id", "contact_uuid", "first_name",
                                                  "last_name", "start_date"))
        fields = CopyBuffer(Field.__table__, ("id", "account_id", "workspace_id", "field_uuid", "farm_uuid", "hectares"))
        owners = [ws.owner.id] + [user.id for user in ws.users]
        farms = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(50)]
        n_contacts = n_fields = 0
        with WithoutIndexes(connection, ["accounts", "account_contacts", "account_fields"], enabled=rebuild):
            for index, account_uuid in enumerate(account_uuids):
                account_id += 1
                hectares = []
                for _ in range(rng.choice((0, 1, 1, 2))):
                    field_id += 1
                    area = Decimal(rng.randint(100, 50000)) / 100
                    hectares.append(area)
                    n_fields += 1
                    fields.add((field_id, account_id, ws.id, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                rng.choice(farms), area))
                for number in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    contact_id += 1
                    n_contacts += 1
                    contacts.add((contact_id, account_id, ws.id, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                  "Contact{}".format(number), "Of account {}".format(index),
                                  BASE_TIME + timedelta(days=number, seconds=index)))
                c = counters.get(index, [0] * 9)
                tax_id = "{:011d}".format(30_000_000_000 + index)
                accounts.add((account_id, account_uuid, ws.id, rng.choice(owners), 1 + index % 20, tax_id, tax_id,
                              "{} {:07d}".format(rng.choice(WORDS), index), None, None, False,
                              BASE_TIME + timedelta(seconds=index), len(hectares), sum(hectares, Decimal(0)),
                              c[0] + c[1] + c[2], c[3] + c[4] + c[5], c[6] + c[7] + c[8], *c))
                if accounts.rows >= CHUNK:
                    accounts.flush(connection)
                    contacts.flush(connection)
                    fields.flush(connection)
            accounts.flush(connection)
            contacts.flush(connection)
            fields.flush(connection)
            connection.commit()
        for table in ("accounts", "account_contacts", "account_fields"):
            _reset_sequence(connection, table)
        connection.close()
        ws.account_uuids = account_uuids
        ws.counts.update(accounts=len(account_uuids), contacts=n_contacts, fields=n_fields)

    # --- goals -----------------------------------------------------------------------------------------
    def _load_goals(self, ws, size, rng):
        """Goals with zero figures (their contributions follow with the deals); returns the plan."""
        connection = _connect(self.urls["goals"])
        goal_id = _max_id(connection, "goals")
        Goal = goals_models.Goal
        goals = CopyBuffer(Goal.__table__, ("id", "uuid", "workspace_id", "owner_id", "owner_uuid", "description",
                                            "campaign_uuid", "campaign_name", "goal_type", "goal_subtype", "input_uuid",
                                            "crop_id", "variety_id", "amount", "id_unit", "assigned", "current",
                                            "forecast", "progress", "progress_int", "version", "created_at",
                                            "modified_at"))
        assignments = CopyBuffer(goals_models.GoalAssignment.__table__, ("goal_id", "kind", "assignee_id"))
        members = CopyBuffer(goals_models.GoalMember.__table__, ("goal_id", "group_id", "user_id"))
        plan = []
        user_ids = [user.id for user in ws.users] or [ws.owner.id]
        for index in range(size.goals):
            goal_id += 1
            campaign = ws.campaigns[index % len(ws.campaigns)]
            goal_type = "sale" if rng.random() < 0.7 else "purchase"
            input_uuid = crop_id = variety_id = None
            if goal_type == "sale":
                input_uuid = rng.choice(ws.inputs)
            else:
                crop_id = rng.randint(1, size.crops)
                variety_id = crop_id * 10 + rng.randint(1, 3) if rng.random() < 0.3 else None
            if rng.random() < 0.7:
                subtype, id_unit = "volume", (1 if rng.random() < 0.6 else 2)
                amount = Decimal(rng.randint(1_000, 2_000_000) if id_unit == 1 else rng.randint(1, 2_000))
            else:
                subtype, id_unit = "billing", (978 if rng.random() < 0.6 else 840)
                amount = Decimal(rng.randint(100_000, 100_000_000))
            draw = rng.random()
            goal_users, goal_groups = [], []
            if draw < 0.25:
                pass  # the whole workspace counts
            elif draw < 0.8 or not ws.groups:
                goal_users = sorted(rng.sample(user_ids, min(len(user_ids), rng.randint(1, 3))))
            else:
                goal_groups = [rng.choice(ws.groups)]
            member_rows = {(0, u) for u in goal_users} | {(g["id"], m) for g in goal_groups for m in g["members"]}
            assigned = bool(goal_users or goal_groups)
            goal_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            goals.add((goal_id, goal_uuid, ws.id, ws.owner.id, ws.owner.uuid, "Goal {}".format(index),
                       campaign["uuid"], campaign["name"], goal_type, subtype, input_uuid, crop_id, variety_id, amount,
                       id_unit, assigned, 0, 0, 0, 0, 1, BASE_TIME, BASE_TIME))
            for u in goal_users:
                assignments.add((goal_id, "user", u))
            for g in goal_groups:
                assignments.add((goal_id, "group", g["id"]))
            for g, u in sorted(member_rows):
                members.add((goal_id, g, u))
            spec = goals_domain.GoalSpec(workspace_id=ws.id, campaign_uuid=campaign["uuid"], goal_type=goal_type,
                                         goal_subtype=subtype, id_unit=id_unit, input_uuid=input_uuid, crop_id=crop_id,
                                         variety_id=variety_id, assigned=assigned,
                                         members=frozenset(u for _, u in member_rows))
            plan.append((goal_id, goal_uuid, spec, amount))
        for buffer in (goals, assignments, members):
            buffer.flush(connection)
        connection.commit()
        _reset_sequence(connection, "goals")
        connection.close()
        ws.goal_uuids = [goal_uuid for _, goal_uuid, _, _ in plan]
        ws.counts["goals"] = len(plan)
        return plan

    # --- deals and the two projections ---------------------------------------------------------------
    def _load_deals(self, ws, size, rng, account_uuids, goal_plan, rebuild):
        deals_db, goals_db, accounts_db = (_connect(self.urls[s]) for s in ("deals", "goals", "accounts"))
        deal_id = _max_id(deals_db, "deals")
        Deal = deals_models.Deal
        deals = CopyBuffer(Deal.__table__, ("id", "uuid", "workspace_id", "user_id", "name", "name_search", "value",
                                            "value_type", "value_count", "currency", "target_date", "finished_at",
                                            "current_state", "type", "account_uuid", "campaign_uuid", "input_uuid",
                                            "crop_id", "variety_id", "quantity", "unit_id", "created_at", "updated_at",
                                            "deleted_at", "version"))
        opportunities = CopyBuffer(goals_models.Opportunity.__table__, (
            "uuid", "version", "workspace_id", "deleted", "deal_id", "name", "user_id", "campaign_uuid", "type",
            "input_uuid", "crop_id", "variety_id", "current_state", "quantity", "unit_id", "value", "value_count",
            "currency_id"))
        contributions = CopyBuffer(goals_models.Contribution.__table__, (
            "goal_id", "opportunity_uuid", "user_id", "state", "amount", "raw_quantity", "raw_unit_id"))
        projection = CopyBuffer(accounts_models.Opportunity.__table__, (
            "deal_uuid", "workspace_id", "version", "account_uuid", "state", "type", "deleted", "updated_at"))

        # goals by what they match on: (campaign, type, product) -> (whole-workspace goals, {user: goals})
        buckets = defaultdict(lambda: ([], defaultdict(list)))
        for goal_id, _, spec, _ in goal_plan:
            product = spec.input_uuid if spec.goal_type == "sale" else spec.crop_id
            wide, by_user = buckets[(spec.campaign_uuid, spec.goal_type, product)]
            if spec.assigned:
                for user in spec.members:
                    by_user[user].append((goal_id, spec))
            else:
                wide.append((goal_id, spec))
        sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
        counters = {}
        account_index = {account_uuid: index for index, account_uuid in enumerate(account_uuids)}
        user_ids = [user.id for user in ws.users] + [ws.owner.id]
        campaign_uuids = [c["uuid"] for c in ws.campaigns]
        live, n_contributions, n_deleted = [], 0, 0
        buffers = ((deals, deals_db), (opportunities, goals_db), (contributions, goals_db), (projection, accounts_db))
        counter_slot = {(b, t): i * 3 + j for i, b in enumerate(("open", "won", "lost"))
                        for j, t in enumerate(("sale", "purchase", "exchange"))}
        choices, randint, rand = rng.choices, rng.randint, rng.random
        with WithoutIndexes(deals_db, ["deals"], rebuild), \
                WithoutIndexes(goals_db, ["opportunities", "goal_contributions"], rebuild), \
                WithoutIndexes(accounts_db, ["opportunity_projection"], rebuild):
            for number in range(size.deals):
                deal_id += 1
                deal_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                state = choices(STATES, STATE_WEIGHTS)[0]
                type_ = choices(TYPES, TYPE_WEIGHTS)[0]
                user_id = user_ids[randint(0, len(user_ids) - 1)]
                account_uuid = account_uuids[randint(0, len(account_uuids) - 1)] if account_uuids and rand() < 0.9 \
                    else None
                campaign_uuid = campaign_uuids[randint(0, len(campaign_uuids) - 1)] if rand() < 0.95 else None
                input_uuid = crop_id = variety_id = None
                if type_ == "purchase":
                    crop_id = randint(1, size.crops)
                    variety_id = crop_id * 10 + randint(1, 3) if rand() < 0.7 else None
                else:
                    input_uuid = ws.inputs[randint(0, len(ws.inputs) - 1)]
                unit_id = choices(UNITS, UNIT_WEIGHTS)[0]
                quantity = Decimal(randint(1, 5000)) + (Decimal("0.5") if rand() < 0.1 else 0)
                value = Decimal(randint(100, 200_000))
                value_count = Decimal(1) if rand() < 0.8 else Decimal(randint(2, 12))
                currency = choices(CURRENCIES, CURRENCY_WEIGHTS)[0]
                moment = BASE_TIME + timedelta(seconds=number * 7)
                name = "{} {} {}".format(WORDS[number % len(WORDS)], WORDS[(number // 20) % len(WORDS)], number)
                deleted = rand() < 0.005
                version = 2 if deleted else 1
                deals.add((deal_id, deal_uuid, ws.id, user_id, name, name.casefold(), value, "Total",
                           value_count, currency, date(2025, 1, 1) + timedelta(days=number % 365),
                           moment if state in ("won", "lost") else None, state, type_, account_uuid, campaign_uuid,
                           input_uuid, crop_id, variety_id, quantity, unit_id, moment, moment,
                           moment + timedelta(days=1) if deleted else None, version))
                projection.add((deal_uuid, ws.id, version, account_uuid, state, type_, deleted, moment))
                if deleted:
                    n_deleted += 1
                    opportunities.add((deal_uuid, version, ws.id, True, None, None, None, None, None, None, None, None,
                                       None, None, None, None, None, None))
                else:
                    live.append(deal_id)
                    currency_id = CURRENCIES_BY_CODE[currency]["id"]
                    opportunities.add((deal_uuid, version, ws.id, False, deal_id, name, user_id, campaign_uuid, type_,
                                       input_uuid, crop_id, variety_id, state, quantity, unit_id, value, value_count,
                                       currency_id))
                    if account_uuid is not None:
                        slots = counters.get(account_index[account_uuid])
                        if slots is None:
                            slots = counters[account_index[account_uuid]] = [0] * 9
                        slots[counter_slot[("open" if state.startswith("open") else state, type_)]] += 1
                    if campaign_uuid is not None and type_ != "exchange" and state != "lost":
                        bucket = buckets.get((campaign_uuid, type_, input_uuid if type_ == "sale" else crop_id))
                        if bucket is not None:
                            candidates = bucket[0] + bucket[1].get(user_id, [])
                            if candidates:
                                opp = {"uuid": deal_uuid, "workspace_id": ws.id, "deleted": False, "user_id": user_id,
                                       "campaign_uuid": campaign_uuid, "type": type_, "input_uuid": input_uuid,
                                       "crop_id": crop_id, "variety_id": variety_id, "current_state": state,
                                       "quantity": quantity, "unit_id": unit_id, "value": value,
                                       "value_count": value_count, "currency_id": currency_id}
                                for goal_id, spec in candidates:
                                    c = goals_domain.contribution(spec, opp)
                                    if c is None:
                                        continue
                                    contributions.add((goal_id, deal_uuid, c.user_id, c.state, c.amount,
                                                       c.raw_quantity, c.raw_unit_id))
                                    n_contributions += 1
                                    figures = sums[goal_id]
                                    figures[0] += c.counted
                                    figures[1] += c.forecast
                if deals.rows >= CHUNK:
                    for buffer, connection in buffers:
                        buffer.flush(connection)
            for buffer, connection in buffers:
                buffer.flush(connection)
            for connection in (deals_db, goals_db, accounts_db):
                connection.commit()
        _reset_sequence(deals_db, "deals")
        with deals_db.cursor() as cursor:  # the deals service keeps deal_totals on every write; COPY did not
            cursor.execute("DELETE FROM deal_totals")
            cursor.execute(deals_store.REBUILD_TOTALS)
        deals_db.commit()
        for connection in (deals_db, goals_db, accounts_db):
            connection.close()
        ws.live_deal_ids = live
        ws.counts.update(deals=size.deals, deleted_deals=n_deleted, contributions=n_contributions)
        return counters, sums

    def _store_figures(self, ws, goal_plan, sums):
        connection = _connect(self.urls["goals"])
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_figures (id integer PRIMARY KEY, current numeric, forecast numeric, "
                           "progress numeric, progress_int integer, achieved boolean)")
            buffer = io.StringIO()
            achieved = 0
            for goal_id, _, _, amount in goal_plan:
                current, forecast = sums.get(goal_id, (Decimal(0), Decimal(0)))
                done = goals_domain.achieved(current, amount)
                achieved += done
                buffer.write("{}\t{}\t{}\t{}\t{}\t{}\n".format(goal_id, current, forecast,
                                                               goals_domain.progress(current, amount),
                                                               goals_domain.progress_int(current, amount),
                                                               "t" if done else "f"))
            buffer.seek(0)
            with _blocking_driver():
                cursor.copy_expert("COPY bench_figures FROM STDIN", buffer)
            cursor.execute("UPDATE goals g SET current = f.current, forecast = f.forecast, progress = f.progress, "
                           "progress_int = f.progress_int, achieved_at = CASE WHEN f.achieved THEN %s END "
                           "FROM bench_figures f WHERE f.id = g.id", (BASE_TIME,))
        connection.commit()
        connection.close()
        ws.counts["goals_achieved"] = achieved


# --- checks --------------------------------------------------------------------------------------------
def check_consistency(urls, ws):
    """Counts that must agree across the three databases for a loaded workspace (SQL only)."""
    def one(url, sql, *args):
        connection = psycopg2.connect(url)
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            value = cursor.fetchone()
        connection.close()
        return value

    live_deals_with_account = one(urls["deals"], "SELECT count(*) FROM deals WHERE workspace_id = %s AND "
                                  "deleted_at IS NULL AND account_uuid IS NOT NULL", ws.id)[0]
    counters = one(urls["accounts"], "SELECT COALESCE(sum(open_total + won_total + lost_total), 0) FROM accounts "
                   "WHERE workspace_id = %s", ws.id)[0]
    won_by_state = one(urls["deals"], "SELECT count(*) FROM deals WHERE workspace_id = %s AND deleted_at IS NULL "
                       "AND current_state = 'won' AND account_uuid IS NOT NULL", ws.id)[0]
    won_counters = one(urls["accounts"], "SELECT COALESCE(sum(won_total), 0) FROM accounts WHERE workspace_id = %s",
                       ws.id)[0]
    live_deals = one(urls["deals"], "SELECT count(*) FROM deals WHERE workspace_id = %s AND deleted_at IS NULL",
                     ws.id)[0]
    projected = one(urls["goals"], "SELECT count(*) FROM opportunities WHERE workspace_id = %s AND NOT deleted",
                    ws.id)[0]
    totals = one(urls["deals"], "SELECT COALESCE(sum(deals), 0) FROM deal_totals WHERE workspace_id = %s", ws.id)[0]
    figures = one(urls["goals"], """SELECT count(*) FROM goals g LEFT JOIN (
                     SELECT goal_id, COALESCE(sum(amount) FILTER (WHERE state = 'won'), 0) AS current
                     FROM goal_contributions GROUP BY goal_id) s ON s.goal_id = g.id
                  WHERE g.workspace_id = %s AND g.current <> COALESCE(s.current, 0)""", ws.id)[0]
    return {"live_deals_with_account": live_deals_with_account, "account_counters_total": int(counters),
            "won_deals_with_account": won_by_state, "account_won_counters": int(won_counters),
            "live_deals": live_deals, "goals_projection_live": projected, "deal_totals_live": int(totals),
            "goals_whose_figure_differs_from_contributions": figures,
            "ok": live_deals_with_account == counters and won_by_state == won_counters and live_deals == projected
            and live_deals == totals and figures == 0}
