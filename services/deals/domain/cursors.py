"""Keyset cursors of the index: [order column, direction, last sort value, last id], opaque to clients."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from infra.cursors import decode_cursor, encode_cursor
from services.deals.domain.deal import MAX_ID
from services.deals.exceptions import InvalidQuery


def encode_deal_cursor(order: tuple[str, str], sort_value: Any, deal_id: int) -> str:
    if isinstance(sort_value, (date, datetime)):
        sort_value = sort_value.isoformat()
    return encode_cursor([order[0], order[1], sort_value, deal_id])


def decode_deal_cursor(text: Any, order: tuple[str, str]) -> tuple[Any, int]:
    """(sort value, id) of a cursor made for the same order; InvalidQuery for anything else."""
    try:
        values = decode_cursor(text, InvalidQuery)
    except InvalidQuery:
        raise InvalidQuery("is not a cursor of the deals index", "cursor") from None
    if values is None or len(values) != 4 or type(values[3]) is not int or not 0 < values[3] <= MAX_ID:
        raise InvalidQuery("is not a cursor of the deals index", "cursor")
    if (values[0], values[1]) != tuple(order):
        raise InvalidQuery("was made for another order; send the order it came with", "cursor")
    column, raw = order[0], values[2]
    sort_value: Any
    try:
        if column == "id":
            if type(raw) is not int:
                raise ValueError
            sort_value = raw
        elif column in ("created_at", "updated_at"):
            sort_value = datetime.fromisoformat(raw)
        elif column == "target_date":
            sort_value = date.fromisoformat(raw)
        elif isinstance(raw, str):
            sort_value = raw
        else:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidQuery("is not a cursor of the deals index", "cursor") from None
    return sort_value, values[3]


def next_cursor(deals: Sequence[Any], order: tuple[str, str], perpage: int) -> str | None:
    """The cursor of the page after `deals` (None when this page is not full)."""
    if len(deals) < perpage:
        return None
    last = deals[-1]
    return encode_deal_cursor(order, getattr(last, order[0]), last.id)
