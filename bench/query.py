"""Time API queries against a running hongling server.

    python3 bench/query.py BASE_URL TOKEN [ROUNDS]

Prints p50 / p99 (ms) for: two-character name searches, a longer name
search, credit-code prefix searches, and filtered list pages (region subtree +
status, deep pages included). Each query is the real `GET /api/v1/orgs` a
client or the list page makes (count + page), over HTTP on loopback.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, token = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = json.loads(r.read())
    return (time.perf_counter() - t0) * 1000, body


def run(label, paths):
    times, totals = [], []
    get(paths[0])  # warm
    for _ in range(rounds):
        for p in paths:
            ms, body = get(p)
            times.append(ms)
            totals.append(body.get("total", 0))
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"| {label} | {len(times)} | {p50:.1f} | {p99:.1f} | {min(totals):,}–{max(totals):,} |")


q = lambda **kw: "/api/v1/orgs?" + urllib.parse.urlencode(kw)
two = ["爱心", "协会", "慈善", "志愿", "养老", "舞蹈", "商会", "学会", "书法", "物流", "社区", "服务", "文艺", "互助", "环保", "石油"]
print("| query | n | p50 ms | p99 ms | matches |")
print("|---|---|---|---|---|")
run("name, 2 characters, whole scope", [q(q=w) for w in two])
run("name, 2 characters, one county (370502)", [q(q=w, region="370502") for w in two])
run("name, 4+ characters", [q(q=w) for w in ["爱心志愿", "慈善总会", "广场舞队", "行业协会", "社会工作服务中心"]])
run("credit-code prefix", [q(q=p) for p in ["5137", "513705", "51370502", "51370500M", "5237"]])
run("list, county + status, page 1", [q(region=r, status="active") for r in ["370502", "370503", "370505", "370522", "370523"]])
run("list, city + kind + category, page 1", [q(region="3705", kind="association", category=c) for c in ["charity", "industry_association", "science_tech", "other"]])
run("list, whole scope, page 1 / 50 / 500", [q(page=p) for p in [1, 50, 500]])
