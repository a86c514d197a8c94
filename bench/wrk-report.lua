-- wrk hook: print exact p50/p95/p99 (µs) as one WRK_JSON line; the --latency table has no p95.
-- Parsed by bench/lib/parse.ts parseWrk().
done = function(summary, latency, requests)
  io.write(string.format("WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"errors\":%d,\"p50_us\":%d,\"p95_us\":%d,\"p99_us\":%d}\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
