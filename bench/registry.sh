#!/usr/bin/env bash
# Registry benchmark (docs/PERFORMANCE.md): 1M organizations on SQLite and on
# PostgreSQL. Not a test: it measures and prints; run it on an idle machine.
#
#   bash bench/registry.sh               # both databases, N=1,000,000
#   N=200000 BACKENDS=sqlite bash bench/registry.sh
#   REUSE=1 bash bench/registry.sh       # queries only, on the databases of the last run
#
# Steps per database: fresh database → `hongling generate --orgs N --region 37`
# (bulk insert rate) → `hongling import orgs` of a 100,000-row CSV (import rate)
# → serve → bench/query.py (search and list latency over the JSON API).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
IMPORT_ROWS=${IMPORT_ROWS:-100000}
BACKENDS=${BACKENDS:-"sqlite postgres"}
PGBASE=${PGBASE:-postgres://postgres@127.0.0.1:5432}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -p hongling
BIN=target/release/hongling
python3 bench/make_csv.py "$IMPORT_ROWS" > "$OUT/import.csv"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"

for backend in $BACKENDS; do
  echo
  echo "=== $backend, N=$N ==="
  if [ "$backend" = sqlite ]; then
    [ -n "${REUSE:-}" ] || rm -f "$OUT"/bench.db*
    export HONGLING_DATABASE_URL="sqlite://$OUT/bench.db"
  else
    if [ -z "${REUSE:-}" ]; then
      psql "$PGBASE/test" -qc "DROP DATABASE IF EXISTS hongling_bench" >/dev/null
      psql "$PGBASE/test" -qc "CREATE DATABASE hongling_bench" >/dev/null
    fi
    export HONGLING_DATABASE_URL="$PGBASE/hongling_bench"
  fi
  export HONGLING_LOG=warn
  # the load is one user's token at hundreds of calls a second: lift the per-user API rate limit
  export HONGLING_API_RATE_PER_MINUTE=0
  if [ -z "${REUSE:-}" ]; then
    $BIN migrate
    $BIN generate --orgs "$N" --region 37 2>/dev/null
    $BIN import orgs "$OUT/import.csv" | head -n 1
    $BIN user add --username bench --role registrar --scope 37 >/dev/null
  fi
  TOKEN=$($BIN token create --username bench 2>/dev/null)
  if [ "$backend" = sqlite ]; then
    du -h "$OUT/bench.db" | awk '{print "database size: " $1}'
  else
    psql "$PGBASE/hongling_bench" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('hongling_bench'))"
    psql "$PGBASE/hongling_bench" -qc "ANALYZE" >/dev/null
  fi
  HONGLING_ADDR=127.0.0.1:18090 $BIN serve &
  PID=$!
  trap 'kill $PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done
  python3 bench/query.py http://127.0.0.1:18090 "$TOKEN" 3
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
