--[[
decide-11.lua: records a moderator's decision on a case they hold, atomically
with the end of the lease, the outbox entry the actions worker drains, the
decision counters and the audit event.

KEYS[1]  the case hash
KEYS[2]  the case's decisions list
KEYS[3]  the decision hash (for ARGV[5])
KEYS[4]  claimed cases by lease expiry
KEYS[5]  the lane an escalation goes to (ARGV[11])
KEYS[6]  that lane's age set
KEYS[7]  the outbox (decisions recorded, not yet applied)
KEYS[8]  decision counts by action (every case)
KEYS[9]  decision counts by action outside csam
KEYS[10] cases changed since they were mirrored (set)
KEYS[11] the audit stream
ARGV[1]  case id
ARGV[2]  lease token
ARGV[3]  now, epoch ms
ARGV[4]  moderator id
ARGV[5]  decision id
ARGV[6]  decision JSON (object of string values), stored as the decision hash
ARGV[7]  action: remove | keep | escalate | restrict | label
ARGV[8]  case fields JSON (object of string values) to set
ARGV[9]  lane score for an escalated case
ARGV[10] audit event JSON
ARGV[11] lane an escalation goes to ("escalated", or "csam" for a case restricted to the grant)
ARGV[12] the case's lane as the caller read it
ARGV[13] the case's category as the caller read it
ARGV[14] JSON array of identities the moderator acted under before (former
         "role:name" actors of a migrated token); may be "[]"
ARGV[15] "1" when the caller found the case restricted as csam (isCsamCase),
         "0" otherwise

Every decision, escalations included, gets the case's next decision
sequence number (HINCRBY on the case's decisionSeq field, stored as the
decision's seq field): the order the actions worker applies decisions in,
whatever order their jobs run in.

escalate puts the case on the ARGV[11] lane, open, with no outbox entry;
every other action closes the case and puts the decision in the outbox.
The caller checked the decision against the case's lane and category (a
decision never moves a case across the csam line); ARGV[12] and ARGV[13]
make sure they still hold.

Every decision is counted by action in KEYS[8]; a decision on a
case that is not csam (ARGV[15] "0", lane and category not csam) is also
counted in KEYS[9], the figures shown without the
csam grant.

Returns: {1, "ok", seq} (seq: the decision's sequence number); {0, "lease"} not claimed with this token or the lease
expired; {0, "same_moderator"} an appeal decided by its original decider
(the same person: ARGV[4], or one of ARGV[14]);
{0, "move_pending"} a category move awaits confirmation; {0, "changed"} the
lane or category changed since the caller read them.
]]
local caseId = ARGV[1]
local caseKey = KEYS[1]
local c = redis.call('HMGET', caseKey, 'status', 'leaseToken', 'leaseExpiresAt', 'originalDecider', 'categoryMove', 'lane', 'category')
if c[1] ~= 'claimed' or c[2] ~= ARGV[2] or tonumber(c[3]) <= tonumber(ARGV[3]) then
  return {0, 'lease'}
end
if c[4] then
  if c[4] == ARGV[4] then
    return {0, 'same_moderator'}
  end
  for _, former in ipairs(cjson.decode(ARGV[14] or '[]')) do
    if c[4] == former then
      return {0, 'same_moderator'}
    end
  end
end
if c[5] then
  return {0, 'move_pending'}
end
if c[6] ~= ARGV[12] or c[7] ~= ARGV[13] then
  return {0, 'changed'}
end

local dkey = KEYS[3]
for k, v in pairs(cjson.decode(ARGV[6])) do
  redis.call('HSET', dkey, k, v)
end
local seq = redis.call('HINCRBY', caseKey, 'decisionSeq', 1)
redis.call('HSET', dkey, 'seq', seq)
redis.call('RPUSH', KEYS[2], ARGV[5])
for k, v in pairs(cjson.decode(ARGV[8])) do
  redis.call('HSET', caseKey, k, v)
end
redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('ZREM', KEYS[4], caseId)

if ARGV[7] == 'escalate' then
  redis.call('HSET', caseKey, 'status', 'open', 'lane', ARGV[11], 'score', ARGV[9], 'enqueuedAt', ARGV[3])
  redis.call('ZADD', KEYS[5], ARGV[9], caseId)
  redis.call('ZADD', KEYS[6], ARGV[3], caseId)
else
  redis.call('HSET', caseKey, 'status', 'decided')
  redis.call('HDEL', caseKey, 'originalDecider', 'appealOf')
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[5])
end
redis.call('HINCRBY', KEYS[8], ARGV[7], 1)
if ARGV[15] ~= '1' and c[6] ~= 'csam' and c[7] ~= 'csam' then
  redis.call('HINCRBY', KEYS[9], ARGV[7], 1)
end
redis.call('SADD', KEYS[10], caseId)
redis.call('XADD', KEYS[11], '*', 'event', ARGV[10])
return {1, 'ok', seq}
