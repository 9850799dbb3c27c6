-- The summary line every wrk script of the benchmarks prints (loaded with dofile).
done = function(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f req/s; errors: %d (non-2xx %d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.timeout, summary.errors.status))
  io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
