#!/usr/bin/env bash
# What `make test` and `make bench` need on this machine: RabbitMQ with the management API (they
# create vhosts and read queue depths through it) and PostgreSQL on 127.0.0.1:5432; each is
# started or enabled here when it is installed but not running.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure_rabbitmq.sh

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

if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo -n apt-get); fi

# The API reference page is tested in a real browser: Debian's chromium, headless (tests/test_api_reference.py).
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
  echo "==> installing Debian's chromium for the browser tests"
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -q chromium >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update -q >/dev/null && \
         DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -q chromium >/dev/null; }
fi

# The Kubernetes manifests' renderer is checked against `kubectl kustomize` (tests/test_k8s_manifests.py).
if ! command -v kubectl >/dev/null && command -v apt-get >/dev/null; then
  echo "==> installing kubectl for the manifests' render check"
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -q kubectl >/dev/null 2>&1 \
    || echo "!! kubectl is not installable here; tests/test_k8s_manifests.py will say so" >&2
fi
