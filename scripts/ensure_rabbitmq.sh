#!/usr/bin/env bash
# Makes sure a RabbitMQ answers at $AMQP_URI (default localhost:5672): uses a running one, else
# starts a locally installed rabbitmq-server, else explains how to get one.
set -euo pipefail
uri=${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}
hostport=${uri#*@}; hostport=${hostport%%/*}
host=${hostport%:*}; port=${hostport##*:}
[ "$host" = "$port" ] && port=5672

reachable() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if reachable; then exit 0; fi
if [[ "$host" =~ ^(127\.0\.0\.1|localhost)$ ]] && command -v rabbitmq-server >/dev/null; then
  echo "==> RabbitMQ is not answering on $host:$port; starting the local rabbitmq-server"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do reachable && exit 0; sleep 1; done
fi
cat >&2 <<MSG
!! No RabbitMQ answers on $host:$port.
   Install and start one, e.g.  apt-get install rabbitmq-server && rabbitmq-server -detached
   or run the whole stack with docker compose up, or point AMQP_URI at a broker you have.
MSG
exit 1
