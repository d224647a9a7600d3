--[[
reap-leases.lua: returns cases whose lease has expired to their lane, so a
moderator who went away never holds a case for ever.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  now, epoch ms
ARGV[3]  at most this many cases per call
ARGV[4]  audit timestamp (ISO 8601)

Returns: the number of cases returned to their lanes.
]]
local p = ARGV[1]
local expired = redis.call('ZRANGEBYSCORE', p .. ':leases', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, caseId in ipairs(expired) do
  local caseKey = p .. ':case:' .. caseId
  local c = redis.call('HMGET', caseKey, 'status', 'lane', 'score', 'leaseHolder', 'enqueuedAt')
  redis.call('ZREM', p .. ':leases', caseId)
  if c[1] == 'claimed' then
    redis.call('HSET', caseKey, 'status', 'open')
    redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
    redis.call('HINCRBY', caseKey, 'rev', 1)
    redis.call('ZADD', p .. ':lane:' .. c[2], c[3], caseId)
    redis.call('ZADD', p .. ':lane-age:' .. c[2], c[5] or ARGV[2], caseId)
    redis.call('SADD', p .. ':dirty', caseId)
    redis.call('XADD', p .. ':audit', '*', 'event', cjson.encode({
      type = 'lease.expired', actor = 'system', at = ARGV[4], caseId = caseId,
      data = { holder = c[4], lane = c[2] },
    }))
  end
end
return #expired
