-- wrk script for bench/vitals-throughput.ts: POSTs a plausible vitals set to the sessions
-- listed in BENCH_SESSIONS (comma-separated), round-robin, with the nurse's session cookie
-- from BENCH_COOKIE (or BENCH_COOKIES, below). Each request carries the current time, as a bedside device would.
-- done() prints one JSON line with the figures the benchmark records.
local sessions = {}
for id in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "[^,]+") do sessions[#sessions + 1] = id end
local cookie = os.getenv("BENCH_COOKIE") or ""
-- BENCH_COOKIES ("|"-separated, one per session, in BENCH_SESSIONS' order) when the sessions
-- belong to several clinics: each is charted by a nurse of its own clinic
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do cookies[#cookies + 1] = c end
local n = 0

function request()
  n = n + 1
  local k = (n % #sessions) + 1
  local id = sessions[k]
  local cookie = cookies[k] or cookie
  local body = string.format(
    '{"at":"%s","systolicMmHg":%d,"diastolicMmHg":76,"heartRatePerMin":72,"spo2Pct":98,"respRatePerMin":14}',
    os.date("!%Y-%m-%dT%H:%M:%S.000Z"), 118 + (n % 10))
  return wrk.format("POST", "/api/sessions/" .. id .. "/vitals",
    { ["content-type"] = "application/json", ["cookie"] = cookie }, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, summary.errors.status, errors,
    latency:percentile(50), latency:percentile(99), latency.max))
end
