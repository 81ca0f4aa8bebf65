"""Accounts rules with no I/O: tax id format, who may (in)activate, what a deal counts for and how a
deal's change moves the counters."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any, Hashable, Iterable, Mapping, Optional, Protocol, Tuple, TypeVar

from contracts.events import OPEN_STATES
from services.accounts.exceptions import (
    AccountAlreadyActive,
    AccountAlreadyInactive,
    HasOpenOpportunities,
    InvalidTaxId,
    NotAccountOwner,
)

BUCKETS = ("open", "won", "lost")
TYPES = ("sale", "purchase", "exchange")
# API names of the buckets (list response and the `opportunities_state` filter)
BUCKET_NAMES = {"open": "openDeals", "won": "wonDeals", "lost": "lostDeals"}
STATE_FILTERS = {name: bucket for bucket, name in BUCKET_NAMES.items()}

# Flexible international format: letters and digits in groups joined by a single hyphen, dot or
# slash (CUIT 20-12345678-9, CNPJ 12.345.678/0001-90, RUT 12.345.678-K, RFC GODE561231GR8,
# EIN 12-3456789, CIF B12345678). No leading, trailing or doubled separators; 1-20 characters.
TAX_ID_PATTERN = re.compile(r"^[A-Za-z0-9]+(?:[-./][A-Za-z0-9]+)*$")
TAX_ID_MAX = 20

Contribution = Tuple[str, str, str]  # (account_uuid, bucket, type): the counter a deal adds 1 to
Counts = Mapping[Tuple[str, str], int]  # {(bucket, type): count} of one account
K = TypeVar("K", bound=Hashable)


class AccountState(Protocol):
    """What the (in)activation rules read of an account."""

    owner_id: int
    inactivation_date: Optional[datetime]
    open_total: int


def is_valid_tax_id(tax_id: object) -> bool:
    return isinstance(tax_id, str) and 0 < len(tax_id) <= TAX_ID_MAX and bool(TAX_ID_PATTERN.match(tax_id))


def check_tax_id(tax_id: str) -> str:
    if not is_valid_tax_id(tax_id):
        raise InvalidTaxId(field="tax_id")
    return tax_id


def tax_key(tax_id: str) -> str:
    """What uniqueness compares: the tax id without separators, upper-cased."""
    return re.sub(r"[-./]", "", tax_id).upper()


def canonical_uuid(value: str) -> str | None:
    """The lower-case hyphenated form accounts are stored with, or None if `value` is not a uuid."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        return None


def is_list_key(values: list[Any]) -> bool:
    """A list page's key as a cursor carries it: [name, id], the id within BIGINT (a cursor is opaque,
    but a client may forge one)."""
    return (
        len(values) == 2
        and isinstance(values[0], str)
        and isinstance(values[1], int)
        and not isinstance(values[1], bool)
        and -(2**63) <= values[1] < 2**63
    )


def naive_utc(moment: datetime | None) -> datetime | None:
    """A timestamp as the database keeps it: UTC without a zone (a naive one is taken as UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def check_can_inactivate(account: AccountState, caller_user_id: int) -> None:
    if account.owner_id != caller_user_id:
        raise NotAccountOwner()
    if account.inactivation_date is not None:
        raise AccountAlreadyInactive()
    if account.open_total > 0:
        raise HasOpenOpportunities()


def check_can_activate(account: AccountState, caller_user_id: int) -> None:
    if account.owner_id != caller_user_id:
        raise NotAccountOwner("You can only activate accounts you own")
    if account.inactivation_date is None:
        raise AccountAlreadyActive()


# --- deal counts ------------------------------------------------------------------------------------
def counter_column(bucket: str, type_: str) -> str:
    return "opp_{}_{}".format(bucket, type_)


COUNTER_COLUMNS = tuple(counter_column(bucket, type_) for bucket in BUCKETS for type_ in TYPES)
TOTAL_COLUMNS = tuple("{}_total".format(bucket) for bucket in BUCKETS)


def bucket_of(state: str) -> str:
    """openDeals for any open_*; won and lost as themselves."""
    if state in OPEN_STATES:
        return "open"
    if state in ("won", "lost"):
        return state
    raise ValueError("unknown opportunity state {!r}".format(state))


def contribution(
    account_uuid: str | None, state: str | None, type_: str | None, deleted: bool = False
) -> Contribution | None:
    """The counter a projected deal adds 1 to: (account_uuid, bucket, type), or None."""
    if deleted or not account_uuid or state is None or type_ not in TYPES:
        return None
    return (account_uuid, bucket_of(state), type_)


def counter_deltas(old: Contribution | None, new: Contribution | None) -> dict[Contribution, int]:
    """{(account_uuid, bucket, type): delta} moving a deal's contribution from `old` to `new`."""
    deltas: dict[Contribution, int] = {}
    if old is not None:
        deltas[old] = deltas.get(old, 0) - 1
    if new is not None:
        deltas[new] = deltas.get(new, 0) + 1
    return {key: delta for key, delta in deltas.items() if delta}


def deltas_per_account(deltas: Mapping[Contribution, int]) -> dict[str, dict[str, int]]:
    """{account_uuid: {column: delta}} from {(account_uuid, bucket, type): delta}: a deal that changes
    bucket or type on the same account moves its counters in one UPDATE (a total that nets to 0 is
    left out)."""
    per_account: dict[str, dict[str, int]] = {}
    for (account_uuid, bucket, type_), delta in deltas.items():
        columns = per_account.setdefault(account_uuid, {})
        for name in (counter_column(bucket, type_), "{}_total".format(bucket)):
            columns[name] = columns.get(name, 0) + delta
    return {
        account: {name: delta for name, delta in columns.items() if delta} for account, columns in per_account.items()
    }


def counts_by_key(rows: Iterable[Tuple[K, str | None, str | None, int]]) -> dict[K, dict[Tuple[str, str], int]]:
    """{key: {(bucket, type): count}} from (key, state, type, count) rows of live deals with an account
    (the key: an account uuid, or (workspace_id, account uuid)); what the counters must hold."""
    counts: dict[K, dict[Tuple[str, str], int]] = {}
    for key, state, type_, count in rows:
        if state is None or type_ not in TYPES:
            continue
        per_account = counts.setdefault(key, {})
        counter = (bucket_of(state), type_)
        per_account[counter] = per_account.get(counter, 0) + count
    return counts


def counter_values(counts: Counts) -> dict[str, int]:
    """The twelve counter columns of an account holding `counts`: nine per (bucket, type), three totals."""
    values = {
        counter_column(bucket, type_): int(counts.get((bucket, type_), 0)) for bucket in BUCKETS for type_ in TYPES
    }
    for bucket in BUCKETS:
        values["{}_total".format(bucket)] = sum(values[counter_column(bucket, type_)] for type_ in TYPES)
    return values


def opportunity_counts(counters: Counts) -> dict[str, dict[str, int]]:
    """{openDeals: {purchase, sale, exchange}, ...} from {(bucket, type): count}."""
    return {
        BUCKET_NAMES[bucket]: {
            type_: int(counters.get((bucket, type_), 0)) for type_ in ("purchase", "sale", "exchange")
        }
        for bucket in BUCKETS
    }
