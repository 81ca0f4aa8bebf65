"""DirectoryNames: only ids not seen yet are asked of the directory, per workspace, bounded."""
from contracts.directory import DirectoryNames

USERS = {(1, 10): {"id": 10, "uuid": "u-10", "first_name": "Ana", "last_name": "Paz", "email": "a@x", "is_owner": True},
         (1, 11): {"id": 11, "uuid": "u-11", "first_name": "Bo", "last_name": "Ek", "email": "b@x", "is_owner": False},
         (2, 10): {"id": 10, "uuid": "other", "first_name": "Eve", "last_name": "X", "email": "e@x", "is_owner": True}}


class Directory:
    """Answers users_in_workspace / groups_in_workspace like the directory, recording the calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, method, workspace_id, user_ids=None, group_ids=None):
        self.calls.append((method, workspace_id, tuple(user_ids or group_ids)))
        if method == "users_in_workspace":
            return [USERS[(workspace_id, i)] for i in user_ids if (workspace_id, i) in USERS]
        return [{"id": i, "uuid": "g-{}".format(i), "name": "Group {}".format(i), "members": [1]} for i in group_ids]


def test_only_unseen_ids_cost_a_call_and_views_keep_the_names():
    names, directory = DirectoryNames(), Directory()
    first = names.users(directory, 1, {10, 11})
    assert first[10] == {"id": 10, "uuid": "u-10", "first_name": "Ana", "last_name": "Paz"}
    assert names.users(directory, 1, {11, 10}) == first
    assert names.groups(directory, 1, {5}) == {5: {"id": 5, "uuid": "g-5", "name": "Group 5"}}
    assert names.groups(directory, 1, {5}) == {5: {"id": 5, "uuid": "g-5", "name": "Group 5"}}
    assert directory.calls == [("users_in_workspace", 1, (10, 11)), ("groups_in_workspace", 1, (5,))]


def test_entries_belong_to_their_workspace():
    names, directory = DirectoryNames(), Directory()
    assert names.users(directory, 1, {10})[10]["uuid"] == "u-10"
    assert names.users(directory, 2, {10})[10]["uuid"] == "other"
    assert names.users(directory, 2, {11}) == {}  # not a user of workspace 2: not answered, not cached
    assert names.users(directory, 2, {11}) == {}
    assert [call[1] for call in directory.calls] == [1, 2, 2, 2]


def test_the_cache_is_bounded_least_recently_used_first():
    names, directory = DirectoryNames(max_entries=2), Directory()
    names.users(directory, 1, {10})
    names.groups(directory, 1, {5})
    names.users(directory, 1, {10})  # 10 used again: group 5 is now the oldest
    names.groups(directory, 1, {6})
    names.users(directory, 1, {10})
    names.groups(directory, 1, {5})
    assert directory.calls == [("users_in_workspace", 1, (10,)), ("groups_in_workspace", 1, (5,)),
                               ("groups_in_workspace", 1, (6,)), ("groups_in_workspace", 1, (5,))]
