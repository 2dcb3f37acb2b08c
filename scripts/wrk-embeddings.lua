-- wrk script of scripts/bench-slo.sh: POST /v1/embeddings, one 16-token sentence on the full sub-network; collects
-- every answer's X-Inference-Ms so the server's own overhead is the client's latency minus the inference. Two
-- readings: the p50 of the latency minus the median X-Inference-Ms (overhead_p50_ms), and the median of each
-- request's own latency minus its X-Inference-Ms (per_request_overhead_p50_ms, timed here with the monotonic clock
-- through LuaJIT's FFI; less noisy, since a run slower than usual moves both of its terms alike).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } flexserve_timespec;
  int clock_gettime(int clock, flexserve_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("flexserve_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

wrk.method = "POST"
wrk.body = '{"input":"A quick brown fox jumps over the lazy dog near the river bank."}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Subnet"] = "full"

local threads = {}
function setup(thread) table.insert(threads, thread) end

inference = {}
overhead = {}
errors = 0
local sent_at = 0
local encoded = nil
function request() -- one connection per thread, one request at a time: the last one sent is the one answered
  encoded = encoded or wrk.format()
  sent_at = now_ms()
  return encoded
end

function response(status, headers, body)
  local done_at = now_ms()
  local v = tonumber(headers["X-Inference-Ms"] or headers["x-inference-ms"])
  if status == 200 and v then
    table.insert(inference, v)
    table.insert(overhead, done_at - sent_at - v)
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local all, own = {}, {}
  local bad = 0
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("inference")) do table.insert(all, v) end
    for _, v in ipairs(t:get("overhead")) do table.insert(own, v) end
    bad = bad + t:get("errors")
  end
  table.sort(all)
  table.sort(own)
  local median = all[math.floor(#all / 2) + 1] or 0
  local p50 = latency:percentile(50) / 1000
  local function q(p) return all[math.max(1, math.floor(#all * p))] or 0 end
  io.write(string.format("WRK_INFERENCE p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", q(0.9), q(0.99), all[#all] or 0))
  io.write(string.format("WRK requests=%d errors=%d p50_ms=%.3f p99_ms=%.3f inference_p50_ms=%.3f overhead_p50_ms=%.3f"
    .. " per_request_overhead_p50_ms=%.3f\n", summary.requests, bad, p50, latency:percentile(99) / 1000, median,
    p50 - median, own[math.floor(#own / 2) + 1] or 0))
end
