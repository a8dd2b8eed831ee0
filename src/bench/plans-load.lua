-- wrk script: POST the plan request in $PLAN_BODY_FILE, count non-201 answers, report p50/p99.
local f = assert(io.open(os.getenv("PLAN_BODY_FILE"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local errors = 0
function response(status, headers, body)
  if status ~= 201 then errors = errors + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("plans: %d in %.1f s = %.0f plans/s\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-201 answers: %d, socket errors: %d\n", errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
