from decimal import Decimal

import pytest

from infra import reference
from infra.cursors import decode_cursor, encode_cursor
from infra.errors import ValidationFailed


def test_cursor_round_trips_and_is_opaque_text():
    cursor = encode_cursor(["Zona Sur", 42])
    assert isinstance(cursor, str) and "Zona" not in cursor
    assert decode_cursor(cursor) == ["Zona Sur", 42]


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor.__name__, "eyJhIjoxfQ", "x" * 600, 12])
def test_bad_cursors_are_validation_errors_naming_page(bad):
    with pytest.raises(ValidationFailed) as error:
        decode_cursor(bad)
    assert error.value.field == "page"


def test_missing_cursor_means_first_page():
    assert decode_cursor(None) is None and decode_cursor("") is None


def test_catalog_ids_the_documents_rely_on():
    assert reference.UNITS_BY_ID[1]["symbol"] == "kg"
    assert {unit["symbol"] for unit in reference.UNITS} >= {"kg", "t", "g", "lb", "l", "ml"}
    assert {c["code"] for c in reference.CURRENCIES} >= {"USD", "EUR", "ARS", "BRL"}
    assert reference.COUNTRIES_BY_ID[1]["name"] == "Argentina"
    assert len({c["id"] for c in reference.CURRENCIES}) == len(reference.CURRENCIES)


def test_quantities_convert_within_a_dimension_only():
    t = next(u["id"] for u in reference.UNITS if u["symbol"] == "t")
    lb = next(u["id"] for u in reference.UNITS if u["symbol"] == "lb")
    litre = next(u["id"] for u in reference.UNITS if u["symbol"] == "l")
    assert reference.convert_quantity(Decimal("2.5"), t, 1) == Decimal("2500")
    assert reference.convert_quantity(Decimal("1"), lb, 1) == Decimal("0.45359237")
    assert reference.convert_quantity(Decimal("1"), litre, 1) is None
    assert reference.convert_quantity(Decimal("1"), 9999, 1) is None
