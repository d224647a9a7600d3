--[[
record-action.lua: marks a decision as applied to the content, once. A
replayed actions job finds it applied and changes nothing.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  decision id
ARGV[3]  applied at, epoch ms
ARGV[4]  decision-to-takedown latency, ms
ARGV[5]  histogram bucket upper bounds, comma-separated ms ("+Inf" last)
ARGV[6]  audit event JSON

Returns: 1 recorded now; 0 already recorded (replay).
]]
local p = ARGV[1]
local dkey = p .. ':decision:' .. ARGV[2]
if redis.call('HSETNX', dkey, 'appliedAt', ARGV[3]) == 0 then
  return 0
end
redis.call('ZREM', p .. ':outbox', ARGV[2])
local h = p .. ':metrics:takedown-latency'
local latency = tonumber(ARGV[4])
for bound in string.gmatch(ARGV[5], '[^,]+') do
  if bound == '+Inf' or latency <= tonumber(bound) then
    redis.call('HINCRBY', h, 'le:' .. bound, 1)
  end
end
redis.call('HINCRBYFLOAT', h, 'sum', latency)
redis.call('HINCRBY', h, 'count', 1)
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[6])
return 1
