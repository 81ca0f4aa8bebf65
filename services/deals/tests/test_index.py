"""GET /api/deals.json: order, includes, methods, filter[...], tags, custom fields, observers, paging."""
import pytest


def names(response):
    assert response.status_code == 200, response.text
    return [item["deal"]["name"] for item in response.json()]


def test_default_order_is_name_ascending_and_orders_by_dates(api, ws, make_deal):
    for name in ("Beta", "alpha", "Gamma"):
        make_deal(ws, name=name)
    assert names(api.get("/api/deals.json", token=ws.token)) == ["alpha", "Beta", "Gamma"]  # case-insensitive
    assert names(api.get("/api/deals.json?order=created_at-asc", token=ws.token)) == ["Beta", "alpha", "Gamma"]
    assert names(api.get("/api/deals.json?order=created_at-desc", token=ws.token)) == ["Gamma", "alpha", "Beta"]
    assert names(api.get("/api/deals.json?order=created_at", token=ws.token)) == ["Gamma", "alpha", "Beta"]
    first = api.get("/api/deals.json?order=created_at-asc", token=ws.token).json()[0]["deal"]
    api.put("/api/deals/{}.json".format(first["id"]), {"deal": {"description": "touched"}}, token=ws.token)
    assert names(api.get("/api/deals.json?order=updated_at-desc", token=ws.token))[0] == "Beta"
    assert names(api.get("/api/deals.json?order=activity-asc", token=ws.token))[-1] == "Beta"
    assert names(api.get("/api/deals.json?order=name-desc", token=ws.token)) == ["Gamma", "Beta", "alpha"]


@pytest.mark.parametrize("query, field", [("order=colour-asc", "order"), ("order=name-up", "order"),
                                          ("includes=friends", "includes"), ("methods=shoe_size", "methods"),
                                          ("filter[secret]=1", "filter[secret]"), ("filter[user_id]=x", "filter[user_id]"),
                                          ("filter[current_state]=done", "filter[current_state]"),
                                          ("perpage=1000", "perpage"), ("page=0", "page"),
                                          ("custom_fields[abc]=1", "custom_fields[abc]")])
def test_bad_query_is_400_naming_the_parameter(api, ws, query, field):
    response = api.get("/api/deals.json?" + query, token=ws.token)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_paging_with_total_in_header(api, ws, make_deal):
    for index in range(5):
        make_deal(ws, name="deal {}".format(index))
    response = api.get("/api/deals.json?perpage=2&page=2", token=ws.token)
    assert names(response) == ["deal 2", "deal 3"]
    assert response.headers["X-Total-Count"] == "5"
    assert names(api.get("/api/deals.json?perpage=2&page=3", token=ws.token)) == ["deal 4"]
    assert names(api.get("/api/deals.json?perpage=2&page=4", token=ws.token)) == []


def test_filter_by_any_field(api, ws, make_deal):
    seller = ws.add_user()
    make_deal(ws, name="a", current_state="won", company_id=7)
    make_deal(ws, name="b", user_id=seller["id"], type="purchase", target_date="2020-01-02")
    make_deal(ws, name="c", value_type="Monatlich", currency="USD")
    assert names(api.get("/api/deals.json?filter[current_state]=won", token=ws.token)) == ["a"]
    assert names(api.get("/api/deals.json?filter[company_id]=7", token=ws.token)) == ["a"]
    assert names(api.get("/api/deals.json?filter[user_id]={}".format(seller["id"]), token=ws.token)) == ["b"]
    assert names(api.get("/api/deals.json?filter[type]=purchase", token=ws.token)) == ["b"]
    assert names(api.get("/api/deals.json?filter[target_date]=02-01-2020", token=ws.token)) == ["b"]
    assert names(api.get("/api/deals.json?filter[value_type]=Monatlich&filter[currency]=usd", token=ws.token)) == ["c"]
    assert names(api.get("/api/deals.json?filter[name]=b&filter[current_state]=won", token=ws.token)) == []
    assert names(api.get("/api/deals.json?filter[company_id]=", token=ws.token)) == ["b", "c"]


