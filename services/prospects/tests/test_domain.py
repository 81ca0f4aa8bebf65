"""The prospects rules without a database: keys, contacts over time, status moves, import planning,
filters."""
from datetime import date, datetime

import pytest

from services.prospects.domain import catalog, filters, imports, keys, timeline


@pytest.mark.parametrize("text, folded", [("Café Ñandú", "cafe nandu"), ("  ÉCLAIR   Über ", "eclair uber"),
                                          ("Straße", "strasse"), (None, "")])
def test_fold_lowercases_strips_accents_and_collapses_spaces(text, folded):
    assert keys.fold(text) == folded


def test_search_key_keeps_company_and_name_apart_and_like_escapes_wildcards():
    assert keys.search_key("Acmé Corp", "José") == "acme corp|jose"
    assert keys.like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


@pytest.mark.parametrize("value, digits", [(5551234567, "5551234567"), ("+52 (555) 123-4567", "525551234567"),
                                           ("555.123.4567", "5551234567"), ("555-CALL-NOW", None), (12345, None),
                                           ("1234567890123456", None), (-5551234567, None), (True, None),
                                           (55512.5, None), ("５５５１２３４５６７", None)])
def test_phone_digits_accept_numbers_and_separators_only(value, digits):
    assert keys.phone_digits(value) == digits


def test_phone_key_is_country_code_and_digits():
    assert keys.phone_key(keys.phone_code(52), "5551234567") == "525551234567"
    assert keys.phone_key(keys.phone_code("+52"), keys.phone_digits("555 123 4567")) == "525551234567"
    assert keys.phone_key(None, keys.phone_digits("+52 555 123 4567")) == "525551234567"
    assert keys.phone_code(0) is None and keys.phone_code("abc") is None and keys.phone_key("52", None) is None


@pytest.mark.parametrize("email, valid", [("a@b.co", True), ("john.doe+x@acme.com", True), ("bad", False),
                                          ("a@b", False), ("a b@c.com", False), ("a@b.c" + "o" * 260, False)])
def test_email_format(email, valid):
    assert keys.valid_email(email) is valid


def test_shipments_are_shown_as_their_range():
    assert [catalog.shipments_desc(n) for n in (None, 0, 99, 100, 150, 999, 4999, 5000)] == \
        [None, "0-100", "0-100", "100-500", "100-500", "500-1000", "1000-5000", "5000+"]
    assert catalog.shipments_from_label("100-500") == 100 and catalog.shipments_from_label("lots") is None


def test_a_note_records_a_contact_when_written_or_at_a_past_scheduled_date():
    written = datetime(2026, 3, 10, 12)
    assert timeline.contact_at(written, None) == written
    assert timeline.contact_at(written, datetime(2026, 3, 8, 9)) == datetime(2026, 3, 8, 9)
    assert timeline.contact_at(written, datetime(2026, 3, 20, 9)) == written  # ahead: a plan, not a contact


def test_days_without_contact_count_from_creation_until_the_first_contact():
    today = date(2026, 3, 20)
    assert timeline.days_without_contact(None, datetime(2026, 3, 1, 23), today) == 19
    assert timeline.days_without_contact(datetime(2026, 3, 18, 1), datetime(2026, 3, 1), today) == 2


def test_active_client_makes_a_client_and_the_first_commercial_offer_is_dated():
    today = date(2026, 3, 20)
    move = timeline.move_to(catalog.ACTIVE_CLIENT, catalog.PROSPECT, False, None, today)
    assert (move.type, move.becomes_client, move.commercial_offer_date) == (catalog.CLIENT, True, None)
    partner = timeline.move_to(catalog.ACTIVE_CLIENT, catalog.PARTNER, False, None, today)
    assert (partner.type, partner.becomes_client) == (catalog.PARTNER, True)
    assert not timeline.move_to(catalog.ACTIVE_CLIENT, catalog.CLIENT, True, None, today).becomes_client
    assert timeline.move_to(catalog.COMMERCIAL_OFFER, 1, False, None, today).commercial_offer_date == today
    earlier = date(2026, 1, 5)
    assert timeline.move_to(catalog.COMMERCIAL_OFFER, 1, False, earlier, today).commercial_offer_date == earlier


def test_a_new_client_starts_as_active_client_and_a_prospect_as_new_lead():
    assert timeline.initial_status(catalog.CLIENT, None) == catalog.ACTIVE_CLIENT
    assert timeline.initial_status(catalog.PROSPECT, None) == catalog.NEW_LEAD
    assert timeline.initial_status(catalog.PROSPECT, 3) == 3


def test_onboarding_status_follows_the_steps_done():
    steps = list(catalog.ONBOARDING_STEPS)
    assert catalog.onboarding_status([]) == 0
    assert catalog.onboarding_status(steps[:2] + ["not-a-step"]) == 1
    assert catalog.onboarding_status(steps) == 2


def test_month_bounds():
    assert timeline.month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert timeline.month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert timeline.month_bounds("2026-13") is None


# --- import planning -----------------------------------------------------------------------------------
def _row(email, phone=None, code=52, **fields):
    return dict({"name": "N", "company": "C", "email": email, "phone": phone, "code": code}, **fields)


def test_plan_checks_each_row_and_reports_its_first_problem_with_its_index():
    rows = [_row("ok@x.io", 5551000001), _row("bad", 5551000002), _row("b@x.io", "55-CALL"),
            _row("c@x.io", 5551000003, type=4), _row("d@x.io", 5551000004, follow_up_id=9),
            _row(None, None), {"email": "e@x.io"}, _row("f@x.io", 5551000005, code="x"), _row("g@x.io", name=7)]
    plan = imports.plan(rows, {}, {}, {})
    assert [insert["row"] for insert in plan.inserts] == [0]
    assert [(e["row"], e["code"]) for e in plan.errors] == [
        (1, "INVALID_EMAIL"), (2, "INVALID_PHONE"), (3, "INVALID_TYPE"), (4, "INVALID_FOLLOW_UP"),
        (5, "MISSING_CONTACT"), (6, "MISSING_NAME"), (7, "INVALID_CODE"), (8, "INVALID_FIELD")]
    assert plan.errors[0]["email"] == "bad" and plan.errors[0]["field"] == "email"


def test_plan_dedupes_within_the_batch_on_normalised_keys():
    rows = [_row("Ann@X.io", 5551000001), _row("ann@x.io", 5551000002), _row("bo@x.io", "+52 555 100 0001", code=None),
            _row("cy@x.io", 5551000003)]
    plan = imports.plan(rows, {}, {}, {})
    assert [insert["row"] for insert in plan.inserts] == [0, 3]
    assert [(e["row"], e["code"], e["duplicate_of_row"]) for e in plan.errors] == [
        (1, "DUPLICATE_EMAIL", 0), (2, "DUPLICATE_PHONE", 0)]


def test_an_invalid_row_does_not_reserve_its_email():
    plan = imports.plan([_row("same@x.io", "bad phone"), _row("same@x.io", 5551000001)], {}, {}, {})
    assert [insert["row"] for insert in plan.inserts] == [1]


def test_plan_dedupes_against_prospects_and_users_and_proposes_updates_only_for_visible_ones():
    own = imports.Existing(7, True, {"name": "Old", "company_name": "C", "email_key": "own@x.io",
                                     "phone_key": "525550000007"})
    other = imports.Existing(8, False, {"email_key": "other@x.io"})
    rows = [_row("OWN@x.io", 5551000001, name="New name"), _row("other@x.io", 5551000002),
            _row("boss@x.io", 5551000003), _row("fresh@x.io", 5550000007)]
    plan = imports.plan(rows, {"own@x.io": own, "other@x.io": other}, {"525550000007": own}, {"boss@x.io": 3})
    assert plan.inserts == []
    assert [(e["row"], e["code"], e.get("existing_id"), e.get("existing_user_id")) for e in plan.errors] == [
        (0, "DUPLICATE_EMAIL", 7, None), (1, "DUPLICATE_EMAIL", None, None), (2, "DUPLICATE_EMAIL", None, 3),
        (3, "DUPLICATE_PHONE", 7, None)]
    assert plan.updates == [
        {"row": 0, "id": 7, "changes": {"name": "New name", "phone_code": "52", "phone": "5551000001"}},
        {"row": 3, "id": 7, "changes": {"name": "N", "email": "fresh@x.io"}}]


def test_keys_of_collects_the_keys_of_checkable_rows():
    assert imports.keys_of([_row("A@x.io", 5551000001), _row("bad", 5551000002)]) == ({"a@x.io"}, {"525551000001"})


def test_an_import_row_may_carry_shipments_as_a_range_label_or_number():
    clean = imports.clean_row(_row("a@x.io", monthly_shipments="500-1000"))
    assert clean["monthly_shipments"] == 500
    assert imports.clean_row(_row("a@x.io", monthly_shipments="42"))["monthly_shipments"] == 42


# --- filters -------------------------------------------------------------------------------------------
def test_category_and_follow_filters_intersect():
    assert filters.filters_from({"category": 3}, 1, None).categories() == [3]
    assert filters.filters_from({"category": 3, "follow": (2, 3)}, 1, None).follow_ups == (3,)
    assert filters.filters_from({"category": 3, "follow": (2,)}, 1, None).categories() == []
    assert filters.filters_from({}, 1, None).categories() == list(catalog.FOLLOW_UPS)


def test_totals_answer_only_the_filters_they_are_keyed_by():
    assert filters.filters_from({"follow": (1,), "type": (1,), "salesman": (4,)}, 1, 9).counted_by_totals()
    assert not filters.filters_from({"search": "x"}, 1, None).counted_by_totals()
    assert not filters.filters_from({"kae": (3,)}, 1, None).counted_by_totals()
    assert filters.filters_from({}, 1, None).is_whole_source()
    assert not filters.filters_from({"category": 3, "follow": (2,)}, 1, None).is_whole_source()  # selects nothing
    assert not filters.filters_from({}, 1, 9).is_whole_source()  # a salesman's own only


def test_dates_become_half_open_ranges_and_a_month_narrows_the_close_range():
    made = filters.filters_from({"startDate": date(2026, 3, 1), "endDate": date(2026, 3, 31),
                                 "estimatedCloseMonth": "2026-04",
                                 "estimatedCloseDate_from": date(2026, 4, 10)}, 1, None)
    assert made.created == (datetime(2026, 3, 1), datetime(2026, 4, 1))
    assert made.estimated_close == (date(2026, 4, 10), date(2026, 4, 30))
    assert filters.filters_from({"startDate": date(2026, 3, 1)}, 1, None, with_created=False).created is None


def test_sort_order_defaults_and_days_columns_sort_their_timestamps_inversely():
    assert filters.order_from({}) == filters.Order("id", True)
    assert filters.order_from({"sortBy": "company_name"}) == filters.Order("company_name", False)
    assert filters.order_from({"sortBy": "days_uc", "sortType": "DESC"}).timestamp_descending is False
    assert filters.restricted_filters({"salesman": (1,), "search": "x", "endDate": date.today()}) == \
        ["salesman", "endDate"]


def test_every_role_can_be_assigned_and_filtered():
    from services.prospects.schemas.inputs import Assignments
    from services.prospects.schemas.queries import Filters
    assert tuple(Assignments().fields) == catalog.ROLES
    assert set(catalog.ROLES) <= set(Filters().fields)
