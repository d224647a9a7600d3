--[[
decide.lua: records a moderator's decision on a case they hold, atomically
with the end of the lease, the outbox entry the actions worker drains, the
decision counters and the audit event.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  case id
ARGV[3]  lease token
ARGV[4]  now, epoch ms
ARGV[5]  moderator id
ARGV[6]  decision id
ARGV[7]  decision JSON (object of string values), stored as the decision hash
ARGV[8]  action: remove | keep | escalate | restrict | label
ARGV[9]  case fields JSON (object of string values) to set
ARGV[10] lane score for an escalated case
ARGV[11] audit event JSON
ARGV[12] lane an escalation goes to ("escalated", or "csam" for a case restricted to the grant)
ARGV[13] the case's lane as the caller read it
ARGV[14] the case's category as the caller read it
ARGV[15] JSON array of identities the moderator acted under before (former
         "role:name" actors of a migrated token); may be "[]"
ARGV[16] "1" when the caller found the case restricted as csam (isCsamCase),
         "0" otherwise

Every decision, escalations included, gets the case's next decision
sequence number (HINCRBY on the case's decisionSeq field, stored as the
decision's seq field): the order the actions worker applies decisions in,
whatever order their jobs run in.

escalate puts the case on the ARGV[12] lane, open, with no outbox entry;
every other action closes the case and puts the decision in the outbox.
The caller checked the decision against the case's lane and category (a
decision never moves a case across the csam line); ARGV[13] and ARGV[14]
make sure they still hold.

Every decision is counted by action in metrics:decisions; a decision on a
case that is not csam (ARGV[16] "0", lane and category not csam) is also
counted in metrics:decisions:outside-csam, the figures shown without the
csam grant.

Returns: {1, "ok", seq} (seq: the decision's sequence number); {0, "lease"} not claimed with this token or the lease
expired; {0, "same_moderator"} an appeal decided by its original decider
(the same person: ARGV[5], or one of ARGV[15]);
{0, "move_pending"} a category move awaits confirmation; {0, "changed"} the
lane or category changed since the caller read them.
]]
local p = ARGV[1]
local caseId = ARGV[2]
local caseKey = p .. ':case:' .. caseId
local c = redis.call('HMGET', caseKey, 'status', 'leaseToken', 'leaseExpiresAt', 'originalDecider', 'categoryMove', 'lane', 'category')
if c[1] ~= 'claimed' or c[2] ~= ARGV[3] or tonumber(c[3]) <= tonumber(ARGV[4]) then
  return {0, 'lease'}
end
if c[4] then
  if c[4] == ARGV[5] then
    return {0, 'same_moderator'}
  end
  for _, former in ipairs(cjson.decode(ARGV[15] or '[]')) do
    if c[4] == former then
      return {0, 'same_moderator'}
    end
  end
end
if c[5] then
  return {0, 'move_pending'}
end
if c[6] ~= ARGV[13] or c[7] ~= ARGV[14] then
  return {0, 'changed'}
end

local dkey = p .. ':decision:' .. ARGV[6]
for k, v in pairs(cjson.decode(ARGV[7])) do
  redis.call('HSET', dkey, k, v)
end
local seq = redis.call('HINCRBY', caseKey, 'decisionSeq', 1)
redis.call('HSET', dkey, 'seq', seq)
redis.call('RPUSH', caseKey .. ':decisions', ARGV[6])
for k, v in pairs(cjson.decode(ARGV[9])) do
  redis.call('HSET', caseKey, k, v)
end
redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('ZREM', p .. ':leases', caseId)

if ARGV[8] == 'escalate' then
  redis.call('HSET', caseKey, 'status', 'open', 'lane', ARGV[12], 'score', ARGV[10], 'enqueuedAt', ARGV[4])
  redis.call('ZADD', p .. ':lane:' .. ARGV[12], ARGV[10], caseId)
  redis.call('ZADD', p .. ':lane-age:' .. ARGV[12], ARGV[4], caseId)
else
  redis.call('HSET', caseKey, 'status', 'decided')
  redis.call('HDEL', caseKey, 'originalDecider', 'appealOf')
  redis.call('ZADD', p .. ':outbox', ARGV[4], ARGV[6])
end
redis.call('HINCRBY', p .. ':metrics:decisions', ARGV[8], 1)
if ARGV[16] ~= '1' and c[6] ~= 'csam' and c[7] ~= 'csam' then
  redis.call('HINCRBY', p .. ':metrics:decisions:outside-csam', ARGV[8], 1)
end
redis.call('SADD', p .. ':dirty', caseId)
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[11])
return {1, 'ok', seq}
