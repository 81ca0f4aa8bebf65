"""Progress kept current by `deals.opportunity_changed` events (published here as the deals
outbox relay does, on the real broker): matching, conversion, assignment, ordering, deletes."""
import random
import time
import uuid

from infra.consumers import dead_letter_queue_name
from services.goals.tests.support import INPUT, QUEUE, assert_stays, opportunity_event, run_cli, wait_for
from tests.support.resources import queue_info


def won(goals, version=1, deal_uuid=None, **fields):
    fields.setdefault("campaign_uuid", goals.campaign["uuid"])
    return opportunity_event(goals.ws, version, deal_uuid=deal_uuid, **fields)


def test_won_deals_move_progress_with_unit_conversion_and_other_units(goals, publisher):
    goal = goals.create(amount=10000, id_unit=1)
    kg = won(goals, quantity="5000", unit_id=1, name="Opportunity 1")
    tonnes = won(goals, quantity="1.5", unit_id=2, name="Opportunity 2")
    litres = won(goals, quantity="100", unit_id=5, name="Opportunity 3")
    for event in (kg, tonnes, litres):
        publisher.publish(event)
    # the litres event adds nothing to the figure: wait for it as well, not only for 6500
    detail = wait_for(lambda: goals.detail(goal["uuid"]),
                      lambda d: d["current"] == 6500 and len(d["other_units_opportunities"]) == 1)
    assert detail["progress"] == 65.0
    assert sorted((o["uuid"], o["name"], o["quantity"]) for o in detail["operations"]) == sorted([
        (kg["aggregate_id"], "Opportunity 1", 5000), (tonnes["aggregate_id"], "Opportunity 2", 1500)])
    assert [(o["uuid"], o["name"], o["quantity"], o["unit_id"]) for o in detail["other_units_opportunities"]] == \
        [(litres["aggregate_id"], "Opportunity 3", 100, 5)]
    assert goals.listed()["data"][0]["progress"] == 65


def test_only_matching_opportunities_count(goals, publisher, api):
    goal = goals.create(amount=1000)
    other_ws = api.signup()
    noise = [won(goals, input_uuid=str(uuid.uuid4())), won(goals, campaign_uuid=str(uuid.uuid4())),
             won(goals, type="purchase"), won(goals, current_state="open_75"), won(goals, current_state="lost"),
             opportunity_event(other_ws, 1, campaign_uuid=goals.campaign["uuid"])]
    counted = won(goals, quantity="7")
    for event in noise + [counted]:
        publisher.publish(event)
    detail = goals.wait_current(goal["uuid"], 7)
    assert [o["uuid"] for o in detail["operations"]] == [counted["aggregate_id"]]


def test_billing_counts_only_the_goals_currency(goals, publisher):
    goal = goals.create(goal_subtype="billing", id_unit=840, amount=1000)
    usd = won(goals, value="120.50", value_count="2", currency="USD", currency_id=840)
    eur = won(goals, value="999", value_count="1", currency="EUR", currency_id=978)
    ars = won(goals, value="50", value_count="3", currency="ARS", currency_id=None)  # id from the ISO code
    for event in (usd, eur, ars):
        publisher.publish(event)
    detail = wait_for(lambda: goals.detail(goal["uuid"]), lambda d: len(d["other_units_opportunities"]) == 2)
    assert (detail["current"], detail["progress"]) == (241, 24.1)
    assert [o["quantity"] for o in detail["operations"]] == [241]
    assert sorted((o["quantity"], o["unit_id"]) for o in detail["other_units_opportunities"]) == [(150, 32), (999, 978)]


def test_purchase_goals_match_crop_and_variety_when_set(goals, publisher):
    any_variety = goals.create(goal_type="purchase", input_uuid=None, crop_id=4, amount=10, id_unit=2)
    variety = goals.create(goal_type="purchase", input_uuid=None, crop_id=4, variety_id=9, amount=10, id_unit=2)
    for fields in ({"variety_id": 9, "quantity": "2000"}, {"variety_id": 8, "quantity": "3000"},
                   {"variety_id": None, "crop_id": 5, "quantity": "9000"}):
        publisher.publish(won(goals, type="purchase", input_uuid=None, crop_id=fields.pop("crop_id", 4), **fields))
    assert goals.wait_current(any_variety["uuid"], 5)["progress"] == 50.0  # 5 t of 10 t
    assert goals.wait_current(variety["uuid"], 2)["progress"] == 20.0


