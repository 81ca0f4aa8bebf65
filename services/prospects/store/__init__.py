"""Every SQL statement of the prospects service: prospects and their keys (prospects), listing
filters and orders (filters), pages, counts and the calendar (listing), maintained totals (totals),
notes, contacts, locations and partner data (related), clients and onboarding (clients), salesmen's
names (salesmen), bulk imports and their idempotency keys (imports)."""
