-- wrk script of bench/disconnect-load.sh: POSTs a short chat completion and counts the answers by status; done()
-- prints one line, "statuses: 2xx N, 429 N, 5xx N, other N", summed over wrk's threads.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"stories260K","messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":8}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, limited, server_errors, other = 0, 0, 0, 0
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1
  elseif status == 429 then limited = limited + 1
  elseif status >= 200 and status < 300 then ok = ok + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local sum = { ok = 0, limited = 0, server_errors = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name in pairs(sum) do sum[name] = sum[name] + thread:get(name) end
  end
  io.write(string.format("statuses: 2xx %d, 429 %d, 5xx %d, other %d\n",
    sum.ok, sum.limited, sum.server_errors, sum.other))
end
