"""Routes of the deals API (004 document): `{"deal": {...}}` in and out, errors
`{"errors": {field: [messages]}}` (gateway.families.DealsFamily). See services/deals/README.md."""
from gateway.routes import Route
from services.deals import schemas

TOTAL_HEADER = "X-Total-Count"
NEXT_CURSOR_HEADER = "X-Next-Cursor"


def _query(ctx):
    return ctx.args.to_dict()  # first value of each parameter, e.g. {"filter[name]": "x"}


def list_deals(ctx):
    result = ctx.call("deals", "list_deals", _query(ctx))
    headers = {TOTAL_HEADER: str(result["total"]), "X-Page": str(result["page"]),
               "X-Per-Page": str(result["perpage"])}
    if result.get("next_cursor"):  # keyset paging: ?cursor=<this> reads the next page at first-page cost
        headers[NEXT_CURSOR_HEADER] = result["next_cursor"]
    return 200, result["deals"], headers


def create_deal(ctx):
    result = ctx.call("deals", "create_deal", ctx.json(), idempotency_key=ctx.headers.get("Idempotency-Key"))
    headers = {"Idempotent-Replayed": "true"} if result["replayed"] else {}
    return 201, {"deal": result["deal"]}, headers


def get_deal(ctx, deal_id):
    return ctx.call("deals", "get_deal", deal_id, _query(ctx))


def update_deal(ctx, deal_id):
    return ctx.call("deals", "update_deal", deal_id, ctx.json())


def delete_deal(ctx, deal_id):
    return ctx.call("deals", "delete_deal", deal_id)


def search_deals(ctx):
    return ctx.call("deals", "search_deals", _query(ctx))


def deal_stats(ctx):
    return ctx.call("deals", "deal_stats", _query(ctx))


def custom_fields_types(ctx):
    return [{"custom_fields_type": item} for item in ctx.call("deals", "list_custom_field_types")]


SERVICE = "deals"  # the service these routes call
# Any size of id matches, and the use case answers 404 beyond the deal ids (store.deals._live): a bounded
# converter (`int(max=...)`) would make werkzeug answer PUT/DELETE of a larger id with a 405, as the
# rules of the other methods matched the path before the converter refused the value.
DEAL = "/api/deals/<int:deal_id>.json"

ROUTES = [
    Route("/api/deals.json", ("GET",), list_deals, query=schemas.DealIndexQuery,
          summary="List deals: order, filters, tags, custom fields, observers; page/perpage or cursor paging, "
                  "total in X-Total-Count"),
    Route("/api/deals.json", ("POST",), create_deal, body=schemas.DealDocument, status=201,
          creates=(("deal_id", "$response.body#/deal/id"),),
          summary="Create a deal (201); an Idempotency-Key header replays the first answer to retries"),
    Route("/api/deals/search.json", ("GET",), search_deals, query=schemas.DealSearchQuery,
          summary="Deals whose name starts with `name`, case-insensitively, in name order"),
    Route("/api/deals/stats.json", ("GET",), deal_stats, query=schemas.DealStatsQuery,
          summary="How many deals match the filters, and the sum of value * value_count of those in `currency`"),
    Route("/api/deals/custom_fields_types.json", ("GET",), custom_fields_types,
          summary="The workspace's custom field types"),
    Route(DEAL, ("GET",), get_deal, query=schemas.DealViewQuery, summary="Show a deal"),
    Route(DEAL, ("PUT", "PATCH"), update_deal, body=schemas.DealChangeDocument,
          summary="Change the fields sent; references are checked in the caller's workspace"),
    Route(DEAL, ("DELETE",), delete_deal, summary="Delete a deal (soft); answers it as it was"),
]
