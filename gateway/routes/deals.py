"""Routes of the deals API (filled in by the deals issue)."""
ROUTES = []
