#!/usr/bin/env bash
# `make bench`: the load benchmark (bench/run.py) against the real RabbitMQ and PostgreSQL of this
# machine, in its own vhost and databases (removed afterwards). `make bench ARGS=--quick` for the
# small data set and short phases; results in bench/results/<date>.json and .md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.

scripts/ensure_rabbitmq.sh

# The benchmark creates its vhost and reads queue depths through the management API.
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

# The accounts rate limit keeps its shared state in Redis; without one the gateway counts in-process.
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  echo "==> starting a local redis-server for the rate limiter"
  redis-server --daemonize yes >/dev/null || true
fi

exec .venv/bin/python -W ignore::DeprecationWarning -m bench.run "$@"
