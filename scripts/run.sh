#!/usr/bin/env bash
# `make run`: migrations on the configured databases (SQLite under var/ by default), a reachable
# RabbitMQ, then every service and the gateway, each started again if it exits, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
# No signing secret lives in the code: without JWT_SECRET, one is generated on first start and kept
# in var/jwt_secret (readable by its owner only), so tokens survive a restart.
if [ -z "${JWT_SECRET:-}" ]; then
  if [ ! -s var/jwt_secret ]; then
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > var/jwt_secret)
    echo "==> generated a signing secret in var/jwt_secret"
  fi
  chmod 600 var/jwt_secret
  JWT_SECRET=$(cat var/jwt_secret)
  export JWT_SECRET
fi
# readable log lines in a terminal (every other way of starting the system logs JSON: infra/logs.py)
export LOG_FORMAT=${LOG_FORMAT:-console}
scripts/ensure_rabbitmq.sh
echo "==> migrating databases"
PYTHONPATH=. .venv/bin/python -m infra.migrate all
exec env PYTHONPATH=. .venv/bin/python -m infra.supervisor run
