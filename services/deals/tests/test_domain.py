"""Deal rules without I/O."""
import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest

from services.deals import domain, schemas
from services.deals.exceptions import InvalidDeal, InvalidQuery

NOW = datetime(2024, 5, 1, 12, 0)
EARLIER = datetime(2024, 1, 1, 8, 0)


@pytest.mark.parametrize("text, expected", [("12-03-2014", date(2014, 3, 12)), ("2014-03-12", date(2014, 3, 12)),
                                            ("1.6.2015", date(2015, 6, 1)), (" 01-06-2015 ", date(2015, 6, 1))])
def test_dates_in_the_documents_form_and_iso(text, expected):
    assert domain.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2014", "2014/03/12", "03-12", "", 20140312, None, "2014-3-12x"])
def test_bad_dates_are_refused(text):
    with pytest.raises(ValueError):
        domain.parse_date(text)


@pytest.mark.parametrize("old, old_finished, new, expected", [
    ("open_0", None, "won", NOW),
    ("open_75", None, "lost", NOW),
    ("won", EARLIER, "won", EARLIER),        # unchanged state keeps the moment
    ("won", EARLIER, "lost", NOW),           # a new decision is a new moment
    ("won", EARLIER, "open_25", None),       # reopened
    (None, None, "open_0", None),
])
def test_finished_at_follows_the_state(old, old_finished, new, expected):
    assert domain.finished_at_after(old, old_finished, new, NOW) == expected


@pytest.mark.parametrize("number, text", [(Decimal("10000"), "10000.0"), (Decimal("10000.0000"), "10000.0"),
                                          (Decimal("75.5000"), "75.5"), (Decimal("1E+3"), "1000.0"),
                                          (Decimal("0.0001"), "0.0001"), (None, None)])
def test_decimals_are_shown_as_the_document_does(number, text):
    assert domain.decimal_text(number) == text


def test_stats_sum_is_an_integer_when_whole():
    assert domain.json_number(Decimal("217408.0000")) == 217408
    assert domain.json_number(Decimal("12.345")) == 12.35
    assert domain.json_number(None) == 0


def test_person_ids_from_a_comma_separated_string_or_a_list():
    assert domain.parse_id_list("3, 1,3") == [1, 3]
    assert domain.parse_id_list([2, "4"]) == [2, 4]
    assert domain.parse_id_list("") == []
    for bad in ("1, x", [True], "-1", {"a": 1}):
        with pytest.raises(ValueError):
            domain.parse_id_list(bad)


@pytest.mark.parametrize("order, expected", [(None, ("name_search", "asc")), ("name-desc", ("name_search", "desc")),
                                             ("created_at", ("created_at", "desc")),
                                             ("activity-asc", ("updated_at", "asc")),
                                             ("updated_at-desc", ("updated_at", "desc"))])
def test_order_criterion_and_direction(order, expected):
    assert domain.parse_order(order) == expected


def test_query_parsing_of_filters_custom_fields_and_observer():
    query = domain.parse_query({"filter[value]": "10.5", "filter[company_id]": "", "custom_fields[3]": "0815",
                                "custom_fields[5]": "x", "observer_user_id": "", "includes": "all",
                                "page": "2", "perpage": "10"}, caller_user_id=42)
    assert query.filters == {"value": Decimal("10.5"), "company_id": None}
    assert query.custom_fields == [(3, None, "0815"), (5, None, "x")]
    assert query.observer_user_id == 42
    assert query.includes == frozenset(domain.INCLUDES) and (query.page, query.perpage) == (2, 10)
    by_name = domain.parse_query({"custom_fields[custom_field_type_name]": "kundennummer",
                                  "custom_fields[value]": "0815"}, 1)
    assert by_name.custom_fields == [(None, "kundennummer", "0815")]


@pytest.mark.parametrize("args, field", [({"custom_fields[custom_field_type_id]": "3"}, "custom_fields[value]"),
                                         ({"filter[value]": "Infinity"}, "filter[value]"),
                                         ({"filter[target_date]": "soon"}, "filter[target_date]"),
                                         ({"perpage": "251"}, "perpage")])
def test_bad_queries_name_the_parameter(args, field):
    with pytest.raises(InvalidQuery) as raised:
        domain.parse_query(args, 1)
    assert raised.value.field == field


def test_search_key_and_like_prefix_escape_wildcards():
    assert domain.search_key("MÄHDRESCHER") == "mähdrescher"
    assert domain.like_prefix("50%_a\\") == "50\\%\\_a\\\\%"


ACCOUNT = "0b0e1f7e-6a57-4e64-9d0a-1f7e6a574e64"


def test_deal_changes_of_a_new_deal_default_the_state_and_key_the_name():
    changes = domain.deal_changes({}, {"name": "Mähdrescher", "account_uuid": uuid.UUID(ACCOUNT)}, NOW)
    assert changes == {"name": "Mähdrescher", "name_search": "mähdrescher", "account_uuid": ACCOUNT,
                       "current_state": "open_0", "finished_at": None}
    assert domain.deal_changes({}, {"current_state": "won"}, NOW)["finished_at"] == NOW


def test_deal_changes_keep_the_state_and_refuse_a_quantity_without_unit():
    won = {"current_state": "won", "finished_at": EARLIER, "quantity": None, "unit_id": None}
    assert domain.deal_changes(won, {"description": "x"}, NOW) == {"description": "x", "current_state": "won",
                                                                    "finished_at": EARLIER}
    with pytest.raises(InvalidDeal) as raised:
        domain.deal_changes(won, {"quantity": Decimal("5")}, NOW)
    assert raised.value.field == "unit_id"
    with_unit = dict(won, quantity=Decimal("5"), unit_id=1)
    assert domain.deal_changes(with_unit, {"quantity": Decimal("7")}, NOW)["quantity"] == Decimal("7")
    with pytest.raises(InvalidDeal):
        domain.deal_changes(with_unit, {"unit_id": None}, NOW)


def test_references_to_check_are_those_set_to_something_new():
    data = {"user_id": 7, "account_uuid": uuid.UUID(ACCOUNT), "campaign_uuid": None, "name": "x"}
    assert domain.references_to_check(data, {}, caller_user_id=1) == {"user_id": 7, "account_uuid": ACCOUNT}
    assert domain.references_to_check(data, {}, caller_user_id=7) == {"account_uuid": ACCOUNT}  # the caller
    held = {"user_id": 7, "account_uuid": ACCOUNT, "campaign_uuid": None}
    assert domain.references_to_check(data, held, caller_user_id=1) == {}  # unchanged: not asked again
    assert domain.references_to_check({"name": "x"}, {}, caller_user_id=1) == {}


def test_every_parameter_the_index_query_schema_documents_is_read():
    samples = {"includes": "tags", "methods": "responsible_user_natural_name", "tag_id": "3", "tag_name": "VIP",
               "observer_user_id": "4", "order": "id-desc", "page": "2", "perpage": "10",
               "cursor": domain.encode_deal_cursor(("name_search", "asc"), "deal", 5)}
    default = domain.parse_query({}, caller_user_id=1)
    documented = set(schemas.DealIndexQuery().fields)
    assert documented == set(samples)
    for name in documented:
        assert domain.parse_query({name: samples[name]}, caller_user_id=1) != default, name
    assert set(schemas.DealViewQuery().fields) <= documented
    assert set(schemas.DealStatsQuery().fields) - documented == {"currency"}
