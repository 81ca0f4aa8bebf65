#!/usr/bin/env bash
# `make bench`: the load benchmark (bench/run.py) against the real RabbitMQ and PostgreSQL of this
# machine, in its own vhost and databases (removed afterwards). `make bench ARGS=--quick` for the
# small data set and short phases; results in bench/results/full.{json,md} (quick.*), see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.

scripts/ensure_test_services.sh

# The accounts rate limit keeps its shared state in Redis; without one the gateway counts in-process.
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  echo "==> starting a local redis-server for the rate limiter"
  redis-server --daemonize yes >/dev/null || true
fi

exec .venv/bin/python -W ignore::DeprecationWarning -m bench.run "$@"
