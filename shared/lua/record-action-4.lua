--[[
record-action-4.lua: marks a decision as applied to the content, once. A
replayed actions job finds it applied and changes nothing.

KEYS[1]  the decision hash
KEYS[2]  the outbox (decisions recorded, not yet applied)
KEYS[3]  the decision-to-takedown latency histogram (hash)
KEYS[4]  the audit stream
ARGV[1]  decision id
ARGV[2]  applied at, epoch ms
ARGV[3]  decision-to-takedown latency, ms
ARGV[4]  histogram bucket upper bounds, comma-separated ms ("+Inf" last)
ARGV[5]  audit event JSON

Returns: 1 recorded now; 0 already recorded (replay).
]]
if redis.call('HSETNX', KEYS[1], 'appliedAt', ARGV[2]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
local latency = tonumber(ARGV[3])
for bound in string.gmatch(ARGV[4], '[^,]+') do
  if bound == '+Inf' or latency <= tonumber(bound) then
    redis.call('HINCRBY', KEYS[3], 'le:' .. bound, 1)
  end
end
redis.call('HINCRBYFLOAT', KEYS[3], 'sum', latency)
redis.call('HINCRBY', KEYS[3], 'count', 1)
redis.call('XADD', KEYS[4], '*', 'event', ARGV[5])
return 1
