#!/usr/bin/env bash
# Creates .venv and installs the pinned dependencies; reinstalls only when a requirements file changed.
# Usage: scripts/bootstrap.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "Python 3.10 or newer is needed (found $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

# one bootstrap at a time: a second one (another make target, a parallel job) waits, then finds the venv ready
mkdir -p var
exec 9>var/.bootstrap.lock
flock 9

files=(requirements.txt)
[ "${1:-}" = dev ] && files+=(requirements-dev.txt)
stamp="$VENV/.installed-$(cat "${files[@]}" pyproject.toml | sha1sum | cut -c1-12)"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ]; then
  echo "==> installing pinned dependencies (${files[*]})"
  args=()
  for f in "${files[@]}"; do args+=(-r "$f"); done
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${args[@]}"
  # the `crm` console script (pyproject.toml), editable: it runs this tree's code
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e .
  touch "$stamp"
fi
