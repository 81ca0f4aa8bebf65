"""Listing accounts: full and lite, every filter of the document, keyset pages, contacts and fields."""
import uuid

from services.accounts.tests.conftest import error_of


def add_contact(accounts, account, first_name, start_date, contact_uuid=None):
    fields = {"uuid": account, "first_name": first_name, "last_name": "Doe", "start_date": start_date}
    if contact_uuid:
        fields["contact_uuid"] = contact_uuid
    response = accounts.action("add_contact", **fields)
    assert response.status_code == 200, response.text
    return response.json()["data"]["uuid"]


def add_field(accounts, account, hectares, farm_uuid=None):
    response = accounts.action("add_field", uuid=account, hectares=hectares, farm_uuid=farm_uuid)
    assert response.status_code == 200, response.text
    return response.json()["data"]["uuid"]


def names(page):
    return [item["name"] for item in page["data"]]


def test_full_item_has_every_documented_field(workspace, accounts):
    account = accounts.create(name="Example Corp", tax_id="20-12345678-9")
    item = accounts.page()["data"][0]
    assert item == {
        "uuid": account, "name": "Example Corp", "active": True, "country": 1, "tax_id": "20-12345678-9",
        "owner": {"first_name": workspace.owner["first_name"], "last_name": workspace.owner["last_name"]},
        "contacts": [], "more_contacts": 0, "associated_fields": {"quantity": 0, "total_hectares": 0.0},
        "opportunities": {bucket: {"purchase": 0, "sale": 0, "exchange": 0}
                          for bucket in ("openDeals", "wonDeals", "lostDeals")}}


def test_owner_names_come_from_the_directory(workspace, api, accounts):
    from services.accounts.tests.conftest import AccountsClient
    user = workspace.add_user(first_name="Carla", last_name="Creator")
    AccountsClient(api, user["token"]).create(name="Hers")
    accounts.create(name="Mine")
    owners = {item["name"]: item["owner"] for item in accounts.page()["data"]}
    assert owners == {"Hers": {"first_name": "Carla", "last_name": "Creator"},
                      "Mine": {"first_name": "Olivia", "last_name": "Owner"}}


def test_first_contact_by_start_date_and_more_contacts(accounts):
    account = accounts.create()
    add_contact(accounts, account, "Later", "2024-05-01T00:00:00Z")
    earliest = add_contact(accounts, account, "Earliest", "2023-01-01T00:00:00Z")
    add_contact(accounts, account, "Middle", "2024-01-01T00:00:00Z")
    item = accounts.page({"accounts": [account]})["data"][0]
    assert item["contacts"] == [{"uuid": earliest, "first_name": "Earliest", "last_name": "Doe"}]
    assert item["more_contacts"] == 2
    assert accounts.action("remove_contact", uuid=account, contact_uuid=earliest).status_code == 200
    item = accounts.page({"accounts": [account]})["data"][0]
    assert item["contacts"][0]["first_name"] == "Middle" and item["more_contacts"] == 1
    assert error_of(accounts.action("remove_contact", uuid=account, contact_uuid=earliest)) == (400, 5)


def test_contacts_filter_matches_accounts_with_any_of_the_contacts(accounts):
    shared = str(uuid.uuid4())
    first, second, third = accounts.create(name="A1"), accounts.create(name="A2"), accounts.create(name="A3")
    add_contact(accounts, first, "Shared", "2024-01-01T00:00:00Z", contact_uuid=shared)
    add_contact(accounts, second, "Shared", "2024-01-01T00:00:00Z", contact_uuid=shared)
    own = add_contact(accounts, third, "Own", "2024-01-01T00:00:00Z")
    assert names(accounts.page({"contacts": [shared]})) == ["A1", "A2"]
    assert names(accounts.page({"contacts": [own, shared]})) == ["A1", "A2", "A3"]
    assert names(accounts.page({"contacts": [str(uuid.uuid4())]})) == []
    # the same contact twice on one account is refused
    response = accounts.action("add_contact", uuid=first, contact_uuid=shared, first_name="x", last_name="y")
    assert error_of(response) == (400, 6)


