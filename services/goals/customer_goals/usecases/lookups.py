"""Lookups: a record's company or opportunity named by its Name (or Gsid) is resolved over RPC in
the caller's workspace: a company is an account of the accounts service (its uuid), an opportunity
a deal of the deals service (its id). FIRSTMATCH takes the oldest match (the owning service's order:
accounts as it lists them, deals by id)."""
from __future__ import annotations

from typing import Any

from services.goals.customer_goals import domain
from services.goals.customer_goals.exceptions import InvalidLookupConfig

LOOKUP_TIMEOUT_SECONDS = 5


def resolve(ctx, lookups: dict, sources: dict) -> dict[str, Any]:
    """target -> the looked-up id (or None where the options say MARKNULL)."""
    resolved = {}
    for target, value in sources.items():
        spec = lookups[target]
        resolved[target] = domain.pick_match(spec, value, _matches(ctx, spec.object_name, spec.match_on, value))
    return resolved


def _matches(ctx, object_name: str, match_on: str, value: str) -> list:
    workspace_id = ctx.me.workspace_id
    if object_name == "company":
        keyword = "names" if match_on == "Name" else "uuids"
        accounts = ctx.call("accounts", "accounts_in_workspace", workspace_id, timeout=LOOKUP_TIMEOUT_SECONDS,
                            **{keyword: [value]})
        return [account["uuid"] for account in accounts]
    if match_on == "Name":
        deals = ctx.call("deals", "deals_in_workspace", workspace_id, names=[value], timeout=LOOKUP_TIMEOUT_SECONDS)
    else:
        deal_id = _deal_id(value)
        if deal_id is None:
            return []
        deals = ctx.call("deals", "deals_in_workspace", workspace_id, ids=[deal_id], timeout=LOOKUP_TIMEOUT_SECONDS)
    return sorted(deal["id"] for deal in deals)


def _deal_id(value: Any) -> int | None:
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 63 else None


def check_company(ctx, company_id: str | None) -> None:
    """A CompanyId given directly must be an account of the workspace (8008 otherwise)."""
    if company_id is not None and not _matches(ctx, "company", "Gsid", company_id):
        raise InvalidLookupConfig("CompanyId {} is not a company of this workspace".format(company_id), "CompanyId")


def check_opportunity(ctx, opportunity_id: int | None) -> None:
    """An OpportunityId given directly must be a deal of the workspace (8008 otherwise)."""
    if opportunity_id is not None and not _matches(ctx, "opportunity", "Gsid", str(opportunity_id)):
        raise InvalidLookupConfig("OpportunityId {} is not an opportunity of this workspace".format(opportunity_id),
                                  "OpportunityId")


def custom_targets(resolved: dict) -> dict:
    """The resolved custom lookup fields as custom values (None removes the field)."""
    return {target: domain.custom_value(target, value) for target, value in resolved.items()
            if domain.is_custom_field(target)}
