--[[
heartbeat.lua: extends a live lease held with the given token.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  case id
ARGV[3]  lease token
ARGV[4]  now, epoch ms
ARGV[5]  lease duration, ms

Returns: new expiry (epoch ms) as a string; 0 when the case is not claimed
with this token or the lease has already expired (the caller answers 409).
]]
local p = ARGV[1]
local caseKey = p .. ':case:' .. ARGV[2]
local c = redis.call('HMGET', caseKey, 'status', 'leaseToken', 'leaseExpiresAt')
if c[1] ~= 'claimed' or c[2] ~= ARGV[3] or tonumber(c[3]) <= tonumber(ARGV[4]) then
  return 0
end
local expiresAt = tonumber(ARGV[4]) + tonumber(ARGV[5])
redis.call('HSET', caseKey, 'leaseExpiresAt', expiresAt)
redis.call('ZADD', p .. ':leases', expiresAt, ARGV[2])
return tostring(expiresAt)
