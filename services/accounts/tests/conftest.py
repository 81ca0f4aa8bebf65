"""Accounts test helpers: a client for the accounts API that spaces its own requests under the rate
limit, and a publisher of contract-valid `deals.opportunity_changed` events."""
import subprocess
import sys
import time
import uuid

import pytest

from infra.processes import ROOT
from tests.support.events import EventPublisher, opportunity_event

ACCOUNTS = "/api/sales/accounts/"
ACCOUNT = "/api/sales/accounts/account"


class AccountsClient:
    """One caller of the accounts API. Unless `spaced` is False, a 429 is waited out (Retry-After)
    and retried, so tests of other rules are not disturbed by the rate limit of 10/s per caller."""

    def __init__(self, api, token, spaced=True):
        self.api, self.token, self.spaced = api, token, spaced

    def _send(self, method, path, **kwargs):
        for _ in range(20):
            response = self.api.request(method, path, self.token, **kwargs)
            if response.status_code != 429 or not self.spaced:
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def list(self, filters=None, **body):
        if filters is not None:
            body["filters"] = filters
        return self._send("POST", ACCOUNTS, json=body)

    def page(self, filters=None, **body):
        response = self.list(filters, **body)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, account_uuid):
        return self._send("GET", ACCOUNT, params={"uuid": account_uuid})

    def action(self, action, **fields):
        return self._send("POST", ACCOUNT, json=dict(fields, action=action))

    def create(self, name=None, country=1, tax_id=None, **fields):
        response = self.action("create", country=country, tax_id=tax_id or new_tax_id(),
                               name=name or "Account " + uuid.uuid4().hex[:6], **fields)
        assert response.status_code == 200, response.text
        return response.json()["uuid"]


def new_tax_id():
    digits = "{:011d}".format(uuid.uuid4().int % 10 ** 11)
    return "{}-{}-{}".format(digits[:2], digits[2:10], digits[10])


def error_of(response):
    assert response.headers["Content-Type"].startswith("application/json"), response.text
    body = response.json()
    assert body["res"] == "error" and isinstance(body["info"], str), body
    return response.status_code, body["code"]


@pytest.fixture
def workspace(api):
    return api.signup()


@pytest.fixture
def accounts(api, workspace):
    return AccountsClient(api, workspace.token)


# --- deals events ---------------------------------------------------------------------------------
def deal_event(workspace_id, deal_uuid, version, change="updated", account_uuid=None, state="open_0",
               type_="sale", deal_id=1):
    return opportunity_event(workspace_id, version, deal_uuid, change, id=deal_id, account_uuid=account_uuid,
                             current_state=state, type=type_)


@pytest.fixture
def deals_events(test_env, system):
    publisher = EventPublisher(test_env.amqp_uri)
    yield publisher
    publisher.close()



# --- the database and the maintenance commands ----------------------------------------------------
@pytest.fixture
def accounts_db(test_env):
    from sqlalchemy import create_engine
    engine = create_engine(test_env.database_urls["accounts"])
    yield engine
    engine.dispose()


def run_cli(*args, timeout=120):
    """`python -m services.accounts.cli ...` with the test run's environment; (exit status, output)."""
    done = subprocess.run([sys.executable, "-m", "services.accounts.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr
