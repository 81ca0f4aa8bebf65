"""Every integer the sales goals API takes is bounded: a value past what the databases hold (2^63,
2^64, or past the INTEGER columns goals keeps user, group, crop and variety ids in) is a 4xx with
the document's code for that endpoint, never a 500, and changes nothing."""
import pytest

from services.goals.tests.support import INPUT, error

TOO_LARGE = (2 ** 31, 2 ** 63, 2 ** 64, -(2 ** 63) - 1)


@pytest.mark.parametrize("field,wrap", [
    ("user_assigned", list), ("group_assigned", list), ("progress_min", None), ("progress_max", None),
    ("page_size", None)])
def test_list_filters_out_of_range_are_code_3(goals, field, wrap):
    for value in TOO_LARGE:
        body = {"action": "get_all_goals", field: [value] if wrap else value}
        assert error(goals.post("", body)) == (400, 3), (field, value)


@pytest.mark.parametrize("change", [
    {"users": [2 ** 63]}, {"groups": [2 ** 63]}, {"id_unit": 2 ** 63},
    {"goal_type": "purchase", "input_uuid": None, "crop_id": 2 ** 63},
    {"goal_type": "purchase", "input_uuid": None, "crop_id": 4, "variety_id": 2 ** 63},
], ids=lambda change: ",".join(sorted(change)))
def test_create_with_an_out_of_range_integer_is_code_30(goals, change):
    field = [name for name, value in change.items() if value == 2 ** 63 or value == [2 ** 63]][0]
    for value in TOO_LARGE:
        body = {"action": "create", "description": "x", "campaign_uuid": goals.campaign["uuid"],
                "goal_type": "sale", "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10, "id_unit": 1}
        body.update(change)
        body[field] = [value] if isinstance(change[field], list) else value
        response = goals.post("/goal", body)
        assert error(response) == (400, 30), (field, value, response.text)
        assert field in response.json()["info"]
    assert goals.listed()["data"] == []  # nothing was created


def test_update_assign_unassign_and_progress_with_out_of_range_ids_are_4xx_with_their_codes(goals):
    goal = goals.create()
    for value in TOO_LARGE:
        for field in ("users", "groups"):
            update = {"action": "update", "uuid": goal["uuid"], field: [value]}
            assert error(goals.post("/goal", update)) == (400, 30), (field, value)
            assert error(goals.post("/assign", {"goal_uuid": goal["uuid"], field: [value]})) == (400, 3), (field, value)
        assert error(goals.post("/unassign", {"action": "unassign_users", "goal_uuid": goal["uuid"],
                                              "users": [value]})) == (400, 3), value
        assert error(goals.post("/unassign", {"action": "unassign_groups", "goal_uuid": goal["uuid"],
                                              "groups": [value]})) == (400, 3), value
        for field in ("user_id", "group_id"):
            assert error(goals.post("/progress", {"goal_uuid": goal["uuid"], field: value})) == (400, 3), (field, value)
    assert goals.progress(goal["uuid"])["assigned_to"] == []  # nothing changed
