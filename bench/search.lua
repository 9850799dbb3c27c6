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
done = function(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f req/s; errors: %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
  io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
