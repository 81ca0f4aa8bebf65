"""What `make bench` asks of the system: request factories over one loaded workspace (callers rotate
round robin, so the accounts rate limit of 10/s per caller stays on without throttling the load)
and the scenario lists bench.run measures, in this order: READS, the DEPTH pages right after the
reads on the same tables, then WRITES (their dead tuples and autovacuum come last).

A request factory is `make_request(i) -> (method, path, headers, body)` (bench/loadgen.py).
"""
import math
import random
import urllib.parse

import psycopg2

from bench.dataset import WORDS
from infra.cursors import encode_cursor
from services.deals import domain as deals_domain

STATES = ("open_0", "open_25", "open_50", "open_75", "won", "lost")

# each name is a method of Requests; the first six are the ones measured since the first runs, in the
# same order, so their numbers stay comparable with earlier results
READS = ("get_account", "list_accounts", "list_goals", "goal_progress", "deals_index", "deals_stats",
         "get_deal", "get_deal_api_key", "list_accounts_open_deals", "deals_index_filtered", "deals_search")
DEPTH = (  # (deep page, the first page it is compared with)
    ("list_accounts_last_page", "list_accounts"),
    ("list_goals_last_page", "list_goals"),
    ("deals_index_last_page", "deals_index"),
    ("deals_index_middle_page", "deals_index"),
    ("deals_index_deep_cursor", "deals_index"),
)
WRITES = ("create_deal", "update_deal_state")
# a small workspace's reads before and after the big workspace is loaded (cost must not grow with it)
ISOLATION_READS = ("get_account", "list_accounts", "list_goals", "goal_progress", "deals_index", "deals_stats",
                   "list_accounts_open_deals", "deals_search")


def _one_row(url, sql, parameters):
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()
    finally:
        connection.close()


def auth(caller):
    return {"Authorization": "Bearer " + caller.token}


