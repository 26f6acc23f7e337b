-- wrk script of the SIGTERM-under-load run (bench/sigterm-under-load.mjs).
-- Every request carries a unique X-Request-Id (w<thread>-<n>); every response's status, echoed
-- id and Connection header go to one line of $SIGTERM_WRK_DIR/responses-<thread>.txt
-- ("<status> <id> <close|keep>"), so the run can match what wrk received against the service's
-- access log. done() prints the totals as one WRKJSON line, with how many requests each thread
-- generated (wrk calls request() for every request it writes, reconnects included).
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Globals, so that done() can read them from each thread with thread:get().
counter = 0
local out = nil

function init(args)
  out = assert(io.open(os.getenv("SIGTERM_WRK_DIR") .. "/responses-" .. tid .. ".txt", "w"))
  out:setvbuf("full")
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, { ["Host"] = wrk.headers["Host"], ["X-Request-Id"] = "w" .. tid .. "-" .. counter })
end

function response(status, headers, body)
  local id = headers["X-Request-Id"] or headers["x-request-id"] or "-"
  local conn = headers["Connection"] or headers["connection"] or ""
  out:write(status, " ", id, " ", (string.lower(conn) == "close") and "close" or "keep", "\n")
  if string.lower(conn) == "close" then out:flush() end
end

function done(summary, latency, requests)
  local e = summary.errors
  local generated = {}
  for _, t in ipairs(threads) do
    table.insert(generated, tostring(t:get("counter")))
  end
  io.write(string.format(
    'WRKJSON {"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"generated":[%s]}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, table.concat(generated, ",")))
end
