# The two commands that matter: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python

.PHONY: run stop test check bench migrate venv dev-venv reconcile resync replay-dead-letters clean

run: venv            ## set up everything and start the whole system on http://localhost:8000
	@scripts/run.sh

stop:                ## stop what `make run` started
	@scripts/stop.sh

test: dev-venv       ## lint, format and type checks (scripts/check.sh), then the whole suite against the real RabbitMQ and PostgreSQL
	@scripts/test.sh $(ARGS)

check: dev-venv      ## ruff (lint and format) and mypy on infra/, contracts/ and every service's domain rules
	@scripts/check.sh

bench: dev-venv      ## load benchmarks against PostgreSQL (see bench/README.md)
	@scripts/bench.sh $(ARGS)

migrate: venv        ## apply every service's migrations to its configured database
	@$(PY) -m infra.migrate all

reconcile: venv      ## goals and accounts: compare stored figures and counters with a recount (ARGS="--workspace N"; `crm reconcile --help`)
	@$(VENV)/bin/crm reconcile $(ARGS)

resync: venv         ## goals and accounts: rebuild their deals projections from the deals service (ARGS="--workspace N")
	@$(VENV)/bin/crm resync $(ARGS)

replay-dead-letters: venv  ## list dead letters, or put them back: ARGS="replay --queue Q --all" (`crm dead-letters --help`)
	@$(VENV)/bin/crm dead-letters $(or $(ARGS),list)

venv:
	@scripts/bootstrap.sh

dev-venv:
	@scripts/bootstrap.sh dev

clean:
	rm -rf $(VENV) var/*.db var/*.db-* var/run
