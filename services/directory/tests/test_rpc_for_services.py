"""What other services read from the directory by RPC, with the workspace they name (no caller)."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

VIEW_FIELDS = {"id", "uuid", "email", "first_name", "last_name", "is_owner", "permissions", "active"}


@pytest.fixture
def directory(test_env, system):
    with ServiceRpcProxy("directory", {"AMQP_URI": test_env.amqp_uri}) as proxy:
        yield proxy


def test_users_in_workspace_by_email_with_permissions_and_activity(api, directory):
    ws, other = api.signup(), api.signup()
    seller = ws.add_user(first_name="Sara")
    api.put("/api/directory/users/{}/permissions".format(seller["id"]), {"permissions": ["319"]}, token=ws.token)
    gone = ws.add_user()
    api.post("/api/directory/users/{}/deactivate".format(gone["id"]), token=ws.token)
    stranger = other.add_user()
    found = directory.users_in_workspace(ws.workspace["id"],
                                         emails=[seller["email"].upper(), gone["email"], stranger["email"],
                                                 "nobody@example.test", 5])
    assert [user["id"] for user in found] == [seller["id"], gone["id"]]  # never another workspace's
    assert all(set(user) >= VIEW_FIELDS for user in found)
    assert (found[0]["email"], found[0]["permissions"], found[0]["active"]) == (seller["email"], ["319"], True)
    assert (found[1]["permissions"], found[1]["active"]) == ([], False)
    assert directory.users_in_workspace(ws.workspace["id"], emails=[]) == []


def test_users_in_workspace_filters_combine_and_default_to_everyone(api, directory):
    ws = api.signup()
    first, second = ws.add_user(), ws.add_user()
    everyone = directory.users_in_workspace(ws.workspace["id"])
    assert [user["id"] for user in everyone] == [ws.owner["id"], first["id"], second["id"]]
    assert everyone[0]["permissions"] == ["319", "crm-menu", "crm-partners", "all-prospects"]
    assert [u["id"] for u in directory.users_in_workspace(ws.workspace["id"], user_ids=[second["id"], 2 ** 63])] == \
        [second["id"]]
    assert [u["id"] for u in directory.users_in_workspace(ws.workspace["id"], user_uuids=[first["uuid"]])] == \
        [first["id"]]
    both = directory.users_in_workspace(ws.workspace["id"], user_ids=[first["id"], second["id"]],
                                        emails=[second["email"]])
    assert [u["id"] for u in both] == [second["id"]]


def test_groups_and_campaigns_in_workspace_are_unchanged(api, directory):
    ws = api.signup()
    member = ws.add_user()
    group = ws.add_group(members=[member["id"]])
    campaign = ws.add_campaign()
    assert directory.groups_in_workspace(ws.workspace["id"]) == [group]
    assert directory.groups_in_workspace(ws.workspace["id"], group_ids=[group["id"]]) == [group]
    assert directory.campaigns_in_workspace(ws.workspace["id"], campaign_uuids=[campaign["uuid"]]) == [campaign]
    assert directory.campaigns_in_workspace(ws.workspace["id"] + 10 ** 6) == []
