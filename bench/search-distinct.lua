-- wrk script for scripts/bench-search: every request a different query, read from the file
-- named by QUERIES (made from the real procedure names), so no answer is served from memory.
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end
local i = 0
local function urlencode(s)
  return (s:gsub("[^%w%-_%.]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
setup = function(thread) thread:set("offset", math.random(#queries)) end
init = function() i = tonumber(offset) or 0 end
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/v1/procedures?limit=10&q=" .. urlencode(q))
end
done = function(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f req/s; errors: %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
  io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
