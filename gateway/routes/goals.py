"""Routes of the goals API (filled in by the goals issue)."""
ROUTES = []
