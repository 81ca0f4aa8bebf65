"""Throttling failed logins, shared by every directory instance (infra.throttle: Redis, in-process
when Redis is away). What is counted and why: README.md, "Login throttling".

Three counts, each forgotten FORGET_AFTER_SECONDS after its last failure:
- an account from one client address: PER_ACCOUNT_AT_ADDRESS_FREE failures, then growing delays
  (domain.failure_delay); a success clears it;
- a client address, whatever the account: PER_ADDRESS_FREE failures, then growing delays;
- an account from everywhere, counted once per failing address: PER_ACCOUNT_ADDRESSES_FREE
  addresses, then growing delays for every address; a success clears it. One address hammering an
  account counts once here, so it cannot lock the owner out elsewhere.
While a count's delay runs, logins it covers are refused (429 with Retry-After) without checking
the password; refused attempts count nothing.
"""
import hashlib
import math
import threading

from infra import settings
from infra.ratelimit import TooManyRequests
from infra.throttle import FailureThrottle
from services.directory import domain

PER_ACCOUNT_AT_ADDRESS_FREE = 5
PER_ADDRESS_FREE = 50
PER_ACCOUNT_ADDRESSES_FREE = 10
FORGET_AFTER_SECONDS = 15 * 60
MAX_ADDRESS_LENGTH = 64


class LoginThrottle:
    def __init__(self, failures):
        self.failures = failures  # an infra.throttle.FailureThrottle

    def check(self, email, address):
        """TooManyRequests (429, Retry-After) while a delay covering this login runs."""
        wait = self.failures.blocked_for(list(_keys(email, address)))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests("Too many failed logins; try again in {} s".format(seconds), retry_after=seconds)

    def failed(self, email, address):
        at_address, address_key, account = _keys(email, address)
        count = self._count(at_address, PER_ACCOUNT_AT_ADDRESS_FREE)
        self._count(address_key, PER_ADDRESS_FREE)
        if count == 1:  # this address's first failure for the account
            self._count(account, PER_ACCOUNT_ADDRESSES_FREE)

    def succeeded(self, email, address):
        at_address, _, account = _keys(email, address)
        self.failures.clear(at_address, account)

    def _count(self, key, free):
        count = self.failures.add_failure(key)
        delay = domain.failure_delay(count, free)
        if delay:
            self.failures.block(key, delay)
        return count


def _keys(email, address):
    """(account at address, address, account); emails are hashed: the shared store keeps none."""
    account = hashlib.sha256(email.encode()).hexdigest()[:32]
    address = (address or "unknown")[:MAX_ADDRESS_LENGTH]
    return "account:{}@{}".format(account, address), "address:" + address, "account:" + account


_throttle = None
_lock = threading.Lock()


def login_throttle():
    """This process's throttle; its state is shared by every instance using the same database (the
    namespace is derived from the directory's database URL, so deployments and test runs sharing a
    Redis never see each other's counts)."""
    global _throttle
    if _throttle is None:
        with _lock:
            if _throttle is None:
                url = settings.get().database_url("directory")
                namespace = "login-" + hashlib.sha256(url.encode()).hexdigest()[:12]
                _throttle = LoginThrottle(FailureThrottle(namespace, FORGET_AFTER_SECONDS))
    return _throttle