def test_assignment_decides_whose_opportunities_count(goals, publisher, ws):
    seller, buyer, outsider = ws.add_user(), ws.add_user(), ws.add_user()
    team = ws.add_group(members=[buyer["id"]])
    workspace_goal = goals.create(amount=100)
    seller_goal = goals.create(amount=100, users=[seller["id"]])
    team_goal = goals.create(amount=100, groups=[team["id"]])
    both_goal = goals.create(amount=100, users=[seller["id"]], groups=[team["id"]])
    for user, quantity in ((seller, "10"), (buyer, "20"), (outsider, "40")):
        publisher.publish(won(goals, user_id=user["id"], quantity=quantity))
    goals.wait_current(workspace_goal["uuid"], 70)
    goals.wait_current(seller_goal["uuid"], 10)
    goals.wait_current(team_goal["uuid"], 20)
    goals.wait_current(both_goal["uuid"], 30)
    assert goals.detail(both_goal["uuid"], user_id=seller["id"])["current"] == 10
    assert goals.detail(both_goal["uuid"], group_id=team["id"])["current"] == 20
    assert goals.detail(workspace_goal["uuid"], group_id=team["id"])["current"] == 20  # members of any group
    assert goals.detail(workspace_goal["uuid"], user_id=outsider["id"])["progress"] == 40.0
    # reassigning recomputes from the projection
    goals.post("/unassign", {"action": "unassign_users", "goal_uuid": both_goal["uuid"], "users": [seller["id"]]})
    assert goals.detail(both_goal["uuid"])["current"] == 20
    goals.post("/assign", {"goal_uuid": seller_goal["uuid"], "users": [outsider["id"]]})
    assert goals.detail(seller_goal["uuid"])["current"] == 50


def test_a_goal_created_after_its_opportunities_starts_with_their_figure(goals, publisher):
    probe = goals.create(amount=100)
    publisher.publish(won(goals, quantity="30"))
    publisher.publish(won(goals, quantity="0.012", unit_id=2))
    goals.wait_current(probe["uuid"], 42)
    late = goals.create(amount=84)
    detail = goals.detail(late["uuid"])
    assert (detail["current"], detail["progress"]) == (42, 50.0)
    assert len(detail["operations"]) == 2


def test_won_to_lost_and_delete_move_progress_back_and_old_events_do_not_resurrect(goals, publisher):
    goal = goals.create(amount=100)
    keep, flip, gone = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    for deal in (keep, flip, gone):
        publisher.publish(won(goals, deal_uuid=deal, quantity="10"))
    goals.wait_current(goal["uuid"], 30)
    publisher.publish(won(goals, version=2, deal_uuid=flip, quantity="10", current_state="lost"))
    publisher.publish(opportunity_event(goals.ws, 2, deal_uuid=gone, deleted=True))
    goals.wait_current(goal["uuid"], 10)
    publisher.publish(won(goals, version=1, deal_uuid=gone, quantity="10"))  # late redelivery of v1
    publisher.publish(won(goals, version=1, deal_uuid=flip, quantity="10"))
    publisher.publish(won(goals, version=2, deal_uuid=keep, quantity="25"))  # a marker after them
    detail = goals.wait_current(goal["uuid"], 25)
    assert [o["uuid"] for o in detail["operations"]] == [keep]
    assert_stays(lambda: goals.detail(goal["uuid"])["current"], 25)


def test_duplicates_and_reordering_leave_the_same_figures(goals, publisher):
    goal = goals.create(amount=1000)
    deal = str(uuid.uuid4())
    versions = [won(goals, version=v, deal_uuid=deal, quantity=str(v * 10),
                    current_state="won" if v % 2 else "open_50") for v in range(1, 6)]
    for event in [versions[4], versions[2], versions[4], versions[0], versions[3], versions[1], versions[4]]:
        publisher.publish(event)
    marker = won(goals, quantity="1")
    publisher.publish(marker)
    detail = goals.wait_current(goal["uuid"], 51)  # v5: won 50, plus the marker
    assert sorted(o["quantity"] for o in detail["operations"]) == [1, 50]
    assert_stays(lambda: goals.detail(goal["uuid"])["current"], 51)
    code, output = run_cli("reconcile", "--local", "--workspace", str(goals.ws.workspace["id"]))
    assert code == 0 and "0 with drift" in output, output


