"""What other services read from the deals service by RPC to rebuild their projections of deals
(docs/events.md, "Rebuilding a projection"): every opportunity with its current version and
snapshot, page by page, deleted ones with snapshot None."""

from contracts.events import OpportunitySnapshot

PAGE = 500
PAGE_TIMEOUT_SECONDS = 60


def opportunity_pages(client, workspace_id=None, page=PAGE, timeout=PAGE_TIMEOUT_SECONDS):
    """Yields lists of (aggregate_id, workspace_id, version, snapshot or None), the snapshot loaded with
    the contract, for one workspace or every one; `client` is an infra.rpc.RpcClient."""
    schema = OpportunitySnapshot()
    after_id = 0
    while after_id is not None:
        answer = client.call(
            "deals",
            "list_opportunities",
            kwargs={"workspace_id": workspace_id, "after_id": after_id, "limit": page},
            timeout=timeout,
        )
        yield [
            (
                item["aggregate_id"],
                item["workspace_id"],
                item["version"],
                schema.load(item["snapshot"]) if item["snapshot"] is not None else None,
            )
            for item in answer["opportunities"]
        ]
        after_id = answer["next_after_id"]
