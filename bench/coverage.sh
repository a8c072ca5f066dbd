#!/usr/bin/env bash
# Party-coverage benchmark (docs/PERFORMANCE.md, "Coverage figures at 1M"):
# 1M organizations with party records on SQLite and on PostgreSQL. Not a test:
# it measures and prints; run it on an idle machine.
#
#   bash bench/coverage.sh                # both databases, N=1,000,000
#   N=200000 BACKENDS=sqlite bash bench/coverage.sh
#   REUSE=1 bash bench/coverage.sh        # queries only, on the databases of the last run
#
# Steps per database: fresh database → `hongling generate --orgs N --region 37`
# → `hongling generate --party --region 37` (party records county by county, as
# in the demo) → `hongling coverage refresh` of the province (the daily run's
# work) → `hongling coverage plan` for a county and a city → serve →
# bench/coverage_query.py (figures, drill-down, breaches over the JSON API).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PGBASE=${PGBASE:-postgres://postgres@127.0.0.1:5432}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p hongling
BIN=target/release/hongling
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
export HONGLING_DATA_KEY=${HONGLING_DATA_KEY:-$($BIN key generate 2>/dev/null)}
export HONGLING_LOG=warn
# the load is one user's token at hundreds of calls a second: lift the per-user API rate limit
export HONGLING_API_RATE_PER_MINUTE=0
secs() { local t0=$1; echo "$(( $(date +%s) - t0 )) s"; }

for backend in $BACKENDS; do
  echo
  echo "=== $backend, N=$N ==="
  if [ "$backend" = sqlite ]; then
    [ -n "${REUSE:-}" ] || rm -f "$OUT"/coverage.db*
    export HONGLING_DATABASE_URL="sqlite://$OUT/coverage.db"
  else
    if [ -z "${REUSE:-}" ]; then
      psql "$PGBASE/test" -qc "DROP DATABASE IF EXISTS hongling_coverage" >/dev/null
      psql "$PGBASE/test" -qc "CREATE DATABASE hongling_coverage" >/dev/null
    fi
    export HONGLING_DATABASE_URL="$PGBASE/hongling_coverage"
  fi
  if [ -z "${REUSE:-}" ]; then
    $BIN migrate >/dev/null
    t0=$(date +%s); $BIN generate --orgs "$N" --region 37 2>/dev/null; echo "generate organizations: $(secs "$t0")"
    t0=$(date +%s); $BIN generate --party --region 37 2>/dev/null; echo "generate party records: $(secs "$t0")"
    $BIN user add --username bench --role party_office --scope 37 >/dev/null
  fi
  t0=$(date +%s); $BIN coverage refresh --region 37; echo "refresh whole province: $(secs "$t0")"
  $BIN coverage plan --region 370502
  $BIN coverage plan --region 3705
  $BIN coverage plan --region 37
  TOKEN=$($BIN token create --username bench 2>/dev/null)
  if [ "$backend" = sqlite ]; then
    du -h "$OUT/coverage.db" | awk '{print "database size: " $1}'
  else
    psql "$PGBASE/hongling_coverage" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('hongling_coverage'))"
    psql "$PGBASE/hongling_coverage" -qc "VACUUM ANALYZE" >/dev/null
  fi
  HONGLING_ADDR=127.0.0.1:18091 HONGLING_JOBS_WORKER=false $BIN serve &
  PID=$!
  trap 'kill $PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18091/healthz >/dev/null && break; sleep 0.2; done
  python3 bench/coverage_query.py http://127.0.0.1:18091 "$TOKEN" 5
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
