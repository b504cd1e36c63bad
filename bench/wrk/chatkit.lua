-- wrk script for the ChatKit protocol: replays the requests of a scenario file, round robin, on POST /api/chatkit.
-- Usage: wrk -t2 -c8 -d10s -s chatkit.lua http://127.0.0.1:PORT -- <requests.tsv> <result.json>
--   requests.tsv: one request a line, "<bearer token>\t<JSON body>" (written by the bench tool).
-- A response counts as failed when its status is not 200 or a streamed body holds an `error` event.
-- done() writes requests/s and latency percentiles (microseconds) as JSON to <result.json>.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  out_path = args[2]
  reqs = {}
  for line in io.lines(file) do
    local tab = line:find("\t", 1, true)
    if tab then
      local token, body = line:sub(1, tab - 1), line:sub(tab + 1)
      reqs[#reqs + 1] = wrk.format("POST", "/api/chatkit",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
    end
  end
  -- every thread starts at a different offset so that threads do not replay the same request at the same time
  idx = (id or 0) * 7919
  bad_status, error_events, ok = 0, 0, 0
end

function request()
  idx = idx + 1
  return reqs[(idx % #reqs) + 1]
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif body and body:find('"type":"error"', 1, true) and body:find("data: ", 1, true) then
    error_events = error_events + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local bad, errs, oks = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad_status") or 0)
    errs = errs + (t:get("error_events") or 0)
    oks = oks + (t:get("ok") or 0)
  end
  local secs = summary.duration / 1e6
  local f = assert(io.open(threads[1]:get("out_path") or "wrk-result.json", "w"))
  f:write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"ok":%d,"bad_status":%d,"error_events":%d,' ..
    '"socket_errors":%d,"timeouts":%d,"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d}}\n',
    summary.requests, secs, summary.requests / secs, oks, bad, errs,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
  f:close()
end
