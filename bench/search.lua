-- wrk script for scripts/bench-search: rotates real queries people type (with and without
-- accents, i/y variants, typos, codes) over GET /api/v1/procedures.
local queries = {
  "dang ky khai sinh", "đăng kí kết hôn", "cap lai giay phep lai xe", "ly lich tu phap",
  "dang ky khai sinhh", "cấp giấy phép xây dựng", "chung thuc ban sao", "thue thu nhap ca nhan",
  "dang ky thuong tru", "giay chung nhan quyen su dung dat", "1.001193", "khai tu",
  "ho chieu", "dang ky doanh nghiep", "cap phep lao dong", "nuoi con nuoi",
}
local function urlencode(s)
  return (s:gsub("[^%w%-_%.]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/v1/procedures?limit=10&q=" .. urlencode(q))
end
dofile("bench/report.lua")
