-- wrk script: POST /api/v2/process opening new table_booking conversations (no integration), so
-- what is measured is flowd's own per-message path. With FLOWDECK_TOKEN set it sends
-- "Authorization: Bearer <token>" (for a node started with --tokens).
--   FLOWDECK_TOKEN=... wrk -t1 -c16 -d10s --latency -s bench/wrk/booking.lua http://127.0.0.1:17081
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("FLOWDECK_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  n = n + 1
  local body = string.format(
    '{"tenant_id":"bench","conversation_id":"b-%d-%d","content":{"text":"a table for 2"},' ..
    '"hints":{"force_flow":"table_booking"}}', id, n)
  return wrk.format(nil, "/api/v2/process", nil, body)
end
