from services.goals.customer_goals.tests.support import CREATE, FETCH, METRIC


def test_smoke(cs):
    statuses = cs.statuses()
    print(statuses)
    goal = cs.create(Description="<p onclick='x()'>Hi<script>alert(1)</script></p>", cf_picklist__gc="CISCO",
                     DueDate="2025-01-01")
    print(goal)
    m = cs.metric()
    print(m)
    up = cs.update(goal["Gsid"], StatusName="On Track", metricsAssociation=[{"metricId": m["gsid"], "baseValue": 1,
                   "targetValue": 5, "actualValue": [{"value": 2, "timestamp": "2025-01-02"}]}])
    print(up)
    print(cs.fetch())
    print(cs.error("POST", FETCH, {"select": ["Gsd"]}))
