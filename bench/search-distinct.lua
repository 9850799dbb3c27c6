-- wrk script for scripts/bench-search: every request a different query, read from the file
-- named by QUERIES (made from the real procedure names), so no answer is served from memory.
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end
local i = 0
local function urlencode(s)
  return (s:gsub("[^%w%-_%.]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
-- Each thread starts half the list away from the other, so no query comes twice in a run.
local threads = 0
setup = function(thread)
  thread:set("offset", threads * math.floor(#queries / 2))
  threads = threads + 1
end
init = function() i = tonumber(offset) or 0 end
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/v1/procedures?limit=10&q=" .. urlencode(q))
end
dofile("bench/report.lua")
