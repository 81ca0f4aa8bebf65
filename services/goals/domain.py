"""Goal progress rules with no I/O (DESIGN.md, "Goal progress").

An opportunity is a plain mapping with the projection's fields (uuid, workspace_id, user_id,
campaign_uuid, type, input_uuid, crop_id, variety_id, current_state, quantity, unit_id, value,
value_count, currency_id). A goal is a `GoalSpec`. A goal's figure is the sum of its
opportunities' contributions, so an event can move it by a delta (old contribution -> new one)
and a from-scratch recomputation gives exactly the same number: every contribution is quantized
to `SCALE` before it is summed.
"""
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from infra.reference import CURRENCIES_BY_CODE, CURRENCIES_BY_ID, UNITS_BY_ID, convert_quantity

SCALE = Decimal("0.000001")
HUNDRED = Decimal(100)
GOAL_TYPES = ("sale", "purchase")
GOAL_SUBTYPES = ("volume", "billing")
# forecast: won counts in full, open deals by the probability their state names, lost not at all
STATE_WEIGHTS = {"open_0": 0, "open_25": 25, "open_50": 50, "open_75": 75, "won": 100, "lost": 0}
PROGRESS_CAP = HUNDRED  # progress is capped at 100 %; `current` keeps the real figure


@dataclass(frozen=True)
class GoalSpec:
    workspace_id: int
    campaign_uuid: str
    goal_type: str
    goal_subtype: str
    id_unit: int
    input_uuid: str = None
    crop_id: int = None
    variety_id: int = None
    assigned: bool = False          # False: the whole workspace counts
    members: frozenset = field(default_factory=frozenset)  # user ids counted when assigned


@dataclass(frozen=True)
class Contribution:
    """What one opportunity brings to one goal. `amount` is in the goal's unit or currency, or None
    when the opportunity's unit/currency cannot be counted (then it is an "other units" one)."""
    opportunity_uuid: str
    user_id: int
    state: str
    amount: Decimal
    raw_quantity: Decimal
    raw_unit_id: int

    @property
    def counted(self):
        return self.amount if self.state == "won" and self.amount is not None else Decimal(0)

    @property
    def forecast(self):
        if self.amount is None:
            return Decimal(0)
        return quantize(self.amount * STATE_WEIGHTS[self.state] / HUNDRED)


def quantize(value):
    return Decimal(value).quantize(SCALE, rounding=ROUND_HALF_UP)


def currency_id_of(code, currency_id=None):
    if currency_id is not None:
        return currency_id
    currency = CURRENCIES_BY_CODE.get((code or "").upper())
    return currency["id"] if currency else None


def unit_label(goal_subtype, id_unit):
    """The `unit` a goal shows: the unit symbol (kg) or the currency code (USD)."""
    if goal_subtype == "billing":
        currency = CURRENCIES_BY_ID.get(id_unit)
        return currency["code"] if currency else None
    unit = UNITS_BY_ID.get(id_unit)
    return unit["symbol"] if unit else None


def valid_unit(goal_subtype, id_unit):
    return unit_label(goal_subtype, id_unit) is not None


def matches(goal, opp):
    """Does the opportunity belong to the goal (workspace, campaign, type, product, assignee)?"""
    if opp.get("deleted") or opp.get("workspace_id") != goal.workspace_id:
        return False
    if opp.get("campaign_uuid") != goal.campaign_uuid or opp.get("type") != goal.goal_type:
        return False
    if goal.goal_type == "sale" and opp.get("input_uuid") != goal.input_uuid:
        return False
    if goal.goal_type == "purchase":
        if opp.get("crop_id") != goal.crop_id:
            return False
        if goal.variety_id is not None and opp.get("variety_id") != goal.variety_id:
            return False
    if goal.assigned and opp.get("user_id") not in goal.members:
        return False
    return True


def measure(goal, opp):
    """(amount in the goal's unit or None, raw quantity, raw unit id)."""
    if goal.goal_subtype == "billing":
        raw = Decimal(opp.get("value") or 0) * Decimal(opp.get("value_count") or 0)
        currency = opp.get("currency_id")
        return (quantize(raw) if currency == goal.id_unit else None), quantize(raw), currency
    quantity, unit_id = opp.get("quantity"), opp.get("unit_id")
    if quantity is None:
        return None, None, unit_id
    converted = convert_quantity(quantity, unit_id, goal.id_unit)
    return (quantize(converted) if converted is not None else None), quantize(quantity), unit_id


def contribution(goal, opp):
    """The opportunity's Contribution to the goal, or None when it brings nothing (no match, lost)."""
    if not matches(goal, opp) or opp.get("current_state") not in STATE_WEIGHTS:
        return None
    if opp["current_state"] == "lost":
        return None
    amount, raw_quantity, raw_unit = measure(goal, opp)
    return Contribution(opp["uuid"], opp.get("user_id"), opp["current_state"], amount, raw_quantity, raw_unit)


def figures(goal, opportunities):
    """(current, forecast, contributions) of a goal recomputed from scratch."""
    contributions = [c for c in (contribution(goal, opp) for opp in opportunities) if c is not None]
    current = sum((c.counted for c in contributions), Decimal(0))
    forecast = sum((c.forecast for c in contributions), Decimal(0))
    return current, forecast, contributions


def progress(current, target):
    """Percentage of the target reached, two decimals, rounded down and capped at 100."""
    if not target or Decimal(target) <= 0:
        return Decimal("0.00")
    value = (Decimal(current) * HUNDRED / Decimal(target)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return max(Decimal("0.00"), min(value, PROGRESS_CAP))


def progress_int(current, target):
    """The list's integer progress: the detail's figure without its decimals (65.99 -> 65)."""
    return int(progress(current, target))


def achieved(current, target):
    return Decimal(current) >= Decimal(target) > 0


def number(value):
    """A Decimal as a JSON number: an int when whole, else a float."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
