-- wrk script: POST /api/v2/process with the sample order flow's lines. Requests go round-robin
-- over 256 conversations per wrk thread (so connections in flight rarely share one, which the
-- engine would serialise), each conversation replaced by a fresh one after 20 messages; every
-- message has its own idempotency key.
--   wrk -t2 -c32 -d30s -s bench/wrk/process.lua http://127.0.0.1:7080
local lines = { "where is my order?", "it's AB-12345", "where is my order?", "AB-12345" }
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  local slot = n % 256
  local conversation = string.format("wrk-%d-%d-%d", id, slot, math.floor(n / (256 * 20)))
  local body = string.format(
    '{"tenant_id":"bench","conversation_id":"%s","content":{"type":"text","text":"%s"},' ..
    '"idempotency_key":"%d-%d"}', conversation, lines[(math.floor(n / 256) % 4) + 1], id, n)
  return wrk.format(nil, "/api/v2/process", nil, body)
end
