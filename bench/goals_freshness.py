"""Freshness of goal progress: time from a deal update's HTTP answer (PUT /api/deals/<id>.json) to
the goal's new figure being visible (POST /api/sales/goals/progress), p50/p99.

    .venv/bin/python -m bench.goals_freshness [--updates 200]

Starts directory, deals, goals and the gateway on a throw-away PostgreSQL + RabbitMQ environment.
The figure is observed by polling the progress endpoint back to back, so each sample includes up to
one progress request's latency (reported separately as `progress_request`).
"""
import argparse
import time

from bench.support import bench_environment, summarize, time_calls, write_result

INPUT = "0b6f3a43-3d3c-4a52-9d5c-2f8d3f0e7a11"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    with bench_environment(components=["directory", "deals", "goals", "gateway"]) as env:
        api = env.api
        ws = api.signup()
        campaign = ws.add_campaign()
        goal = api.post("/api/sales/goals/goal", {
            "action": "create", "description": "bench", "campaign_uuid": campaign["uuid"], "goal_type": "sale",
            "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10 ** 9, "id_unit": 1}, token=ws.token)
        goal_uuid = goal.json()["data"]["uuid"]
        deal = api.post("/api/deals.json", {"deal": {
            "name": "bench deal", "value": "1", "value_type": "Total", "value_count": "1",
            "target_date": "2025-06-30", "current_state": "won", "type": "sale", "campaign_uuid": campaign["uuid"],
            "input_uuid": INPUT, "quantity": "1", "unit_id": 1}}, token=ws.token).json()["deal"]

        def current():
            response = api.post("/api/sales/goals/progress", {"goal_uuid": goal_uuid}, token=ws.token)
            return response.json()["data"]["progress_detail"]["current"]

        deadline = time.monotonic() + 30
        while current() != 1 and time.monotonic() < deadline:
            pass
        freshness, http = [], []
        for quantity in range(2, args.updates + 2):
            started = time.perf_counter()
            response = api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"quantity": str(quantity)}},
                               token=ws.token)
            answered = time.perf_counter()
            assert response.status_code == 200, response.text
            while current() != quantity:
                if time.perf_counter() - answered > 30:
                    raise RuntimeError("figure did not reach {} within 30s".format(quantity))
            freshness.append((time.perf_counter() - answered) * 1000)
            http.append((answered - started) * 1000)
        result = {"what": "deal update HTTP answer -> new goal figure visible through the gateway",
                  "freshness": summarize(freshness), "deal_update_http": summarize(http),
                  "progress_request": summarize(time_calls(current, 100))}
    path = write_result("goals_freshness", result)
    print("freshness p50 {p50_ms} ms, p99 {p99_ms} ms (n={n})".format(**result["freshness"]))
    print("deal update HTTP p50 {p50_ms} ms; progress request p50 {p50_ms_} ms".format(
        p50_ms=result["deal_update_http"]["p50_ms"], p50_ms_=result["progress_request"]["p50_ms"]))
    print("written to", path)


if __name__ == "__main__":
    main()
