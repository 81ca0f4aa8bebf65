#!/usr/bin/env bash
# `make check` (and the first step of `make test`): ruff's lint and format check and mypy on the shared
# library, the event contracts and every service's domain rules (issue 10). Their settings, and the
# modules left out for now, are in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob globstar

# a new service's domain.py (or domain/ package), at any depth under services/, is picked up by the globs
paths=(infra contracts services/**/domain.py services/**/domain/)

.venv/bin/ruff check --quiet "${paths[@]}"
.venv/bin/ruff format --check --quiet "${paths[@]}"
.venv/bin/mypy "${paths[@]}"
