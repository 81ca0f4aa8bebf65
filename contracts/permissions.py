"""The permission names a user can hold (the directory stores them; services check them with
`"319" in ctx.me.permissions`). The workspace owner holds every one of them."""

PROSPECTS = "319"  # prospects and clients
LOCATIONS = "crm-menu"  # prospects' and clients' locations
PARTNERS = "crm-partners"  # partner prospect data
ALL_PROSPECTS = "all-prospects"  # every salesman's prospects; salesman/startDate/endDate filters

PERMISSIONS = (PROSPECTS, LOCATIONS, PARTNERS, ALL_PROSPECTS)  # the canonical order views use
