"""Time the coverage API against a running hongling server.

    python3 bench/coverage_query.py BASE_URL TOKEN [ROUNDS]

Prints p50 / p99 (ms) for the figures of a province, cities, counties and
townships, the drill-down rows, figures by channel, the breach list, and a
filtered figure; each is the real request the dashboard or a client makes.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, token = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = json.loads(r.read())
    return (time.perf_counter() - t0) * 1000, body


def run(label, paths, size=lambda b: b.get("organizations", len(b) if isinstance(b, list) else b.get("total", 0))):
    times, sizes = [], []
    get(paths[0])  # warm
    for _ in range(rounds):
        for p in paths:
            ms, body = get(p)
            times.append(ms)
            sizes.append(size(body))
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"| {label} | {len(times)} | {p50:.1f} | {p99:.1f} | {min(sizes):,}–{max(sizes):,} |")


c = lambda path, **kw: f"/api/v1/{path}?" + urllib.parse.urlencode(kw)
cities = ["3701", "3702", "3705", "3706", "3707"]
counties = ["370502", "370503", "370102", "370202", "370602"]
towns = ["370502001", "370502002", "370503001", "370505001", "370522001"]
_, prov = get(c("coverage", region="37"))
print(f"province: {prov['organizations']:,} organizations, coverage {prov['coverage_rate']:.1%}, standalone {prov['standalone_rate']:.1%}, breaches {prov['breaches']:,}")
print("| request | n | p50 ms | p99 ms | organizations |")
print("|---|---|---|---|---|")
run("figures, whole province (37)", [c("coverage", region="37")])
run("figures, a city", [c("coverage", region=r) for r in cities])
run("figures, a county", [c("coverage", region=r) for r in counties])
run("figures, a township", [c("coverage", region=r) for r in towns])
run("figures, province, registered associations only", [c("coverage", region="37", mode="registered", kind="association")])
run("drill-down rows, province → cities", [c("coverage/regions", region="37")], size=lambda b: sum(r["organizations"] for r in b))
run("drill-down rows, city → counties", [c("coverage/regions", region=r) for r in cities], size=lambda b: sum(r["organizations"] for r in b))
run("figures by channel, province", [c("coverage/by/channel", region="37")], size=lambda b: sum(r["organizations"] for r in b))
run("breach list, province, page 1", [c("coverage/breaches", region="37")], size=lambda b: b["total"])
run("breach list, county, one rule", [c("coverage/breaches", region=r, rule="needs_standalone") for r in counties], size=lambda b: b["total"])
