"""Every SQL statement of the deals service, one module per job. Every query starts with
`workspace_id = :ws` so it runs on an index that starts with the workspace (see models.py).

deals.py        writing a deal: its columns, nested sets, tags and custom field types
listing.py      the index: filters, pages (offset and keyset), counts
totals.py       deal_totals, moved with every write
search.py       the name search;  stats.py  the stats
extras.py       includes and methods of a page
lookups.py      reads for other services (deals_in_workspace, list_opportunities)
"""
from services.deals.store.deals import (add_deal, change_deal, custom_field_types, delete_deal, get_live,
                                        live_references, lock_live, read_live, replace_nested, state_of,
                                        write_changes)
from services.deals.store.extras import extras
from services.deals.store.listing import DEFERRED_JOIN_OFFSET, count, filtered, page, page_statements
from services.deals.store.lookups import deals_matching, opportunities_after
from services.deals.store.search import search, search_statement
from services.deals.store.stats import stats, stats_statement
from services.deals.store.totals import REBUILD_TOTALS, move_totals, summarizable, totals_key, totals_statement

__all__ = ["DEFERRED_JOIN_OFFSET", "REBUILD_TOTALS", "add_deal", "change_deal", "count",
           "custom_field_types", "deals_matching", "delete_deal", "extras", "filtered", "get_live",
           "live_references", "lock_live", "move_totals", "opportunities_after", "page", "page_statements",
           "read_live", "replace_nested", "search", "search_statement", "state_of", "stats", "stats_statement",
           "summarizable", "totals_key", "totals_statement", "write_changes"]
