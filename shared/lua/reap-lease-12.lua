--[[
reap-lease-12.lua: returns one case whose lease has expired to its lane, so
a moderator who went away never holds a case for ever. The caller found the
case id among the expired leases (ZRANGEBYSCORE); the expiry is checked
again here, atomically, since a heartbeat may have extended it meanwhile.

KEYS[1]  the case hash
KEYS[2]  claimed cases by lease expiry
KEYS[3]  cases changed since they were mirrored (set)
KEYS[4]  the audit stream
KEYS[5..8]   the lanes named in ARGV[1], in that order
KEYS[9..12]  their age sets, same order
ARGV[1]  the lane names, comma-separated (the case's lane field is one of them)
ARGV[2]  case id
ARGV[3]  now, epoch ms
ARGV[4]  audit timestamp (ISO 8601)

Returns: 1 the case went back to its lane; 0 its lease is live (or the
entry was stale and is dropped: the case was no longer claimed).
]]
--- @include "includes/returnToLane"

local caseKey = KEYS[1]
local caseId = ARGV[2]
local expires = redis.call('ZSCORE', KEYS[2], caseId)
if not expires or tonumber(expires) > tonumber(ARGV[3]) then
  return 0
end
local c = redis.call('HMGET', caseKey, 'status', 'lane', 'score', 'leaseHolder', 'enqueuedAt')
if c[1] ~= 'claimed' then
  redis.call('ZREM', KEYS[2], caseId)
  return 0
end
local lane = laneIndex(ARGV[1], c[2], caseId)
returnToLane(caseKey, caseId, KEYS[2], KEYS[3], KEYS[4 + lane], KEYS[8 + lane], c[3], c[5] or ARGV[3])
redis.call('XADD', KEYS[4], '*', 'event', cjson.encode({
  type = 'lease.expired', actor = 'system', at = ARGV[4], caseId = caseId,
  data = { holder = c[4], lane = c[2] },
}))
return 1
