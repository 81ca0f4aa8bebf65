"""Accounts rules without I/O: tax id format and equality, what a deal counts for, who may (in)activate."""
from types import SimpleNamespace

import pytest

from services.accounts import domain
from services.accounts.exceptions import (AccountAlreadyActive, AccountAlreadyInactive, HasOpenOpportunities,
                                          InvalidTaxId, NotAccountOwner)


@pytest.mark.parametrize("tax_id, valid", [
    ("20-12345678-9", True), ("12.345.678/0001-90", True), ("X", True), ("A" * 20, True),
    ("A" * 21, False), ("", False), ("20..1", False), ("/20", False), ("20/", False), ("20 1", False),
    (None, False), (20123, False),
])
def test_tax_id_format(tax_id, valid):
    assert domain.is_valid_tax_id(tax_id) is valid
    if not valid:
        with pytest.raises(InvalidTaxId):
            domain.check_tax_id(tax_id)


def test_tax_key_ignores_separators_and_case():
    assert domain.tax_key("20-12345678-9") == domain.tax_key("20123456789") == "20123456789"
    assert domain.tax_key("b-1234.5/6") == "B123456"


@pytest.mark.parametrize("state, bucket", [("open_0", "open"), ("open_25", "open"), ("open_50", "open"),
                                           ("open_75", "open"), ("won", "won"), ("lost", "lost")])
def test_every_open_state_is_open_deals(state, bucket):
    assert domain.bucket_of(state) == bucket


def test_counter_deltas_move_a_deal_between_accounts_and_buckets():
    a = domain.contribution("A", "open_25", "sale")
    b = domain.contribution("B", "won", "sale")
    assert domain.counter_deltas(None, a) == {("A", "open", "sale"): 1}
    assert domain.counter_deltas(a, b) == {("A", "open", "sale"): -1, ("B", "won", "sale"): 1}
    assert domain.counter_deltas(a, a) == {}
    assert domain.counter_deltas(b, domain.contribution("B", "won", "sale", deleted=True)) == {("B", "won", "sale"): -1}
    assert domain.contribution(None, "won", "sale") is None


def test_opportunity_counts_shape():
    counts = domain.opportunity_counts({("open", "sale"): 2, ("lost", "exchange"): 1})
    assert counts == {"openDeals": {"purchase": 0, "sale": 2, "exchange": 0},
                      "wonDeals": {"purchase": 0, "sale": 0, "exchange": 0},
                      "lostDeals": {"purchase": 0, "sale": 0, "exchange": 1}}


def account(owner_id=1, inactive=False, open_total=0):
    return SimpleNamespace(owner_id=owner_id, inactivation_date="2025-01-01" if inactive else None,
                           open_total=open_total)


def test_inactivation_rules_in_order():
    with pytest.raises(NotAccountOwner):
        domain.check_can_inactivate(account(owner_id=2, inactive=True, open_total=1), 1)
    with pytest.raises(AccountAlreadyInactive):
        domain.check_can_inactivate(account(inactive=True, open_total=1), 1)
    with pytest.raises(HasOpenOpportunities):
        domain.check_can_inactivate(account(open_total=1), 1)
    domain.check_can_inactivate(account(), 1)
    with pytest.raises(NotAccountOwner):
        domain.check_can_activate(account(owner_id=2, inactive=True), 1)
    with pytest.raises(AccountAlreadyActive):
        domain.check_can_activate(account(), 1)
    domain.check_can_activate(account(inactive=True), 1)