def test_tags_filter_by_id_and_name_and_include(api, ws, make_deal):
    tagged = make_deal(ws, name="tagged", tags_attributes=[{"name": "VIP"}, {"name": "Nord"}])
    make_deal(ws, name="nord only", tags_attributes=[{"name": "Nord"}])
    make_deal(ws, name="plain")
    shown = api.get("/api/deals/{}.json?includes=tags".format(tagged["id"]), token=ws.token).json()["deal"]
    assert [tag["name"] for tag in shown["tags"]] == ["Nord", "VIP"]
    vip_id = [tag["id"] for tag in shown["tags"] if tag["name"] == "VIP"][0]
    assert names(api.get("/api/deals.json?tag_name=VIP", token=ws.token)) == ["tagged"]
    assert names(api.get("/api/deals.json?tag_id={}".format(vip_id), token=ws.token)) == ["tagged"]
    assert names(api.get("/api/deals.json?tag_name=Nord", token=ws.token)) == ["nord only", "tagged"]
    other = api.signup()  # another workspace's tag id matches nothing here
    assert names(api.get("/api/deals.json?tag_id={}".format(vip_id), token=other.token)) == []


def test_custom_fields_filter_in_the_documents_three_forms(api, ws, make_deal):
    make_deal(ws, name="one", custom_fields_attributes=[{"custom_fields_type_name": "kundennummer", "value": "0815"},
                                                        {"custom_fields_type_name": "region", "value": "Süd"}])
    make_deal(ws, name="two", custom_fields_attributes=[{"custom_fields_type_name": "kundennummer", "value": "4711"}])
    types = {item["custom_fields_type"]["name"]: item["custom_fields_type"]["id"]
             for item in api.get("/api/deals/custom_fields_types.json", token=ws.token).json()}
    number, region = types["kundennummer"], types["region"]
    by_id = "/api/deals.json?custom_fields[custom_field_type_id]={}&custom_fields[value]=0815".format(number)
    assert names(api.get(by_id, token=ws.token)) == ["one"]
    by_name = "/api/deals.json?custom_fields[custom_field_type_name]=kundennummer&custom_fields[value]=4711"
    assert names(api.get(by_name, token=ws.token)) == ["two"]
    as_hash = "/api/deals.json?custom_fields[{}]=0815&custom_fields[{}]=Süd".format(number, region)
    assert names(api.get(as_hash, token=ws.token)) == ["one"]
    mismatch = "/api/deals.json?custom_fields[{}]=4711&custom_fields[{}]=Süd".format(number, region)
    assert names(api.get(mismatch, token=ws.token)) == []
    shown = api.get("/api/deals.json?includes=custom_fields&filter[name]=two", token=ws.token).json()[0]["deal"]
    assert shown["custom_fields"] == [{"custom_fields_type_id": number, "custom_fields_type_name": "kundennummer",
                                       "value": "4711"}]


def test_observer_user_id_filter_defaults_to_the_caller(api, ws, make_deal):
    seller = ws.add_user()
    make_deal(ws, name="watched by owner", observer_user_ids=[ws.owner["id"]])
    make_deal(ws, name="watched by seller", observer_user_ids=str(seller["id"]))
    make_deal(ws, name="unwatched")
    assert names(api.get("/api/deals.json?observer_user_id={}".format(seller["id"]), token=ws.token)) == ["watched by seller"]
    assert names(api.get("/api/deals.json?observer_user_id=", token=ws.token)) == ["watched by owner"]
    assert names(api.get("/api/deals.json?observer_user_id", token=seller["token"])) == ["watched by seller"]


def test_includes_all_and_responsible_user_natural_name(api, ws, make_deal):
    seller = ws.add_user(first_name="Sam", last_name="Seller")
    make_deal(ws, name="a", user_id=seller["id"], company_id=19510, person_ids_set="5")
    make_deal(ws, name="b")
    response = api.get("/api/deals.json?includes=all&methods=responsible_user_natural_name", token=ws.token)
    first, second = [item["deal"] for item in response.json()]
    assert first["responsible_user_natural_name"] == "Sam Seller"
    assert second["responsible_user_natural_name"] == "Olivia Owner"
    assert first["company"] == {"id": 19510} and second["company"] is None
    assert first["people"] == [{"id": 5}] and first["tags"] == [] and first["custom_fields"] == []
    plain = api.get("/api/deals.json", token=ws.token).json()[0]["deal"]
    assert "company" not in plain and "responsible_user_natural_name" not in plain


def test_index_and_stats_ignore_deleted_deals(api, ws, make_deal):
    gone = make_deal(ws, name="gone")
    make_deal(ws, name="kept")
    api.delete("/api/deals/{}.json".format(gone["id"]), token=ws.token)
    assert names(api.get("/api/deals.json", token=ws.token)) == ["kept"]
    assert api.get("/api/deals/stats.json", token=ws.token).json()["total_entries"] == 1
    assert api.get("/api/deals/search.json?name=gone", token=ws.token).json() == []
