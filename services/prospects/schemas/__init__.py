"""Schemas of the prospects API: request bodies (inputs), query strings (queries), their fields
(fields) and the JSON shapes it answers (views)."""
