"""What the goals use cases ask the directory (always with the caller's workspace): campaigns,
whether assignees exist, group members, and the names the views show."""
from functools import partial

from contracts.directory import DirectoryNames
from services.goals.exceptions import InvalidAssignment

NAMES = DirectoryNames()  # per process: the directory never renames a user or a group


def campaign(ctx, campaign_uuid):
    """The workspace's campaign of that uuid, or None."""
    found = ctx.call("directory", "campaigns_in_workspace", ctx.me.workspace_id, campaign_uuids=[str(campaign_uuid)])
    return found[0] if found else None


def group_members(ctx, group_id):
    """The member ids of the workspace's group, or None if it has no such group."""
    found = ctx.call("directory", "groups_in_workspace", ctx.me.workspace_id, group_ids=[group_id])
    return found[0]["members"] if found else None


def check_assignees(ctx, user_ids, group_ids, strict=True):
    """(user ids, {group id: member ids}) of the ids that exist in the workspace; InvalidAssignment
    if some do not (unless not `strict`: then they are left out)."""
    user_ids, group_ids = sorted(set(user_ids)), sorted(set(group_ids))
    workspace_id = ctx.me.workspace_id
    found_users = {u["id"] for u in ctx.call("directory", "users_in_workspace", workspace_id, user_ids=user_ids)} \
        if user_ids else set()
    groups = {g["id"]: g["members"] for g in ctx.call("directory", "groups_in_workspace", workspace_id,
                                                      group_ids=group_ids)} if group_ids else {}
    missing_users = [u for u in user_ids if u not in found_users]
    missing_groups = [g for g in group_ids if g not in groups]
    if strict and (missing_users or missing_groups):
        raise InvalidAssignment("Unknown users {} / groups {} in this workspace".format(missing_users, missing_groups),
                                "users" if missing_users else "groups")
    return [u for u in user_ids if u in found_users], groups


def names(ctx, goals, assignments):
    """({user id: user}, {group id: group}) named by these goals (owners) and their assignments; an RPC
    only for ids this process has not seen (contracts.directory)."""
    user_ids = {goal.owner_id for goal in goals}
    group_ids = set()
    for rows in assignments.values():
        for row in rows:
            (user_ids if row.kind == "user" else group_ids).add(row.assignee_id)
    directory = partial(ctx.call, "directory")
    return (NAMES.users(directory, ctx.me.workspace_id, user_ids),
            NAMES.groups(directory, ctx.me.workspace_id, group_ids))
