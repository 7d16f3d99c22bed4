-- wrk script of bench/router-overhead.sh: POSTs one short chat completion for model "m", plain or, with the
-- argument "stream" (wrk ... URL -- stream), streamed with usage asked for. done() prints one line,
--   result requests N seconds S p50_us P p99_us P errors E
-- latencies from wrk's own histogram (microseconds, to the whole answer: a stream's last byte), errors counting
-- failed connections, reads, writes, timeouts and answers with a status of 400 or more.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  local stream = args[1] == "stream"
  wrk.body = '{"model":"m","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16'
    .. (stream and ',"stream":true,"stream_options":{"include_usage":true}}' or '}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("result requests %d seconds %.3f p50_us %d p99_us %d errors %d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
  if e.connect + e.read + e.write + e.timeout + e.status > 0 then
    io.stderr:write(string.format("errors: connect %d, read %d, write %d, timeout %d, status %d\n",
      e.connect, e.read, e.write, e.timeout, e.status))
  end
end
