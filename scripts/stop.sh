#!/usr/bin/env bash
# `make stop`: stops the system `make run` started (it stops its own processes on SIGTERM).
cd "$(dirname "$0")/.."
PID_FILE="${CRM_VAR_DIR:-var}/run.pid"
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  PID=$(cat "$PID_FILE")
  kill -TERM "$PID"
  for _ in $(seq 1 30); do kill -0 "$PID" 2>/dev/null || { echo "stopped"; exit 0; }; sleep 1; done
  echo "still stopping; see var/log/" >&2
else
  echo "nothing to stop"
fi