def test_progress_is_capped_at_100_and_goal_achieved_is_emitted_once(goals, publisher, goal_events):
    goal = goals.create(amount=100)
    first, second = won(goals, quantity="60"), won(goals, quantity="60")
    publisher.publish(first)
    goals.wait_current(goal["uuid"], 60)
    publisher.publish(second)
    detail = goals.wait_current(goal["uuid"], 120)
    assert detail["progress"] == 100.0 and detail["achieved"] is True
    assert goals.listed(progress_min=100)["data"][0]["progress"] == 100
    publisher.publish(won(goals, version=2, deal_uuid=second["aggregate_id"], current_state="lost"))
    goals.wait_current(goal["uuid"], 60)
    publisher.publish(won(goals, version=3, deal_uuid=second["aggregate_id"], quantity="60"))
    goals.wait_current(goal["uuid"], 120)
    changed = wait_for(lambda: goal_events.of(goal["uuid"], "goal_progress_changed"), lambda e: len(e) >= 4)
    assert [e["snapshot"]["current"] for e in changed] == ["60", "120", "60", "120"]
    assert [e["version"] for e in changed] == sorted(e["version"] for e in changed)
    achieved = goal_events.of(goal["uuid"], "goal_achieved")
    assert len(achieved) == 1 and achieved[0]["snapshot"]["progress"] == "100"
    assert achieved[0]["workspace_id"] == goals.ws.workspace["id"]


def test_forecast_weighs_open_opportunities_by_their_state(goals, publisher):
    goal = goals.create(amount=1000)
    for state, quantity in (("won", "100"), ("open_25", "200"), ("open_75", "400"), ("open_0", "50"),
                            ("lost", "800")):
        publisher.publish(won(goals, current_state=state, quantity=quantity))
    wait_for(lambda: goals.detail(goal["uuid"]), lambda d: d["forecast"] == 450)  # 100 + 50 + 300
    detail = goals.detail(goal["uuid"])
    assert (detail["current"], detail["forecast_progress"]) == (100, 45.0)
    assert goals.listed()["data"][0]["forecast"] == 450


def test_list_progress_range_filter_uses_the_integer_progress(goals, publisher):
    low, high = goals.create(amount=1000, input_uuid=INPUT), goals.create(amount=100, input_uuid=INPUT)
    publisher.publish(won(goals, quantity="65.5"))
    goals.wait_current(high["uuid"], 65.5)
    assert goals.detail(low["uuid"])["progress"] == 6.55
    listed = {g["uuid"]: g["progress"] for g in goals.listed()["data"]}
    assert listed == {low["uuid"]: 6, high["uuid"]: 65}
    assert [g["uuid"] for g in goals.listed(progress_min=10, progress_max=70)["data"]] == [high["uuid"]]
    assert [g["uuid"] for g in goals.listed(progress_max=6)["data"]] == [low["uuid"]]


def test_a_poison_message_is_dead_lettered_and_does_not_block_the_queue(goals, publisher, test_env):
    goal = goals.create(amount=100)
    dead = dead_letter_queue_name(QUEUE)
    before = (queue_info(test_env.vhost, dead) or {}).get("messages", 0)
    bad = won(goals, quantity="5")
    bad["snapshot"]["current_state"] = "sold"  # not in the contract
    publisher.publish(bad)
    publisher.publish(won(goals, quantity="5"))
    goals.wait_current(goal["uuid"], 5)
    wait_for(lambda: (queue_info(test_env.vhost, dead) or {}).get("messages", 0), lambda n: n == before + 1,
             timeout=30)
    time.sleep(0.5)
    assert goals.detail(goal["uuid"])["current"] == 5


def test_a_concurrent_burst_and_a_goal_created_mid_burst_end_with_exact_figures(goals, publisher):
    before = goals.create(amount=100000)
    final, events = 0, []
    for index in range(40):
        deal = str(uuid.uuid4())
        for version, state in ((1, "open_50"), (2, "won"), (3, "won" if index % 4 else "lost")):
            events.append(won(goals, version=version, deal_uuid=deal, quantity=str(index + version),
                              current_state=state))
        final += (index + 3) if index % 4 else 0
    random.Random(3).shuffle(events)
    for event in events[:60]:
        publisher.publish(event)
    during = goals.create(amount=100000)  # races the consumer's workers
    for event in events[60:]:
        publisher.publish(event)
    goals.wait_current(before["uuid"], final, timeout=30)
    goals.wait_current(during["uuid"], final, timeout=30)
    code, output = run_cli("reconcile", "--local", "--workspace", str(goals.ws.workspace["id"]))
    assert code == 0 and "0 with drift" in output, output
