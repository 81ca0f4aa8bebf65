"""Every SQL statement of the goals service, by what it reads or writes:

  goals.py          goals (the list's page, one goal, create, soft delete)
  assignments.py    a goal's assignees and the members whose opportunities count
  contributions.py  what each opportunity brings to each goal (progress detail, recomputation)
  projection.py     the opportunity projection (its row lock, update, scans)
  locks.py          the per-campaign advisory locks between events and recomputations
  affected_goals.py the goals one opportunity change touches (a prepared statement)
  prepared.py       running a statement as a connection's prepared statement
  batches.py        the multi-row statements an event writes with
  maintenance.py    what the resync and reconcile commands read and refresh

Statements run on every event are built once at import (building one and its cache key costs
about as much as running it).
"""
