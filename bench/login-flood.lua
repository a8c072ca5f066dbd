-- A login flood (issue 10, finding 1): POST /login with unknown usernames and
-- wrong passwords, a valid anonymous CSRF pair (cookie and field) so every
-- request reaches the password check or the throttle.
--   SPREAD=1: each request claims another client address in X-Forwarded-For
--   (the server runs with client_ip_header = X-Forwarded-For), as a botnet
--   would look behind a proxy; otherwise every request comes from one address.
local spread = os.getenv("SPREAD") == "1"
local n = 0
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
c401, c429, cother = 0, 0, 0
request = function()
  n = n + 1
  -- threads claim disjoint address ranges
  local k = n * 8 + (id or 0)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "hl_csrf=flood0123456789",
  }
  if spread then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(k / 65536) % 256, math.floor(k / 256) % 256, k % 256)
  end
  local body = string.format("_csrf=flood0123456789&username=nobody%d&password=Wrong-pass-%d", k, k)
  return wrk.format("POST", "/login", headers, body)
end
response = function(status, headers, body)
  if status == 401 then c401 = c401 + 1 elseif status == 429 then c429 = c429 + 1 else cother = cother + 1 end
end
done = function(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("c401"); b = b + t:get("c429"); c = c + t:get("cother") end
  io.write(string.format("STATUS 401=%d 429=%d other=%d\n", a, b, c))
  io.write(string.format("RESULT req/s=%.1f p50=%.1fms p99=%.1fms max=%.1fms requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50)/1000, latency:percentile(99)/1000,
    latency.max/1000, summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
