"""The deals service's use cases: one function per RPC entrypoint, taking a Context."""
from infra.validation import load
from services.deals import domain, schemas, store
from services.deals.exceptions import InvalidQuery

DEAL_LOOKUP = schemas.DealLookup()


def deals_in_workspace(ctx, workspace_id, ids=None, uuids=None, names=None):
    """For other services: the workspace's live deals with one of `ids`, `uuids` or exact `names`
    (a deal matching any list is answered once), ordered by name then id, at most
    schemas.MAX_LOOKUP of them. The workspace comes from the calling service's own verified caller."""
    data = load(DEAL_LOOKUP, {"workspace_id": workspace_id, "ids": ids, "uuids": uuids, "names": names},
                InvalidQuery)
    if data["ids"] is None and data["uuids"] is None and data["names"] is None:
        raise InvalidQuery("give ids, uuids or names", "ids")
    ids = [deal_id for deal_id in data["ids"] or () if deal_id <= domain.MAX_ID]  # a larger one cannot exist
    rows = store.deals_matching(ctx.db, data["workspace_id"], ids, data["uuids"], data["names"], schemas.MAX_LOOKUP)
    return [schemas.deal_reference(row) for row in rows]
