"""What other services read from the deals service by RPC to rebuild their projections of deals
(docs/events.md, "Rebuilding a projection"): every opportunity with its current version and
snapshot, page by page, deleted ones with snapshot None."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from contracts.events import OpportunitySnapshot

if TYPE_CHECKING:
    from infra.rpc import RpcClient

PAGE = 500
PAGE_TIMEOUT_SECONDS = 60


def opportunity_pages(
    client: RpcClient, workspace_id: int | None = None, page: int = PAGE, timeout: float = PAGE_TIMEOUT_SECONDS
) -> Iterator[list[tuple[str, int, int, dict[str, Any] | None]]]:
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
