-- wrk script for scripts/bench-intake: reads dossiers by code, cycling through CODES.
local codes = {}
for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/dossiers/" .. codes[(i % #codes) + 1])
end
dofile("bench/report.lua")
