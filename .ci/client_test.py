"""A client generated from docs/openapi.json (openapi-python-client), used as an integrator
would: if the document stops describing the API, generation or these calls fail.

usage: client_test.py GENERATED_DIR BASE_URL TOKEN
"""
import importlib
import sys

sys.path.insert(0, sys.argv[1])
base, token = sys.argv[2], sys.argv[3]

from hl_client import AuthenticatedClient  # noqa: E402
from hl_client.models import ApiError  # noqa: E402

me = importlib.import_module("hl_client.api.账号.me")
orgs_list = importlib.import_module("hl_client.api.社会组织.orgs_list")
orgs_get = importlib.import_module("hl_client.api.社会组织.orgs_get")
coverage = importlib.import_module("hl_client.api.党建覆盖.coverage")

client = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)

who = me.sync(client=client)
assert who is not None and who.username == "registrar", who
print("me:", who.username, who.role_name)

page = orgs_list.sync(client=client, q="爱心", per_page=5)
assert page is not None and page.total > 0 and 0 < len(page.items) <= 5, page
first = page.items[0]
assert "爱心" in first.name, first.name
print("orgs:", page.total, "found; first:", first.name)

one = orgs_get.sync(id=first.id, client=client)
assert one is not None and one.id == first.id and one.name == first.name, one

missing = orgs_get.sync_detailed(id=2_000_000_000, client=client)
assert missing.status_code == 404, missing.status_code
assert isinstance(missing.parsed, ApiError) and missing.parsed.code == "not_found", missing.parsed
print("a missing record: 404", missing.parsed.message)

c = coverage.sync(client=client, region="370502")
assert c is not None and c.organizations > 0, c
print("coverage of 370502:", c.organizations, "organizations, rate", c.coverage_rate)
print("generated client: ok")
