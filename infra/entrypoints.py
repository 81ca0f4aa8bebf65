"""The RPC entrypoint every service declares its use cases with.

A ServiceError is the caller's mistake: nameko treats it as expected (logged without an error
traceback, not counted as a bug) and the caller gets it back as its own type (infra.errors).
"""
from nameko.rpc import rpc as nameko_rpc

from infra.errors import ServiceError

rpc = nameko_rpc(expected_exceptions=ServiceError)
