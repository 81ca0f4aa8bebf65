#!/usr/bin/env bash
# `make stop`: stops the system `make run` started (it stops its own processes on SIGTERM).
cd "$(dirname "$0")/.."
if [ -f var/run.pid ] && kill -0 "$(cat var/run.pid)" 2>/dev/null; then
  kill -TERM "$(cat var/run.pid)"
  for _ in $(seq 1 30); do kill -0 "$(cat var/run.pid 2>/dev/null)" 2>/dev/null || { echo "stopped"; exit 0; }; sleep 1; done
  echo "still stopping; see var/log/" >&2
else
  echo "nothing to stop"
fi
