--[[
claim.lua: gives a moderator the highest-priority open case on a lane with
an exclusive lease. Runs atomically, so concurrent claimers never receive
the same case. Cases the moderator may not decide (an appeal of their own
decision) are skipped and stay on the lane.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  lane name
ARGV[3]  moderator id
ARGV[4]  lease token (random, made by the caller)
ARGV[5]  now, epoch ms
ARGV[6]  lease duration, ms
ARGV[7]  how many candidates to look at before giving up
ARGV[8]  audit timestamp (ISO 8601)
ARGV[9]  JSON array of identities the moderator acted under before (former
         "role:name" actors of a migrated token); may be "[]"

Returns: {caseId, expiresAtMs, flat HGETALL of the case} claimed (the
case comes back with the claim, saving the caller a round trip); nil when
the lane has nothing this moderator may take.
]]
local p = ARGV[1]
local laneKey = p .. ':lane:' .. ARGV[2]
local candidates = redis.call('ZRANGE', laneKey, 0, tonumber(ARGV[7]) - 1)
-- The same person under any of their identities: never handed their own appeal.
local me = { [ARGV[3]] = true }
for _, former in ipairs(cjson.decode(ARGV[9] or '[]')) do
  me[former] = true
end
for _, caseId in ipairs(candidates) do
  local caseKey = p .. ':case:' .. caseId
  local c = redis.call('HMGET', caseKey, 'originalDecider', 'status')
  if not (c[1] and me[c[1]]) and c[2] == 'open' then
    local expiresAt = tonumber(ARGV[5]) + tonumber(ARGV[6])
    local enqueuedAt = redis.call('ZSCORE', p .. ':lane-age:' .. ARGV[2], caseId)
    redis.call('ZREM', laneKey, caseId)
    redis.call('ZREM', p .. ':lane-age:' .. ARGV[2], caseId)
    redis.call('HSET', caseKey, 'status', 'claimed', 'leaseToken', ARGV[4], 'leaseHolder', ARGV[3],
      'leaseExpiresAt', expiresAt, 'enqueuedAt', enqueuedAt or ARGV[5])
    redis.call('HINCRBY', caseKey, 'rev', 1)
    redis.call('ZADD', p .. ':leases', expiresAt, caseId)
    redis.call('SADD', p .. ':dirty', caseId)
    redis.call('XADD', p .. ':audit', '*', 'event', cjson.encode({
      type = 'case.claimed', actor = ARGV[3], at = ARGV[8], caseId = caseId,
      data = { lane = ARGV[2], leaseExpiresAt = expiresAt },
    }))
    return {caseId, tostring(expiresAt), redis.call('HGETALL', caseKey)}
  end
end
return nil
