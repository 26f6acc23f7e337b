-- wrk script of the soak (bench/soak.mjs): keep-alive load with connection churn, every request
-- path of the example app handler, and a count of every response status.
-- Per 20 requests of a connection's thread: 1 GET / with `Connection: close` (the server answers
-- and closes; wrk reconnects: churn without errors), 3 GET /hello/soak-<n>, 1 POST /echo with a
-- 200-byte JSON body, 1 GET /nope (404, counted, expected), 14 GET /.
-- done() prints one SOAKJSON line: wrk's totals and the status counts of all threads.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Globals, so that done() can read them from each thread with thread:get().
counter = 0
statuses = {}

local host = nil
local body = '{"soak":true,"pad":"' .. string.rep("x", 180) .. '"}'

function init(args)
  host = wrk.headers["Host"]
end

function request()
  counter = counter + 1
  local k = counter % 20
  if k == 0 then
    return wrk.format("GET", "/", { ["Host"] = host, ["Connection"] = "close" })
  elseif k <= 3 then
    return wrk.format("GET", "/hello/soak-" .. counter, { ["Host"] = host })
  elseif k == 4 then
    return wrk.format("POST", "/echo", { ["Host"] = host, ["Content-Type"] = "application/json" }, body)
  elseif k == 5 then
    return wrk.format("GET", "/nope", { ["Host"] = host })
  end
  return wrk.format("GET", "/", { ["Host"] = host })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  local merged = {}
  local generated = 0
  for _, t in ipairs(threads) do
    generated = generated + t:get("counter")
    for status, n in pairs(t:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  io.write(string.format(
    'SOAKJSON {"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"generated":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"statuses":{%s}}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, generated, latency:percentile(50), latency:percentile(99), latency.max,
    table.concat(parts, ",")))
end
