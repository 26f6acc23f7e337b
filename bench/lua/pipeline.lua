-- 16 GET /hello in one write. wrk parses this buffer at start-up, counts the 16 requests, and
-- writes the next batch once all 16 responses are in; it counts every response as a request,
-- so req/s is HTTP requests per second. Its latency is per batch (first byte sent to 16th
-- response complete).
init = function(args)
  local r = {}
  for i = 1, 16 do
    r[i] = wrk.format(nil, "/hello")
  end
  req = table.concat(r)
end

request = function()
  return req
end
