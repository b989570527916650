#!/usr/bin/env bash
# The whole suite: lint (ruff, import contracts), SQLite (with browser tests), then PostgreSQL.
# Locally a missing PostgreSQL server is skipped with a notice; under CI it is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/python -m pytest"
PG_URL="${TEST_PG_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}"
mkdir -p test-output
status=0

echo "=== Lint: ruff, and import-linter contracts (.importlinter) ==="
.venv/bin/ruff check . || status=1
.venv/bin/lint-imports || status=1

echo "=== Test suite on SQLite (with browser tests) ==="
$PYTEST -q -p no:cacheprovider "$@" || status=1

if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, sqlalchemy as sa
sa.create_engine(sys.argv[1]).connect().close()
PY
then
  echo "=== Test suite on PostgreSQL ($PG_URL) ==="
  # schemathesis (tests/api) explored the API on SQLite already: fewer examples here
  FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-2}" TEST_DATABASE_URL="$PG_URL" $PYTEST -q -p no:cacheprovider -m "not browser" "$@" || status=1
elif [ -n "${CI:-}" ]; then
  echo "FAILED: PostgreSQL is not reachable at $PG_URL, and CI requires the PostgreSQL run."
  status=1
else
  echo "SKIPPED: PostgreSQL run — no server reachable at $PG_URL (CI runs it)."
fi
exit $status
