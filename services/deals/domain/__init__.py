"""Deal rules with no I/O (no nameko, no SQLAlchemy): a deal's columns, states and finished_at and
references (deal.py), the document's number, date and id-list forms (values.py), the index query
language (query.py) and its keyset cursors (cursors.py). Everything public is named here."""

from services.deals.domain.cursors import decode_deal_cursor, encode_deal_cursor, next_cursor
from services.deals.domain.deal import (
    FINISHED_STATES,
    MAX_ID,
    REFERENCE_FIELDS,
    SCALAR_FIELDS,
    UUID_FIELDS,
    deal_changes,
    finished_at_after,
    references_to_check,
)
from services.deals.domain.query import (
    CHOICES,
    DEFAULT_PERPAGE,
    FILTERABLE,
    INCLUDES,
    MAX_PERPAGE,
    METHODS,
    ORDERS,
    DealQuery,
    parse_order,
    parse_query,
)
from services.deals.domain.values import decimal_text, json_number, like_prefix, parse_date, parse_id_list, search_key

__all__ = [
    "CHOICES",
    "DEFAULT_PERPAGE",
    "FILTERABLE",
    "FINISHED_STATES",
    "INCLUDES",
    "MAX_ID",
    "MAX_PERPAGE",
    "METHODS",
    "ORDERS",
    "REFERENCE_FIELDS",
    "SCALAR_FIELDS",
    "UUID_FIELDS",
    "DealQuery",
    "deal_changes",
    "decimal_text",
    "decode_deal_cursor",
    "encode_deal_cursor",
    "finished_at_after",
    "json_number",
    "like_prefix",
    "next_cursor",
    "parse_date",
    "parse_id_list",
    "parse_order",
    "parse_query",
    "references_to_check",
    "search_key",
]
