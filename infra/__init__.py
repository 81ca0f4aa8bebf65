"""Shared infrastructure for every CRM service: no domain rules live here.

- db:         SQLAlchemy 2 engines and the per-worker session DependencyProvider
- outbox:     transactional outbox table and the relay that publishes it with confirms
- consumers:  reliable event handlers (requeue with a cap, dead-letter queue) and version checks
- events:     the event envelope every published event carries
- auth:       tokens, the verified identity and its DependencyProvider
- rpc:        RPC calls with a timeout
- cursors:    opaque keyset cursors
- errors:     error base classes carrying status and API-family code
- reference:  units, currencies and countries (static, versioned reference data)
- config:     environment-driven settings shared by `nameko run` and docker-compose
- logs:       the one structlog configuration (JSON or readable lines) and each entrypoint's log line
- correlation: the request and event ids bound per worker, stamped on the events it records
- metrics, metrics_export: Prometheus metrics of the request and event paths, and serving them
  (with the pool and outbox gauges read at scrape time) on each process's METRICS_PORT
"""
