--[[
includes/returnToLane.lua: the steps release and an expired lease share.

laneIndex(names, lane, caseId): the position of `lane` in the
comma-separated lane names (the order the script's lane keys come in KEYS);
an unknown lane is an error (raised before the script writes anything).

returnToLane(caseKey, caseId, leasesKey, dirtyKey, laneKey, laneAgeKey,
score, enqueuedAt): a claimed case back to open on its lane, with its score
and the age it had when it was claimed; the lease ends, the revision rises
and the case is marked for the mirror. Every key is one of the script's KEYS.
]]
local function laneIndex(names, lane, caseId)
  local i = 0
  for name in string.gmatch(names, '[^,]+') do
    i = i + 1
    if name == lane then
      return i
    end
  end
  error('case ' .. caseId .. ' is on an unknown lane')
end

local function returnToLane(caseKey, caseId, leasesKey, dirtyKey, laneKey, laneAgeKey, score, enqueuedAt)
  redis.call('HSET', caseKey, 'status', 'open')
  redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
  redis.call('HINCRBY', caseKey, 'rev', 1)
  redis.call('ZREM', leasesKey, caseId)
  redis.call('ZADD', laneKey, score, caseId)
  redis.call('ZADD', laneAgeKey, enqueuedAt, caseId)
  redis.call('SADD', dirtyKey, caseId)
end
