#!/usr/bin/env bash
# The login flood of issue 10, finding 1 (docs/SECURITY.md, "Login flooding"):
# many connections posting logins with unknown usernames. Before the fix, 120
# clients sending 3 logins each grew the server from 473 MB to 7 GB (one
# argon2 hash, about 19 MiB, per request, all at once on the blocking pool).
# Measures, with wrk, the answers per second and the server's peak resident
# memory (VmHWM) in two runs:
#   one address:   every request from 127.0.0.1 (the per-address throttle)
#   many addresses: each request from another address (X-Forwarded-For behind
#                   a trusted proxy): only the bound on concurrent hashes holds
# Not a test: it measures and prints.
#
#   bash bench/login-flood.sh
#   CONNS=120 DUR=20 bash bench/login-flood.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${CONNS:-120}
DUR=${DUR:-20}
PORT=${PORT:-18093}
OUT=bench/out
mkdir -p "$OUT"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -p hongling
  BIN=target/release/hongling
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
export HONGLING_LOG=warn
export HONGLING_JOBS_WORKER=false
export HONGLING_CLIENT_IP_HEADER=X-Forwarded-For

run() { # name, SPREAD
  local name=$1 spread=$2
  rm -rf "$OUT/flood" && mkdir -p "$OUT/flood"
  HONGLING_DATABASE_URL="sqlite://$OUT/flood/flood.db" $BIN migrate >/dev/null
  HONGLING_DATABASE_URL="sqlite://$OUT/flood/flood.db" HONGLING_ADDR=127.0.0.1:$PORT $BIN serve &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local before; before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  local out; out=$(SPREAD=$spread wrk -t2 -c"$CONNS" -d"${DUR}s" --timeout 30s -s bench/login-flood.lua "http://127.0.0.1:$PORT")
  local hwm; hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  local health; health=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' "http://127.0.0.1:$PORT/healthz")
  local statuses
  statuses=$(sqlite3 "$OUT/flood/flood.db" "SELECT SUM(hits) FROM throttle_hits WHERE bucket LIKE 'login.a:%'" 2>/dev/null || echo "?")
  kill $pid; wait $pid 2>/dev/null || true
  echo "== $name ($CONNS connections, ${DUR}s)"
  echo "$out" | grep -E "RESULT|STATUS|Socket errors" || true
  echo "resident memory: before ${before} kB, peak ${hwm} kB; /healthz after the flood: $health; attempts counted: $statuses"
}
run "one address" 0
run "many addresses" 1
