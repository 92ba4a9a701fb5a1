-- Appended to every scenario's script: one line of JSON that bench/wrk.py reads.
-- Latencies are in microseconds; "status" counts answers that are not 2xx or 3xx, or,
-- for a scenario that sets `expected` (bench/lua/expect.lua), answers of another status.
function done(summary, latency, requests)
  local errors = summary.errors
  local status = errors.status
  if expected ~= nil then
    status = 0
    for _, thread in ipairs(threads) do
      status = status + thread:get("unexpected")
    end
  end
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, status, errors.timeout))
end
