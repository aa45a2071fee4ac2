#!/usr/bin/env bash
# The whole test suite: lint, every test on SQLite, then the database-backed tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
export PYTHONHASHSEED=0 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
echo "== SQLite: whole suite"
.venv/bin/python -m pytest -n 2 --dist loadfile tests
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "== PostgreSQL: database-backed suite (portal services, trust: migrations, backup, kill, stress, scale-out)"
  scripts/with-postgres.sh .venv/bin/python -m pytest -n 2 --dist loadfile tests/portal tests/trust
else
  echo "== PostgreSQL not installed: skipped (scripts/system-deps.sh installs it as root)"
fi
