-- wrk script for scripts/bench-intake: counter intake (create + receive in one command), spread
-- over the agencies in AGENCIES ("code=token,code=token,..."), as a province's counters are
-- (one agency may take at most 9,999 dossiers a day: the code has four digits).
local desks = {}
for code, token in string.gmatch(os.getenv("AGENCIES"), "([^=,]+)=([^,]+)") do
  desks[#desks + 1] = { code = code, token = token }
end
local i = 0
request = function()
  i = i + 1
  local d = desks[(i % #desks) + 1]
  local body = '{"procedure":"1.001193","agency":"' .. d.code .. '","channel":"counter",' ..
    '"applicant":{"name":"Lê Văn Cường","id_number":"038090001234","phone":"0912345678"}}'
  return wrk.format("POST", "/api/v1/dossiers",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. d.token }, body)
end
dofile("bench/report.lua")
