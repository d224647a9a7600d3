--[[
release-12.lua: a moderator hands a claimed case back to its lane undecided.

KEYS[1]  the case hash
KEYS[2]  claimed cases by lease expiry
KEYS[3]  cases changed since they were mirrored (set)
KEYS[4]  the audit stream
KEYS[5..8]   the lanes named in ARGV[1], in that order
KEYS[9..12]  their age sets, same order
ARGV[1]  the lane names, comma-separated (the case's lane field is one of them)
ARGV[2]  case id
ARGV[3]  lease token
ARGV[4]  now, epoch ms
ARGV[5]  audit event JSON

Returns: 1 released; 0 when the case is not claimed with this token or the
lease has expired (the caller answers 409).
]]
--- @include "includes/returnToLane"

local caseKey = KEYS[1]
local caseId = ARGV[2]
local c = redis.call('HMGET', caseKey, 'status', 'leaseToken', 'leaseExpiresAt', 'lane', 'score', 'enqueuedAt')
if c[1] ~= 'claimed' or c[2] ~= ARGV[3] or tonumber(c[3]) <= tonumber(ARGV[4]) then
  return 0
end
local lane = laneIndex(ARGV[1], c[4], caseId)
returnToLane(caseKey, caseId, KEYS[2], KEYS[3], KEYS[4 + lane], KEYS[8 + lane], c[5], c[6] or ARGV[4])
redis.call('XADD', KEYS[4], '*', 'event', ARGV[5])
return 1
