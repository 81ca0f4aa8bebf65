#!/usr/bin/env bash
# `make test`: the whole suite against the real RabbitMQ and PostgreSQL of this machine. Each run
# creates its own vhost and databases and removes them afterwards (see conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.

scripts/ensure_test_services.sh

exec .venv/bin/python -m pytest "$@"
