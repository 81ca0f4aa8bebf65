#!/usr/bin/env bash
# `make test`: the whole suite against the real RabbitMQ and PostgreSQL of this machine. Each run
# creates its own vhost and databases and removes them afterwards (see conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.

scripts/ensure_rabbitmq.sh

# The tests create vhosts and read queue depths through the management API.
if ! curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1; then
  if command -v rabbitmq-plugins >/dev/null; then
    echo "==> enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    for _ in $(seq 1 60); do curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break; sleep 1; done
  fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "==> starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

exec .venv/bin/python -m pytest "$@"
