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


def test_a_deal_changing_bucket_on_one_account_moves_its_columns_in_one_update():
    deltas = domain.counter_deltas(domain.contribution("A", "open_25", "sale"), domain.contribution("A", "won", "sale"))
    assert domain.deltas_per_account(deltas) == {"A": {"opp_open_sale": -1, "open_total": -1, "opp_won_sale": 1,
                                                       "won_total": 1}}
    deltas = domain.counter_deltas(domain.contribution("A", "won", "sale"), domain.contribution("A", "won", "purchase"))
    assert domain.deltas_per_account(deltas) == {"A": {"opp_won_sale": -1, "opp_won_purchase": 1}}  # total nets to 0


def test_recount_and_the_counter_columns_it_sets():
    rows = [("A", "open_0", "sale", 2), ("A", "open_75", "sale", 1), ("A", "lost", "exchange", 1),
            ("B", "won", "purchase", 1), ("B", None, "sale", 5), ("B", "won", "barter", 5)]
    counts = domain.counts_by_key(rows)
    assert counts == {"A": {("open", "sale"): 3, ("lost", "exchange"): 1}, "B": {("won", "purchase"): 1}}
    values = domain.counter_values(counts["A"])
    assert set(values) == set(domain.COUNTER_COLUMNS + domain.TOTAL_COLUMNS)
    assert (values["opp_open_sale"], values["open_total"], values["lost_total"], values["won_total"]) == (3, 3, 1, 0)
    assert set(domain.counter_values({}).values()) == {0}


@pytest.mark.parametrize("value, canonical", [
    ("6F9619FF-8B86-D011-B42D-00C04FC964FF", "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
    ("6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
    ("not-a-uuid", None), ("", None), (None, None), (12, None),
])
def test_canonical_uuid(value, canonical):
    assert domain.canonical_uuid(value) == canonical


@pytest.mark.parametrize("key, valid", [
    (["Acme", 1], True), (["Acme", 2 ** 63 - 1], True), (["Acme", 2 ** 63], False), (["Acme", -(2 ** 63) - 1], False),
    (["Acme", "1"], False), ([1, 1], False), (["Acme"], False), (["Acme", True], False),
])
def test_a_list_cursor_key_is_a_name_and_a_bigint(key, valid):
    assert domain.is_list_key(key) is valid


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
