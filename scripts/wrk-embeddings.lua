-- wrk script of scripts/bench-slo.sh: POST /v1/embeddings, one 16-token sentence on the full sub-network; collects
-- every answer's X-Inference-Ms so the server's own overhead is the client's latency minus the inference.
wrk.method = "POST"
wrk.body = '{"input":"A quick brown fox jumps over the lazy dog near the river bank."}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Subnet"] = "full"

local threads = {}
function setup(thread) table.insert(threads, thread) end

inference = {}
errors = 0
function response(status, headers, body)
  local v = headers["X-Inference-Ms"] or headers["x-inference-ms"]
  if status == 200 and v then table.insert(inference, tonumber(v)) else errors = errors + 1 end
end

function done(summary, latency, requests)
  local all = {}
  local bad = 0
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("inference")) do table.insert(all, v) end
    bad = bad + t:get("errors")
  end
  table.sort(all)
  local median = all[math.floor(#all / 2) + 1] or 0
  local p50 = latency:percentile(50) / 1000
  local function q(p) return all[math.max(1, math.floor(#all * p))] or 0 end
  io.write(string.format("WRK_INFERENCE p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", q(0.9), q(0.99), all[#all] or 0))
  io.write(string.format("WRK requests=%d errors=%d p50_ms=%.3f p99_ms=%.3f inference_p50_ms=%.3f overhead_p50_ms=%.3f\n",
    summary.requests, bad, p50, latency:percentile(99) / 1000, median, p50 - median))
end
