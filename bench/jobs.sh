#!/usr/bin/env bash
# Background jobs and the request path (docs/PERFORMANCE.md, "Background jobs
# and the request path"): county-level two-character searches over the JSON
# API under wrk load (many concurrent connections), idle and while the daily
# coverage refresh runs
#   - unpaced  (jobs.duty = 1: as every refresh ran before issue 8's item 7),
#   - paced    (jobs.duty = 0.5, batches of 500: the default),
#   - paced in a process of its own at nice 10 (`hongling jobs worker` setup).
# The refresh is `hongling jobs run coverage.daily`, the very run the worker
# makes. Not a test: it measures and prints; run it on an otherwise idle machine.
#
#   bash bench/jobs.sh                     # SQLite, N=1,000,000 organizations
#   REUSE=1 bash bench/jobs.sh             # the database of the last run
#   N=100000 DUR=15 bash bench/jobs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
COUNTY=${COUNTY:-370502}
DUR=${DUR:-30}
CONNS=${CONNS:-32}
PORT=${PORT:-18092}
OUT=bench/out
LUA=${LUA:-bench/two-char-search.lua}
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
# the load is one user's token at hundreds of calls a second: lift the per-user API rate limit
export HONGLING_API_RATE_PER_MINUTE=0
export HONGLING_DATABASE_URL="sqlite://$OUT/jobs.db"
export HONGLING_DATA_KEY=${HONGLING_DATA_KEY:-$($BIN key generate 2>/dev/null)}
if [ -z "${REUSE:-}" ]; then
  rm -f "$OUT"/jobs.db*
  $BIN migrate >/dev/null
  t0=$(date +%s); $BIN generate --orgs "$N" --region 37 2>/dev/null
  echo "generate: $(( $(date +%s) - t0 )) s"
  $BIN user add --username jobbench --role registrar --scope "$COUNTY" >/dev/null
  # the first refresh evaluates what generate left; later ones are the daily run's steady state
  $BIN coverage refresh --region 37
fi
TOKEN=$($BIN token create --username jobbench 2>/dev/null)
du -h "$OUT/jobs.db" | awk '{print "database size: " $1}'

HONGLING_ADDR=127.0.0.1:$PORT HONGLING_JOBS_WORKER=false $BIN serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

load() { # label seconds
  wrk -t2 -c"$CONNS" -d"$2"s -s "$LUA" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT" \
    | grep RESULT | sed "s/^RESULT/$1:/"
}

load warm-up 5 >/dev/null
load idle "$DUR"
for mode in "unpaced 1 0" "paced 0.5 0" "paced-nice10 0.5 10"; do
  set -- $mode
  sleep 5
  HONGLING_JOBS_DUTY=$2 /usr/bin/time -f "refresh ($1): %e s wall, %U s user + %S s system CPU" \
    nice -n "$3" $BIN jobs run coverage.daily --region 37 > "$OUT/jobs-$1.log" 2>&1 &
  JOB=$!
  sleep 2
  load "during refresh ($1)" "$DUR"
  wait $JOB || true
  tail -2 "$OUT/jobs-$1.log"
done
sleep 5
load idle-after "$DUR"
