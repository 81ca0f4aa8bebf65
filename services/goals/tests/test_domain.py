"""The pure progress rules (no broker, no database)."""
from decimal import Decimal

import pytest

from services.goals import domain

CAMPAIGN, INPUT = "c-1", "i-1"


def goal(**fields):
    values = dict(workspace_id=1, campaign_uuid=CAMPAIGN, goal_type="sale", goal_subtype="volume", id_unit=1,
                  input_uuid=INPUT)
    values.update(fields)
    return domain.GoalSpec(**values)


def opp(**fields):
    values = dict(uuid="o-1", workspace_id=1, user_id=5, campaign_uuid=CAMPAIGN, type="sale", input_uuid=INPUT,
                  crop_id=None, variety_id=None, current_state="won", quantity=Decimal("2"), unit_id=2,
                  value=Decimal("10"), value_count=Decimal("3"), currency_id=840)
    values.update(fields)
    return values


def test_volume_converts_to_the_goals_unit():
    assert domain.contribution(goal(), opp()).counted == Decimal(2000)
    assert domain.contribution(goal(id_unit=2), opp(quantity=Decimal(500), unit_id=1)).counted == Decimal("0.5")


@pytest.mark.parametrize("fields", [{"unit_id": 5}, {"unit_id": None}, {"quantity": None}, {"unit_id": 999}])
def test_unconvertible_units_count_nothing_but_are_kept_as_other_units(fields):
    contribution = domain.contribution(goal(), opp(**fields))
    assert contribution.amount is None and contribution.counted == 0


def test_billing_counts_value_times_count_in_the_goals_currency_only():
    assert domain.contribution(goal(goal_subtype="billing", id_unit=840), opp()).counted == Decimal(30)
    other = domain.contribution(goal(goal_subtype="billing", id_unit=978), opp())
    assert (other.amount, other.raw_quantity, other.raw_unit_id) == (None, Decimal(30), 840)


@pytest.mark.parametrize("fields", [{"workspace_id": 2}, {"campaign_uuid": "c-2"}, {"type": "purchase"},
                                    {"input_uuid": "i-2"}, {"current_state": "lost"}, {"deleted": True}])
def test_opportunities_that_do_not_match_bring_nothing(fields):
    assert domain.contribution(goal(), opp(**fields)) is None


def test_purchase_goals_match_crop_and_variety_only_when_set():
    purchase = dict(goal_type="purchase", input_uuid=None, crop_id=4)
    bought = dict(type="purchase", crop_id=4, variety_id=9)
    assert domain.matches(goal(**purchase), opp(**bought))
    assert domain.matches(goal(variety_id=9, **purchase), opp(**bought))
    assert not domain.matches(goal(variety_id=8, **purchase), opp(**bought))
    assert not domain.matches(goal(**purchase), opp(type="purchase", crop_id=5))


def test_assigned_goals_count_only_their_members():
    assert domain.matches(goal(assigned=True, members=frozenset({5})), opp())
    assert not domain.matches(goal(assigned=True, members=frozenset({6})), opp())
    assert not domain.matches(goal(assigned=True), opp())


def test_forecast_weighs_open_states_and_current_counts_only_won():
    spec = goal(id_unit=2)
    states = ["won", "open_75", "open_50", "open_25", "open_0", "lost"]
    current, forecast, contributions = domain.figures(spec, [opp(uuid=s, current_state=s) for s in states])
    assert current == 2 and forecast == Decimal("2") * Decimal("2.5") and len(contributions) == 5


def test_progress_has_two_decimals_rounds_down_and_is_capped_at_100():
    assert domain.progress(6500, 10000) == Decimal("65.00")
    assert domain.progress(Decimal("2"), 3) == Decimal("66.66")
    assert domain.progress_int(Decimal("99.999"), 100) == 99
    assert domain.progress(12000, 10000) == Decimal("100.00")
    assert domain.achieved(12000, 10000) and not domain.achieved(9999, 10000)


def test_contributions_are_quantized_so_sums_are_exact():
    spec = goal(id_unit=1)
    parts = [domain.contribution(spec, opp(uuid=str(i), quantity=Decimal("1"), unit_id=4)) for i in range(3)]
    assert sum(p.counted for p in parts) == Decimal("1.360776")  # 3 x 0.453592 (lb -> kg, 6 decimals)


def test_unit_labels_and_json_numbers():
    assert domain.unit_label("volume", 1) == "kg" and domain.unit_label("billing", 986) == "BRL"
    assert not domain.valid_unit("billing", 1) and not domain.valid_unit("volume", 840)
    assert domain.number(Decimal("10.000000")) == 10 and domain.number(Decimal("2.5")) == 2.5
