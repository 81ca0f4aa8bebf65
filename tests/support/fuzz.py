"""Schemathesis against a running system, from its own /openapi.json, as its own process (the test
process is eventlet-patched; Schemathesis runs threads and its own HTTP client):

    python -m tests.support.fuzz <base url> <report dir>

It signs up a workspace, makes one record of every kind in it (tests/support/records.py) and API keys,
then runs every operation of the document through Schemathesis's phases (examples, coverage, fuzzing,
stateful over the document's links) with the owner's credentials (tests/support/fuzz_hooks.py) and
these checks: no 5xx, every status documented, every body valid against the documented schema for
its status, every content type documented. Path and body parameters draw half of their values from
the workspace's real ids, so generated requests reach records, not only 404s. It prints a JSON
summary: operations, test cases, requests sent (counted by a hook), failures and errors, and
writes Schemathesis's own JSON report and the run's output under <report dir>.
"""
import json
import os
import subprocess
import sys
import time

from gateway.openapi import openapi_path
from gateway.routes import all_routes
from infra.processes import ROOT
from tests.support.client import Api
from tests.support.records import Records, api_key

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
          "content_type_conformance", "response_headers_conformance")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
MAX_EXAMPLES = 25       # per operation and phase
STATEFUL_STEPS = 8      # per scenario of the stateful phase
STATEFUL_SCENARIOS = 100
MAX_SECONDS = 300       # the whole run's deadline
REQUEST_TIMEOUT = 10    # seconds, per request
ROTATING_KEYS = 20      # API keys the rate-limited routes take turns over (10 requests a second each)
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
REAL_VALUE_PROBABILITY = 0.5


def provision(api):
    """A workspace with records of every kind; what the run's config and hooks need."""
    ws = api.signup()
    records = Records(api, ws).build().ids
    second = Records(api, ws).build().ids  # two of each: a delete or deactivation leaves one
    keys = [api_key(api, ws, "fuzz-{}".format(index))[1] for index in range(ROTATING_KEYS)]
    victims = [records["api_key"], second["api_key"]]  # revocable by the run; the rotating keys are not listed
    dictionaries = {
        "users": [ws.owner["id"], records["user"], second["user"]],
        "groups": [records["group"], second["group"]],
        "campaigns": [records["campaign"], second["campaign"]],
        "key_uuids": victims,
        "deals": [records["deal"], second["deal"]],
        "assets": list(ASSETS),
        "accounts": [records["account"], second["account"]],
        "contacts": [records["contact"], second["contact"]],
        "fields": [records["field"], second["field"]],
        "sales_goals": [records["sales_goal"], second["sales_goal"]],
        "record_ids": [records[kind] for kind in ("customer_goal", "template", "metric")]
                      + [second[kind] for kind in ("customer_goal", "template", "metric")],
        "prospects": [records["prospect"], second["prospect"]],
        "clients": [records["client"], second["client"]],
        "prospect_contacts": [records["prospect_contact"], second["prospect_contact"]],
        "notes": [records["prospect_note"], second["prospect_note"]],
        "locations": [records["prospect_location"], records["client_location"], second["prospect_location"],
                      second["client_location"]],
    }
    bindings = {
        "path.user_id": "users", "path.group_id": "groups", "path.campaign_uuid": "campaigns",
        "path.key_uuid": "key_uuids", "path.deal_id": "deals", "path.asset": "assets", "query.uuid": "accounts",
        "body.uuid": "accounts", "body.account_uuid": "accounts", "body.contact_uuid": "contacts",
        "body.field_uuid": "fields", "body.goal_uuid": "sales_goals", "body.campaign_uuid": "campaigns",
        "body.users[*]": "users", "body.groups[*]": "groups", "body.members[*]": "users",
        "body.recordIds[*]": "record_ids", "path.prospect_id": "prospects", "path.company_id": "clients",
        "path.contact_id": "prospect_contacts", "path.note_id": "notes", "path.location_id": "locations",
    }
    return ws, keys, dictionaries, bindings


def rate_limited_operations():
    return [[method, openapi_path(route.path)[0]] for route in all_routes() if route.rate_limited
            for method in route.methods]


def _toml(value):
    return json.dumps(value)  # JSON strings, numbers and arrays of them are TOML too


def write_config(path, base_url, dictionaries, bindings):
    lines = ['base-url = {}'.format(_toml(base_url)), 'hooks = "tests.support.fuzz_hooks"',
             "request-timeout = {}".format(REQUEST_TIMEOUT),
             # credentials come from the hooks: no generated values in the security headers
             "", "[generation]", "max-examples = {}".format(MAX_EXAMPLES), "with-security-parameters = false",
             "database = \"none\"",  # no example database left in the work tree
             "", "[phases.stateful]", "max-steps = {}".format(STATEFUL_STEPS),
             "", "[phases.stateful.generation]", "max-examples = {}".format(STATEFUL_SCENARIOS),
             "", "[cache]", "enabled = false",  # every run starts fresh, and leaves nothing in the work tree
             "", "[dictionaries]"]
    lines += ["{} = {{ values = {} }}".format(name, _toml(values)) for name, values in dictionaries.items()]
    lines += ["", "[parameters]"]
    lines += ['{} = {{ dictionary = {}, probability = {} }}'.format(_toml(key), _toml(name), REAL_VALUE_PROBABILITY)
              for key, name in bindings.items()]
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def run(base_url, report_dir):
    os.makedirs(report_dir, exist_ok=True)
    api = Api(base_url)
    ws, keys, dictionaries, bindings = provision(api)
    config = os.path.join(report_dir, "schemathesis.toml")
    write_config(config, base_url, dictionaries, bindings)
    report = os.path.join(report_dir, "schemathesis-report.json")
    counts = os.path.join(report_dir, "requests.json")
    env = dict(os.environ, PYTHONPATH=ROOT, FUZZ_TOKEN=ws.token, FUZZ_API_KEYS=json.dumps(keys),
               FUZZ_RATE_LIMITED=json.dumps(rate_limited_operations()), FUZZ_COUNTS=counts, NO_COLOR="1")
    # the document as the system serves it, from a file: loaded from its URL, Schemathesis leaves out the
    # operation that serves it (GET /openapi.json)
    document = os.path.join(report_dir, "openapi.json")
    with open(document, "w") as handle:
        json.dump(api.get("/openapi.json").json(), handle)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", config, "run", document, "--url", base_url,
               "--checks", ",".join(CHECKS), "--phases", ",".join(PHASES), "--workers", "2",
               "--report", "json", "--report-json-path", report, "--no-color", "--output-truncate", "true"]
    started = time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=MAX_SECONDS)
    seconds = time.monotonic() - started
    with open(os.path.join(report_dir, "schemathesis-output.txt"), "w") as handle:
        handle.write(finished.stdout + finished.stderr)
    with open(report) as handle:
        result = json.load(handle)
    with open(counts) as handle:
        requests = json.load(handle)
    return {
        "exit_code": finished.returncode, "seconds": round(seconds, 1), "schemathesis": result["schemathesis_version"],
        "operations": result["operations"], "phases": result["phases"], "test_cases": result["test_cases"],
        "requests": requests, "failures": result["failures"], "errors": result["errors"],
        "warnings": {name: value for name, value in result["warnings"].items() if value},
        "stop_reason": result["stop_reason"], "seed": result["seed"],
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2])))