def test_fields_quantity_hectares_and_area_filters(accounts):
    small, large, bare = accounts.create(name="Small"), accounts.create(name="Large"), accounts.create(name="Bare")
    add_field(accounts, small, 40)
    add_field(accounts, small, 60.5)
    field = add_field(accounts, large, 1000)
    add_field(accounts, large, 250.25)
    items = {item["name"]: item["associated_fields"] for item in accounts.page()["data"]}
    assert items == {"Small": {"quantity": 2, "total_hectares": 100.5},
                     "Large": {"quantity": 2, "total_hectares": 1250.25},
                     "Bare": {"quantity": 0, "total_hectares": 0.0}}
    assert names(accounts.page({"area_min": 100})) == ["Large", "Small"]
    assert names(accounts.page({"area_min": 101})) == ["Large"]
    assert names(accounts.page({"area_max": 1000})) == ["Small"]  # only accounts with fields
    assert names(accounts.page({"area_min": 0, "area_max": 5000})) == ["Large", "Small"]
    assert accounts.action("remove_field", uuid=large, field_uuid=field).status_code == 200
    assert accounts.page({"accounts": [large]})["data"][0]["associated_fields"] == {"quantity": 1,
                                                                                 "total_hectares": 250.25}
    assert names(accounts.page({"area_max": 300})) == ["Large", "Small"]
    assert error_of(accounts.list({"area_min": 10, "area_max": 5})) == (400, 3)
    assert error_of(accounts.action("add_field", uuid=bare, hectares=-1)) == (400, 3)


def test_farms_filter(accounts):
    farm, other_farm = str(uuid.uuid4()), str(uuid.uuid4())
    first, second = accounts.create(name="Farm A"), accounts.create(name="Farm B")
    accounts.create(name="No farm")
    add_field(accounts, first, 10, farm_uuid=farm)
    add_field(accounts, second, 10, farm_uuid=other_farm)
    add_field(accounts, second, 10, farm_uuid=farm)
    assert names(accounts.page({"farms_uuid": [farm]})) == ["Farm A", "Farm B"]
    assert names(accounts.page({"farms_uuid": [other_farm]})) == ["Farm B"]
    assert names(accounts.page({"farms_uuid": [str(uuid.uuid4())]})) == []


def test_name_filter_is_a_case_insensitive_partial_match(accounts):
    for name in ("Example Corp", "another EXAMPLE", "Unrelated", "100% Agro", "Agro_Sur"):
        accounts.create(name=name)
    assert sorted(names(accounts.page({"name": "example"}))) == ["Example Corp", "another EXAMPLE"]
    assert names(accounts.page({"name": "%"})) == ["100% Agro"]  # wildcards are literal
    assert names(accounts.page({"name": "o_s"})) == ["Agro_Sur"]


def test_accounts_filter_and_other_workspaces_are_invisible(api, accounts):
    from services.accounts.tests.conftest import AccountsClient
    first, second = accounts.create(name="First"), accounts.create(name="Second")
    foreign = AccountsClient(api, api.signup().token).create(name="Foreign")
    assert names(accounts.page({"accounts": [second, foreign]})) == ["Second"]
    assert sorted(names(accounts.page())) == ["First", "Second"]
    assert first in [a["uuid"] for a in accounts.page({"accounts": [first]})["data"]]


def test_keyset_pages_cover_everything_once_in_name_order(accounts):
    created = sorted("Page {:02d}".format(i) for i in range(23))
    for name in created:
        accounts.create(name=name)
    default = accounts.page()
    assert len(default["data"]) == 10 and default["next_page"]
    seen, cursor = [], None
    while True:
        page = accounts.page({"page_size": 7, "page": cursor} if cursor else {"page_size": 7})
        seen += names(page)
        cursor = page["next_page"]
        if not cursor:
            break
    assert seen == created
    last = accounts.page({"page_size": 23})
    assert names(last) == created and last["next_page"] is None


def test_lite_lists_uuid_and_name_of_every_account_without_pagination(accounts):
    created = {accounts.create(name="Lite {:02d}".format(i)): "Lite {:02d}".format(i) for i in range(12)}
    body = accounts.page(action="lite")
    assert set(body) == {"code", "data"}
    assert {item["uuid"]: item["name"] for item in body["data"]} == created
    assert all(set(item) == {"uuid", "name"} for item in body["data"])


def test_an_empty_body_lists_like_empty_filters(accounts, api, workspace):
    accounts.create(name="Only")
    response = api.post("/api/sales/accounts", data=b"", token=workspace.token)
    assert response.status_code == 200 and names(response.json()) == ["Only"]
