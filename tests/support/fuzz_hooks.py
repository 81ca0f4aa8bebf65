"""Schemathesis hooks of the fuzz run (tests/support/fuzz.py loads them through its config file).

Credentials for every generated request: the owner's Bearer token, except on the routes with a
per-caller rate limit (10 a second), where the requests take turns over several API keys of the
same owner, sent in the deals API's `X-apikey` or the customer-goals API's `accesskey` header.
The limit is per key, so the fuzzer reaches the logic behind those routes instead of mostly
hearing 429 (which is documented, and is still checked when it comes). The rate limiter has its
own tests (gateway/tests/test_rate_limit_headers.py).

Every request sent is counted, by operation and status, and the counts are written as JSON to
FUZZ_COUNTS when the run ends.

The values come from the environment the runner sets: FUZZ_TOKEN, FUZZ_API_KEYS (JSON list),
FUZZ_RATE_LIMITED (JSON list of [method, OpenAPI path]) and FUZZ_COUNTS (a file path).
"""
import atexit
import collections
import itertools
import json
import os
import threading

import schemathesis

API_KEY_HEADERS = ("X-apikey", "accesskey")


@schemathesis.auth(refresh_interval=None)  # asked for each request: the key changes every time
class OwnerCredentials:
    def __init__(self):
        self.token = os.environ["FUZZ_TOKEN"]
        keys = json.loads(os.environ["FUZZ_API_KEYS"])
        self.keys = itertools.cycle([(header, key) for key in keys for header in API_KEY_HEADERS])
        self.rate_limited = {tuple(item) for item in json.loads(os.environ["FUZZ_RATE_LIMITED"])}
        self.lock = threading.Lock()

    def get(self, case, context):
        if (case.method.upper(), case.operation.path) in self.rate_limited:
            with self.lock:
                return next(self.keys)
        return "Authorization", "Bearer " + self.token

    def set(self, case, data, context):
        name, value = data
        case.headers = dict(case.headers or {}, **{name: value})


_counted = collections.Counter()
_counting = threading.Lock()


@schemathesis.hook
def after_call(context, case, response):
    # by the operation's own method: the coverage phase also probes each path with methods it does not take
    method = case.operation.method.upper()
    with _counting:
        _counted["{} {} {}".format(method, case.operation.path, response.status_code)] += 1
        if case.method.upper() != method:
            _counted["undocumented-method-probe - {}".format(response.status_code)] += 1


@atexit.register
def _write_counts():
    by_status, by_operation = collections.Counter(), collections.Counter()
    probes = collections.Counter()
    for key, count in _counted.items():
        method, path, status = key.split(" ")
        if method == "undocumented-method-probe":
            probes[status] += count
            continue
        by_status[status] += count
        by_operation[method + " " + path] += count
    with open(os.environ["FUZZ_COUNTS"], "w") as handle:
        json.dump({"sent": sum(by_status.values()), "by_status": dict(sorted(by_status.items())),
                   "undocumented_method_probes": dict(probes),
                   "by_operation": dict(sorted(by_operation.items())), "by_operation_and_status": dict(_counted)},
                  handle)
