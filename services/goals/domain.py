"""Goal progress rules with no I/O (DESIGN.md, "Goal progress").

An opportunity is a plain mapping with the projection's fields (uuid, workspace_id, user_id,
campaign_uuid, type, input_uuid, crop_id, variety_id, current_state, quantity, unit_id, value,
value_count, currency_id). A goal is a `GoalSpec`. A goal's figure is the sum of its
opportunities' contributions, so an event can move it by a delta (old contribution -> new one)
and a from-scratch recomputation gives exactly the same number: every contribution is quantized
to `SCALE` before it is summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Optional, Protocol, cast

from infra.reference import CURRENCIES_BY_CODE, CURRENCIES_BY_ID, UNITS_BY_ID, convert_quantity

SCALE = Decimal("0.000001")
HUNDRED = Decimal(100)
GOAL_TYPES = ("sale", "purchase")
GOAL_SUBTYPES = ("volume", "billing")
# forecast: won counts in full, open deals by the probability their state names, lost not at all
STATE_WEIGHTS = {"open_0": 0, "open_25": 25, "open_50": 50, "open_75": 75, "won": 100, "lost": 0}
PROGRESS_CAP = HUNDRED  # progress is capped at 100 %; `current` keeps the real figure
# the snapshot fields the opportunity projection keeps as they come
PROJECTED = (
    "workspace_id",
    "user_id",
    "name",
    "campaign_uuid",
    "type",
    "input_uuid",
    "crop_id",
    "variety_id",
    "current_state",
    "quantity",
    "unit_id",
    "value",
    "value_count",
)
DECIMALS = ("quantity", "value", "value_count")

Opportunity = Mapping[str, Any]


@dataclass(frozen=True)
class GoalSpec:
    workspace_id: int
    campaign_uuid: str
    goal_type: str
    goal_subtype: str
    id_unit: int
    input_uuid: Optional[str] = None
    crop_id: Optional[int] = None
    variety_id: Optional[int] = None
    assigned: bool = False  # False: the whole workspace counts
    members: frozenset[int] = field(default_factory=frozenset)  # user ids counted when assigned


class GoalFields(Protocol):
    """What a stored goal (a row) offers to become a GoalSpec."""

    workspace_id: int
    campaign_uuid: str
    goal_type: str
    goal_subtype: str
    id_unit: int
    input_uuid: Optional[str]
    crop_id: Optional[int]
    variety_id: Optional[int]
    assigned: bool


def goal_spec(goal: GoalFields, members: Iterable[int] = ()) -> GoalSpec:
    return GoalSpec(
        workspace_id=goal.workspace_id,
        campaign_uuid=goal.campaign_uuid,
        goal_type=goal.goal_type,
        goal_subtype=goal.goal_subtype,
        id_unit=goal.id_unit,
        input_uuid=goal.input_uuid,
        crop_id=goal.crop_id,
        variety_id=goal.variety_id,
        assigned=goal.assigned,
        members=frozenset(members),
    )


def counted(state: Optional[str], amount: Optional[Decimal]) -> Decimal:
    """What a contribution adds to the goal's figure: won ones in the goal's unit only."""
    if state != "won" or amount is None:
        return Decimal(0)
    return Decimal(amount)


def forecast(state: Optional[str], amount: Optional[Decimal]) -> Decimal:
    """What a contribution adds to the goal's forecast: its amount weighted by its state."""
    if state is None or amount is None:
        return Decimal(0)
    return quantize(Decimal(amount) * STATE_WEIGHTS[state] / HUNDRED)


@dataclass(frozen=True)
class Contribution:
    """What one opportunity brings to one goal. `amount` is in the goal's unit or currency, or None
    when the opportunity's unit/currency cannot be counted (then it is an "other units" one)."""

    opportunity_uuid: str
    user_id: Optional[int]
    state: str
    amount: Optional[Decimal]
    raw_quantity: Optional[Decimal]
    raw_unit_id: Optional[int]

    @property
    def counted(self) -> Decimal:
        return counted(self.state, self.amount)

    @property
    def forecast(self) -> Decimal:
        return forecast(self.state, self.amount)


def quantize(value: Any) -> Decimal:
    return Decimal(value).quantize(SCALE, rounding=ROUND_HALF_UP)


def currency_id_of(code: Optional[str], currency_id: Optional[int] = None) -> Optional[int]:
    if currency_id is not None:
        return currency_id
    currency = CURRENCIES_BY_CODE.get((code or "").upper())
    return cast(int, currency["id"]) if currency else None


