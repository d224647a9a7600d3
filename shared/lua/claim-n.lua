--[[
claim-n.lua: leases to a moderator the first of some candidate cases, taken
in the order given, that is still open on its lane and is not the
moderator's own appeal. Runs atomically, so concurrent claimers never
receive the same case. The caller picks the candidates: the heads of one
shard's lane that rank before any other shard's head (see CaseStore.claim);
when none is left it tries the next shard's.

The number of candidates varies per call, so the file is named -n and the
caller passes the key count: 5 + the number of candidates.

KEYS[1]  the lane (sorted set of open cases) the candidates were read from
KEYS[2]  that lane's age set
KEYS[3]  claimed cases by lease expiry
KEYS[4]  cases changed since they were mirrored (set)
KEYS[5]  the audit stream
KEYS[6..n]  the candidates' case hashes, best first
ARGV[1]  lane name (for the audit event)
ARGV[2]  moderator id
ARGV[3]  lease token (random, made by the caller)
ARGV[4]  now, epoch ms
ARGV[5]  lease duration, ms
ARGV[6]  audit timestamp (ISO 8601)
ARGV[7]  JSON array of identities the moderator acted under before (former
         "role:name" actors of a migrated token); may be "[]"
ARGV[8..n+2]  the candidates' case ids, in the order of KEYS[6..n]

Returns: {1, caseId, expiresAtMs, flat HGETALL of the case} claimed (the
case comes back with the claim, saving the caller a round trip); {0, "none"}
no candidate could be taken (others claimed them, they moved, or they are
this moderator's own appeals, which stay on the lane for others).
]]
-- The same person under any of their identities: never handed their own appeal.
local me = { [ARGV[2]] = true }
for _, former in ipairs(cjson.decode(ARGV[7] or '[]')) do
  me[former] = true
end
for i = 6, #KEYS do
  local caseKey = KEYS[i]
  local caseId = ARGV[i + 2]
  if redis.call('ZSCORE', KEYS[1], caseId) then
    local c = redis.call('HMGET', caseKey, 'originalDecider', 'status')
    if not (c[1] and me[c[1]]) and c[2] == 'open' then
      local expiresAt = tonumber(ARGV[4]) + tonumber(ARGV[5])
      local enqueuedAt = redis.call('ZSCORE', KEYS[2], caseId)
      redis.call('ZREM', KEYS[1], caseId)
      redis.call('ZREM', KEYS[2], caseId)
      redis.call('HSET', caseKey, 'status', 'claimed', 'leaseToken', ARGV[3], 'leaseHolder', ARGV[2],
        'leaseExpiresAt', expiresAt, 'enqueuedAt', enqueuedAt or ARGV[4])
      redis.call('HINCRBY', caseKey, 'rev', 1)
      redis.call('ZADD', KEYS[3], expiresAt, caseId)
      redis.call('SADD', KEYS[4], caseId)
      redis.call('XADD', KEYS[5], '*', 'event', cjson.encode({
        type = 'case.claimed', actor = ARGV[2], at = ARGV[6], caseId = caseId,
        data = { lane = ARGV[1], leaseExpiresAt = expiresAt },
      }))
      return {1, caseId, tostring(expiresAt), redis.call('HGETALL', caseKey)}
    end
  end
end
return {0, 'none'}