class Requests:
    """make_request(i) factories for one loaded workspace; callers rotate with i (round robin)."""

    def __init__(self, ws, database_urls, seed=11, api_key=None):
        self.ws, self.callers, self.api_key = ws, ws.callers, api_key
        rng = random.Random(seed)
        self.accounts = [rng.choice(ws.account_uuids) for _ in range(5000)] if ws.account_uuids else []
        self.goals = [rng.choice(ws.goal_uuids) for _ in range(5000)] if ws.goal_uuids else []
        self.deals = [rng.choice(ws.live_deal_ids) for _ in range(20000)] if ws.live_deal_ids else []
        self.rng = rng
        self.account_last_cursor, self.goal_last_cursor = self._last_cursors(database_urls)
        self.live_deals = len(ws.live_deal_ids)
        self.deal_middle_cursor = self._deal_cursor_at(database_urls, self.live_deals // 2)

    def _deal_cursor_at(self, urls, offset):
        """The X-Next-Cursor a client walking the deals index (name order, 25 a page) holds at `offset`."""
        row = _one_row(urls["deals"], "SELECT name_search, id FROM deals WHERE workspace_id = %s AND deleted_at IS "
                                      "NULL ORDER BY name_search, id OFFSET %s LIMIT 1",
                       (self.ws.id, max(offset - 1, 0)))
        return deals_domain.encode_deal_cursor(("name_search", "asc"), row[0], row[1]) if row else None

    def _last_cursors(self, urls):
        """The cursors a client holds before the last page of accounts (10) and goals (10)."""
        account = _one_row(urls["accounts"], "SELECT name, id FROM accounts WHERE workspace_id = %s AND deleted_at IS "
                                             "NULL ORDER BY name DESC, id DESC OFFSET 10 LIMIT 1", (self.ws.id,))
        goal = _one_row(urls["goals"], "SELECT id FROM goals WHERE workspace_id = %s AND deleted_at IS NULL "
                                       "ORDER BY id OFFSET 10 LIMIT 1", (self.ws.id,))
        return (encode_cursor([account[0], account[1]]) if account else None,
                encode_cursor([goal[0]]) if goal else None)

    def caller(self, i):
        return self.callers[i % len(self.callers)]

    def get_account(self, i):
        uuid = self.accounts[i % len(self.accounts)]
        return "GET", "/api/sales/accounts/account?uuid=" + uuid, auth(self.caller(i)), None

    def get_deal(self, i):
        return "GET", "/api/deals/{}.json".format(self.deals[i % len(self.deals)]), auth(self.caller(i)), None

    def get_deal_api_key(self, i):
        """The same read authenticated by the workspace's API key (X-apikey) instead of a user's token."""
        return "GET", "/api/deals/{}.json".format(self.deals[i % len(self.deals)]), {"X-apikey": self.api_key}, None

    def list_accounts(self, i):
        return "POST", "/api/sales/accounts/", auth(self.caller(i)), {"filters": {"page_size": 10}}

    def list_accounts_open_deals(self, i):
        return "POST", "/api/sales/accounts/", auth(self.caller(i)), {
            "filters": {"page_size": 10, "opportunities_state": ["openDeals"]}}

    def list_accounts_last_page(self, i):
        return "POST", "/api/sales/accounts/", auth(self.caller(i)), {
            "filters": {"page_size": 10, "page": self.account_last_cursor}}

    def list_goals(self, i):
        return "POST", "/api/sales/goals", auth(self.caller(i)), {"action": "get_all_goals", "page_size": 10}

    def list_goals_last_page(self, i):
        return "POST", "/api/sales/goals", auth(self.caller(i)), {"action": "get_all_goals", "page_size": 10,
                                                                   "page": self.goal_last_cursor}

    def goal_progress(self, i):
        return "POST", "/api/sales/goals/progress", auth(self.caller(i)), {"goal_uuid": self.goals[i % len(self.goals)]}

    def create_deal(self, i):
        ws, rng = self.ws, self.rng
        return "POST", "/api/deals.json", auth(self.caller(i)), {"deal": {
            "name": "bench deal {}".format(i), "value": str(rng.randint(100, 100000)), "value_type": "Total",
            "value_count": "1", "currency": "EUR", "target_date": "2025-06-30", "current_state": STATES[i % 6],
            "type": "sale", "campaign_uuid": ws.campaigns[i % len(ws.campaigns)]["uuid"],
            "input_uuid": ws.inputs[i % len(ws.inputs)], "quantity": str(rng.randint(1, 5000)), "unit_id": 1,
            "account_uuid": self.accounts[i % len(self.accounts)] if self.accounts else None}}

    def update_deal_state(self, i):
        deal_id = self.deals[i % len(self.deals)]
        return "PUT", "/api/deals/{}.json".format(deal_id), auth(self.caller(i)), {
            "deal": {"current_state": STATES[(i * 7 + deal_id) % 6]}}

    def deals_index(self, i):
        return "GET", "/api/deals.json?perpage=25", auth(self.caller(i)), None

    def deals_index_filtered(self, i):
        query = urllib.parse.urlencode({"perpage": 25, "filter[current_state]": "won", "order": "created_at-desc"})
        return "GET", "/api/deals.json?" + query, auth(self.caller(i)), None

    def deals_search(self, i):
        """A name prefix matching about 1 deal in 20 (the data set's names start with one of 20 words)."""
        return "GET", "/api/deals/search.json?name=" + WORDS[i % len(WORDS)], auth(self.caller(i)), None

    def deals_index_last_page(self, i):
        page = max(1, math.ceil(self.live_deals / 25))
        return "GET", "/api/deals.json?perpage=25&page={}".format(page), auth(self.caller(i)), None

    def deals_index_middle_page(self, i):
        page = max(1, math.ceil(self.live_deals / 25 / 2))  # offset paging's worst case: as far from both ends
        return "GET", "/api/deals.json?perpage=25&page={}".format(page), auth(self.caller(i)), None

    def deals_index_deep_cursor(self, i):
        return "GET", "/api/deals.json?perpage=25&cursor={}".format(self.deal_middle_cursor), auth(self.caller(i)), None

    def deals_stats(self, i):
        return "GET", "/api/deals/stats.json", auth(self.caller(i)), None


def constant_request(path):
    def make(i):
        return "GET", path, {}, None
    return make
