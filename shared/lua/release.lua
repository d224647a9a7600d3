--[[
release.lua: a moderator hands a claimed case back to its lane undecided.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  case id
ARGV[3]  lease token
ARGV[4]  now, epoch ms
ARGV[5]  audit event JSON

Returns: 1 released; 0 when the case is not claimed with this token or the
lease has expired (the caller answers 409).
]]
local p = ARGV[1]
local caseId = ARGV[2]
local caseKey = p .. ':case:' .. caseId
local c = redis.call('HMGET', caseKey, 'status', 'leaseToken', 'leaseExpiresAt', 'lane', 'score', 'enqueuedAt')
if c[1] ~= 'claimed' or c[2] ~= ARGV[3] or tonumber(c[3]) <= tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', caseKey, 'status', 'open')
redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('ZREM', p .. ':leases', caseId)
redis.call('ZADD', p .. ':lane:' .. c[4], c[5], caseId)
redis.call('ZADD', p .. ':lane-age:' .. c[4], c[6] or ARGV[4], caseId)
redis.call('SADD', p .. ':dirty', caseId)
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[5])
return 1
