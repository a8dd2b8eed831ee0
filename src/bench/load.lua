-- wrk script for src/bench/load.sh. MODE=plans: only POST /api/v1/plans (20 devices x 12 blocks).
-- MODE=mixed: 30% plans, 40% GET a device, 20% list devices by label, 10% GET a stored plan.
-- Counts answers other than 200/201 and reports p50/p99.
local function read(path)
  local f = assert(io.open(path, "r")); local s = f:read("*a"); f:close(); return s
end
local body = read(os.getenv("PLAN_BODY_FILE"))
local key = os.getenv("API_KEY")
local mode = os.getenv("MODE") or "plans"
local plan_id = os.getenv("PLAN_ID") or ""
local headers = {["Content-Type"] = "application/json", ["X-API-Key"] = key}
local counter = 0

request = function()
  counter = counter + 1
  local pick = mode == "plans" and 0 or (counter * 7919) % 10
  if pick < 3 then
    return wrk.format("POST", "/api/v1/plans", headers, body)
  elseif pick < 7 then
    return wrk.format("GET", "/api/v1/devices/edge-" .. string.format("%02d", counter % 20), headers)
  elseif pick < 9 then
    return wrk.format("GET", "/api/v1/devices?labelSelector=zone%3Dbench&size=20", headers)
  else
    return wrk.format("GET", "/api/v1/plans/" .. plan_id, headers)
  end
end

local errors = 0
response = function(status, hdrs, b)
  if status ~= 200 and status ~= 201 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f/s\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors: %d non-2xx answers, %d socket errors\n", errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
