-- Printed once at the end of a wrk run: exact counts for the harness (bench/lib/wrk.ts) to parse, then the whole
-- latency distribution (every distinct latency in µs with its count) so that short runs can be pooled
-- (bench/lib/histogram.ts). Only done() is defined: a response() hook would make wrk parse every response in Lua
-- and slow it down.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
  local parts = {}
  for i = 1, #latency do
    local v, c = latency(i)
    parts[#parts + 1] = string.format('%d:%d', v, c)
  end
  io.write('WRK_HIST ' .. table.concat(parts, ' ') .. '\n')
end
