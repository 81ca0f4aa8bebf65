"""The sales goals API's use cases, one function per RPC entrypoint, each taking a `Context`
(infra.service): `goals` (list, create, update, delete), `assignments` (assign, unassign users or
groups), `progress` (a goal's progress detail). `access` finds the goal a caller may read or change;
`directory` asks the directory what the use cases need of it."""
from services.goals.usecases import assignments, goals, progress  # noqa: F401
