--[[
appeal-6.lua: reopens a decided case for review of its latest decision by
someone other than the moderator who made it.

KEYS[1]  the case hash
KEYS[2]  the case's appeals list
KEYS[3]  the lane the case goes to (ARGV[3]: "appeals", or "csam" for abuse material)
KEYS[4]  that lane's age set
KEYS[5]  cases changed since they were mirrored (set)
KEYS[6]  the audit stream
ARGV[1]  case id
ARGV[2]  decision id being appealed
ARGV[3]  name of the lane it goes to (the case's lane field)
ARGV[4]  lane score
ARGV[5]  now, epoch ms
ARGV[6]  appeal JSON (stored in the case's appeals list)
ARGV[7]  audit event JSON

Returns: {1, "ok"}; {0, "not_found"} no such case; {0, "not_latest"} the
decision is not the case's latest; {0, "not_decided"} the case is open or
already under appeal; {0, "not_appealable"} an escalation is not a decision.
]]
local caseKey = KEYS[1]
local caseId = ARGV[1]
local c = redis.call('HMGET', caseKey, 'status', 'lastDecisionId', 'lastAction', 'decidedBy')
if not c[1] then
  return {0, 'not_found'}
end
if c[2] ~= ARGV[2] then
  return {0, 'not_latest'}
end
if c[1] ~= 'decided' then
  return {0, 'not_decided'}
end
if c[3] == 'escalate' then
  return {0, 'not_appealable'}
end
redis.call('HSET', caseKey, 'status', 'open', 'lane', ARGV[3], 'score', ARGV[4], 'appealOf', ARGV[2],
  'originalDecider', c[4], 'enqueuedAt', ARGV[5])
redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[4], caseId)
redis.call('ZADD', KEYS[4], ARGV[5], caseId)
redis.call('SADD', KEYS[5], caseId)
redis.call('XADD', KEYS[6], '*', 'event', ARGV[7])
return {1, 'ok'}
