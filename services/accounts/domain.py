"""Accounts rules with no I/O: tax id format, who may (in)activate, what a deal counts for."""
import re
import uuid

from contracts.events import OPEN_STATES
from services.accounts.exceptions import (AccountAlreadyActive, AccountAlreadyInactive, HasOpenOpportunities,
                                          InvalidTaxId, NotAccountOwner)

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


def is_valid_tax_id(tax_id):
    return isinstance(tax_id, str) and 0 < len(tax_id) <= TAX_ID_MAX and bool(TAX_ID_PATTERN.match(tax_id))


def check_tax_id(tax_id):
    if not is_valid_tax_id(tax_id):
        raise InvalidTaxId(field="tax_id")
    return tax_id


def tax_key(tax_id):
    """What uniqueness compares: the tax id without separators, upper-cased."""
    return re.sub(r"[-./]", "", tax_id).upper()


def canonical_uuid(value: str) -> str | None:
    """The lower-case hyphenated form accounts are stored with, or None if `value` is not a uuid."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        return None


def bucket_of(state):
    """openDeals for any open_*; won and lost as themselves."""
    if state in OPEN_STATES:
        return "open"
    if state in ("won", "lost"):
        return state
    raise ValueError("unknown opportunity state {!r}".format(state))


def contribution(account_uuid, state, type_, deleted=False):
    """The counter a projected deal adds 1 to: (account_uuid, bucket, type), or None."""
    if deleted or not account_uuid or state is None or type_ not in TYPES:
        return None
    return (account_uuid, bucket_of(state), type_)


def counter_deltas(old, new):
    """{(account_uuid, bucket, type): delta} moving a deal's contribution from `old` to `new`."""
    deltas = {}
    if old is not None:
        deltas[old] = deltas.get(old, 0) - 1
    if new is not None:
        deltas[new] = deltas.get(new, 0) + 1
    return {key: delta for key, delta in deltas.items() if delta}


def opportunity_counts(counters):
    """{openDeals: {purchase, sale, exchange}, ...} from {(bucket, type): count}."""
    return {BUCKET_NAMES[bucket]: {type_: int(counters.get((bucket, type_), 0)) for type_ in ("purchase", "sale", "exchange")}
            for bucket in BUCKETS}


def check_can_inactivate(account, caller_user_id):
    if account.owner_id != caller_user_id:
        raise NotAccountOwner()
    if account.inactivation_date is not None:
        raise AccountAlreadyInactive()
    if account.open_total > 0:
        raise HasOpenOpportunities()


def check_can_activate(account, caller_user_id):
    if account.owner_id != caller_user_id:
        raise NotAccountOwner("You can only activate accounts you own")
    if account.inactivation_date is None:
        raise AccountAlreadyActive()
