-- Appended to every scenario's script by the harness (wrk takes one -s file): prints the run's
-- totals as one JSON line after wrk's own report. Runs once, after the run: costs nothing per
-- request (a response() callback would make wrk collect every header and body).
-- summary.requests counts responses: for a pipelined batch, one per response.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
