"""What other services read from the directory by RPC to name users and groups in their views
(id, uuid, names), cached per process.

The directory never changes a user's or a group's uuid or name once created (it has no rename), so
a cached entry cannot go stale and only ids not seen yet cost an RPC: a goals or accounts page
would otherwise pay one or two directory round trips per request. Membership and anything else
that changes is not cached. If the directory ever gets renames, it must publish them and this
cache must follow. Entries are keyed by workspace: an id is only ever answered for the workspace
it was asked for. `directory(method, workspace_id, **kwargs)` is the caller's RPC function."""

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MAX_ENTRIES = 50_000  # past this the least recently used go; a miss only costs an RPC
USER_FIELDS = ("id", "uuid", "first_name", "last_name")
GROUP_FIELDS = ("id", "uuid", "name")

DirectoryCall = Callable[..., Iterable[Mapping[str, Any]]]  # (method, workspace_id, **kwargs) -> views
View = dict[str, Any]


class DirectoryNames:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, int, int], View] = (
            OrderedDict()
        )  # (kind, workspace_id, id) -> trimmed view

    def users(self, directory: DirectoryCall, workspace_id: int, user_ids: Iterable[int]) -> dict[int, View]:
        return self._lookup(directory, "users_in_workspace", "user", USER_FIELDS, workspace_id, user_ids)

    def groups(self, directory: DirectoryCall, workspace_id: int, group_ids: Iterable[int]) -> dict[int, View]:
        return self._lookup(directory, "groups_in_workspace", "group", GROUP_FIELDS, workspace_id, group_ids)

    def _lookup(
        self,
        directory: DirectoryCall,
        method: str,
        kind: str,
        fields: tuple[str, ...],
        workspace_id: int,
        ids: Iterable[int],
    ) -> dict[int, View]:
        found: dict[int, View] = {}
        missing: list[int] = []
        for item_id in sorted(set(ids)):
            entry = self._entries.get((kind, workspace_id, item_id))
            if entry is None:
                missing.append(item_id)
            else:
                self._entries.move_to_end((kind, workspace_id, item_id))
                found[item_id] = entry
        if missing:
            keyword = "user_ids" if kind == "user" else "group_ids"
            for item in directory(method, workspace_id, **{keyword: missing}):
                entry = {name: item[name] for name in fields}
                found[entry["id"]] = entry
                self._entries[(kind, workspace_id, entry["id"])] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return found


class BoundedSet:
    """A set of facts that cannot go stale (a user or a campaign found in a workspace), at most
    `max_entries`: past it, the oldest go (forgetting one only costs an RPC)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, bool] = OrderedDict()

    def __contains__(self, item: object) -> bool:
        return item in self._entries

    def add(self, item: Any) -> None:
        self._entries[item] = True
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
