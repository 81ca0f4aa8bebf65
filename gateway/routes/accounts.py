"""Routes of the accounts API (filled in by the accounts issue)."""
ROUTES = []