def projected_fields(workspace_id: int, snapshot: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """The opportunity projection's columns for a contract-loaded snapshot (None: a tombstone)."""
    if snapshot is None:
        return dict(
            {name: None for name in PROJECTED}, workspace_id=workspace_id, deleted=True, deal_id=None, currency_id=None
        )
    values = {name: snapshot.get(name) for name in PROJECTED}
    values.update(
        deleted=False,
        deal_id=snapshot.get("id"),
        currency_id=currency_id_of(snapshot.get("currency"), snapshot.get("currency_id")),
    )
    for name in DECIMALS:
        value = values[name]
        if value is not None:
            values[name] = Decimal(value)
    return values


def unit_label(goal_subtype: str, id_unit: int) -> Optional[str]:
    """The `unit` a goal shows: the unit symbol (kg) or the currency code (USD)."""
    if goal_subtype == "billing":
        currency = CURRENCIES_BY_ID.get(id_unit)
        return cast(str, currency["code"]) if currency else None
    unit = UNITS_BY_ID.get(id_unit)
    return cast(str, unit["symbol"]) if unit else None


def valid_unit(goal_subtype: str, id_unit: int) -> bool:
    return unit_label(goal_subtype, id_unit) is not None


def goal_type_to_match(opp: Opportunity) -> Optional[str]:
    """The type of the goals an opportunity can count for now, or None when it counts for none
    (deleted, lost, outside a campaign, or of a type no goal has)."""
    goal_type: str | None = opp.get("type")
    if (
        opp.get("deleted")
        or goal_type not in GOAL_TYPES
        or not opp.get("campaign_uuid")
        or opp.get("current_state") == "lost"
    ):
        return None
    return goal_type


def matches(goal: GoalSpec, opp: Opportunity) -> bool:
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


def measure(goal: GoalSpec, opp: Opportunity) -> tuple[Optional[Decimal], Optional[Decimal], Optional[int]]:
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


def contribution(goal: GoalSpec, opp: Opportunity) -> Optional[Contribution]:
    """The opportunity's Contribution to the goal, or None when it brings nothing (no match, lost)."""
    if not matches(goal, opp) or opp.get("current_state") not in STATE_WEIGHTS:
        return None
    if opp["current_state"] == "lost":
        return None
    amount, raw_quantity, raw_unit = measure(goal, opp)
    return Contribution(opp["uuid"], opp.get("user_id"), opp["current_state"], amount, raw_quantity, raw_unit)


def figures(goal: GoalSpec, opportunities: Iterable[Opportunity]) -> tuple[Decimal, Decimal, list[Contribution]]:
    """(current, forecast, contributions) of a goal recomputed from scratch."""
    contributions = [c for c in (contribution(goal, opp) for opp in opportunities) if c is not None]
    current = sum((c.counted for c in contributions), Decimal(0))
    forecast_ = sum((c.forecast for c in contributions), Decimal(0))
    return current, forecast_, contributions


def progress(current: Any, target: Any) -> Decimal:
    """Percentage of the target reached, two decimals, rounded down and capped at 100."""
    if not target or Decimal(target) <= 0:
        return Decimal("0.00")
    value = (Decimal(current) * HUNDRED / Decimal(target)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return max(Decimal("0.00"), min(value, PROGRESS_CAP))


def progress_int(current: Any, target: Any) -> int:
    """The list's integer progress: the detail's figure without its decimals (65.99 -> 65)."""
    return int(progress(current, target))


def achieved(current: Any, target: Any) -> bool:
    return Decimal(current) >= Decimal(target) > 0


@dataclass(frozen=True)
class Move:
    """A goal's figures after a change, and the events it owes: `progress_changed` (its figure or
    its progress moved) and `achieved` (it reached its target for the first time)."""

    current: Decimal
    forecast: Decimal
    progress: Decimal
    progress_int: int
    progress_changed: bool
    achieved: bool


def move(
    amount: Decimal,
    current: Decimal,
    forecast_: Decimal,
    progress_: Decimal,
    achieved_before: bool,
    delta_current: Decimal,
    delta_forecast: Decimal,
) -> Move:
    """The goal's figures moved by the deltas (a change of forecast alone owes no event)."""
    new_current = current + delta_current
    new_progress = progress(new_current, amount)
    return Move(
        current=new_current,
        forecast=forecast_ + delta_forecast,
        progress=new_progress,
        progress_int=int(new_progress),
        progress_changed=bool(delta_current) or new_progress != progress_,
        achieved=not achieved_before and achieved(new_current, amount),
    )


def number(value: Any) -> Optional[float | int]:
    """A Decimal as a JSON number: an int when whole, else a float."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def decimal_text(value: Any) -> Optional[str]:
    """A Decimal as events carry it: plain notation, no trailing zeros ("6500", "65.5")."""
    return format(Decimal(value).normalize(), "f") if value is not None else None
