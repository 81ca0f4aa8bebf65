#!/usr/bin/env bash
# `make test`: the whole suite against the real RabbitMQ and PostgreSQL of this machine. Each run
# creates its own vhost and databases and removes them afterwards (see conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.

# lint, format and types first: a finding fails the run before anything starts (a few seconds)
scripts/check.sh

scripts/ensure_test_services.sh

exec .venv/bin/python -m pytest "$@"
