"""Routes of the deals API (004 document): `{"deal": {...}}` in and out, errors
`{"errors": {field: [messages]}}` (gateway.families.DealsFamily). See services/deals/README.md."""
from gateway.routes import Route

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

ROUTES = [
    Route("/api/deals.json", ("GET",), list_deals),
    Route("/api/deals.json", ("POST",), create_deal, status=201),
    Route("/api/deals/search.json", ("GET",), search_deals),
    Route("/api/deals/stats.json", ("GET",), deal_stats),
    Route("/api/deals/custom_fields_types.json", ("GET",), custom_fields_types),
    Route("/api/deals/<int:deal_id>.json", ("GET",), get_deal),
    Route("/api/deals/<int:deal_id>.json", ("PUT", "PATCH"), update_deal),
    Route("/api/deals/<int:deal_id>.json", ("DELETE",), delete_deal),
]
