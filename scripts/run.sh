#!/usr/bin/env bash
# `make run`: migrations on the configured databases (SQLite under var/ by default), a reachable
# RabbitMQ, then every service and the gateway until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
scripts/ensure_rabbitmq.sh
echo "==> migrating databases"
PYTHONPATH=. .venv/bin/python -m infra.migrate all
exec env PYTHONPATH=. .venv/bin/python -m infra.processes run
