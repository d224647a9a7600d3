--[[
heartbeat-2.lua: extends a live lease held with the given token.

KEYS[1]  the case hash
KEYS[2]  claimed cases by lease expiry
ARGV[1]  case id
ARGV[2]  lease token
ARGV[3]  now, epoch ms
ARGV[4]  lease duration, ms

Returns: new expiry (epoch ms) as a string; 0 when the case is not claimed
with this token or the lease has already expired (the caller answers 409).
]]
local c = redis.call('HMGET', KEYS[1], 'status', 'leaseToken', 'leaseExpiresAt')
if c[1] ~= 'claimed' or c[2] ~= ARGV[2] or tonumber(c[3]) <= tonumber(ARGV[3]) then
  return 0
end
local expiresAt = tonumber(ARGV[3]) + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'leaseExpiresAt', expiresAt)
redis.call('ZADD', KEYS[2], expiresAt, ARGV[1])
return tostring(expiresAt)
