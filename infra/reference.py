"""Reference data that never varies by workspace, identical in every service (version REFERENCE_VERSION).

Units carry a dimension and the factor to the dimension's base unit (kg, l, ha, unit): quantities
convert only within one dimension. Currencies are ISO 4217 with their ISO numeric code as id.
Countries have integer ids with 1 = Argentina, as the accounts document expects.
Ids are stable: new entries get new ids, existing ids never change meaning.
"""

from decimal import Decimal
from typing import Any

REFERENCE_VERSION = 1

UNITS: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "kilogram", "symbol": "kg", "dimension": "mass", "factor": "1"},
    {"id": 2, "name": "tonne", "symbol": "t", "dimension": "mass", "factor": "1000"},
    {"id": 3, "name": "gram", "symbol": "g", "dimension": "mass", "factor": "0.001"},
    {"id": 4, "name": "pound", "symbol": "lb", "dimension": "mass", "factor": "0.45359237"},
    {"id": 5, "name": "litre", "symbol": "l", "dimension": "volume", "factor": "1"},
    {"id": 6, "name": "millilitre", "symbol": "ml", "dimension": "volume", "factor": "0.001"},
    {"id": 7, "name": "cubic metre", "symbol": "m3", "dimension": "volume", "factor": "1000"},
    {"id": 8, "name": "quintal", "symbol": "q", "dimension": "mass", "factor": "100"},
    {"id": 9, "name": "hectare", "symbol": "ha", "dimension": "area", "factor": "1"},
    {"id": 10, "name": "unit", "symbol": "u", "dimension": "count", "factor": "1"},
    {"id": 11, "name": "bag (50 kg)", "symbol": "bag50", "dimension": "mass", "factor": "50"},
    {"id": 12, "name": "US gallon", "symbol": "gal", "dimension": "volume", "factor": "3.785411784"},
)

CURRENCIES: tuple[dict[str, Any], ...] = (
    {"id": 32, "code": "ARS", "name": "Argentine peso"},
    {"id": 36, "code": "AUD", "name": "Australian dollar"},
    {"id": 68, "code": "BOB", "name": "Boliviano"},
    {"id": 124, "code": "CAD", "name": "Canadian dollar"},
    {"id": 152, "code": "CLP", "name": "Chilean peso"},
    {"id": 156, "code": "CNY", "name": "Renminbi"},
    {"id": 170, "code": "COP", "name": "Colombian peso"},
    {"id": 392, "code": "JPY", "name": "Japanese yen"},
    {"id": 484, "code": "MXN", "name": "Mexican peso"},
    {"id": 600, "code": "PYG", "name": "Paraguayan guaraní"},
    {"id": 604, "code": "PEN", "name": "Peruvian sol"},
    {"id": 756, "code": "CHF", "name": "Swiss franc"},
    {"id": 826, "code": "GBP", "name": "Pound sterling"},
    {"id": 840, "code": "USD", "name": "United States dollar"},
    {"id": 858, "code": "UYU", "name": "Uruguayan peso"},
    {"id": 978, "code": "EUR", "name": "Euro"},
    {"id": 986, "code": "BRL", "name": "Brazilian real"},
)

COUNTRIES: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "Argentina", "iso2": "AR"},
    {"id": 2, "name": "Brazil", "iso2": "BR"},
    {"id": 3, "name": "Chile", "iso2": "CL"},
    {"id": 4, "name": "Uruguay", "iso2": "UY"},
    {"id": 5, "name": "Paraguay", "iso2": "PY"},
    {"id": 6, "name": "Bolivia", "iso2": "BO"},
    {"id": 7, "name": "Peru", "iso2": "PE"},
    {"id": 8, "name": "Colombia", "iso2": "CO"},
    {"id": 9, "name": "Mexico", "iso2": "MX"},
    {"id": 10, "name": "United States", "iso2": "US"},
    {"id": 11, "name": "Canada", "iso2": "CA"},
    {"id": 12, "name": "Spain", "iso2": "ES"},
    {"id": 13, "name": "Germany", "iso2": "DE"},
    {"id": 14, "name": "France", "iso2": "FR"},
    {"id": 15, "name": "Italy", "iso2": "IT"},
    {"id": 16, "name": "United Kingdom", "iso2": "GB"},
    {"id": 17, "name": "Ecuador", "iso2": "EC"},
    {"id": 18, "name": "Venezuela", "iso2": "VE"},
    {"id": 19, "name": "China", "iso2": "CN"},
    {"id": 20, "name": "Australia", "iso2": "AU"},
)

UNITS_BY_ID = {unit["id"]: unit for unit in UNITS}
CURRENCIES_BY_ID = {currency["id"]: currency for currency in CURRENCIES}
CURRENCIES_BY_CODE = {currency["code"]: currency for currency in CURRENCIES}
COUNTRIES_BY_ID = {country["id"]: country for country in COUNTRIES}


def convert_quantity(quantity: Decimal | int | str, from_unit_id: int | None, to_unit_id: int | None) -> Decimal | None:
    """`quantity` in `from_unit_id` expressed in `to_unit_id`, or None if the units cannot convert
    (unknown unit or another dimension)."""
    source, target = UNITS_BY_ID.get(from_unit_id), UNITS_BY_ID.get(to_unit_id)
    if source is None or target is None or source["dimension"] != target["dimension"]:
        return None
    if from_unit_id == to_unit_id:
        return Decimal(quantity)
    return Decimal(quantity) * Decimal(source["factor"]) / Decimal(target["factor"])
