--[[
appeal.lua: reopens a decided case for review of its latest decision by
someone other than the moderator who made it.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix
ARGV[2]  case id
ARGV[3]  decision id being appealed
ARGV[4]  lane to put the case on ("appeals", or "csam" for abuse material)
ARGV[5]  lane score
ARGV[6]  now, epoch ms
ARGV[7]  appeal JSON (stored in the case's appeals list)
ARGV[8]  audit event JSON

Returns: {1, "ok"}; {0, "not_found"} no such case; {0, "not_latest"} the
decision is not the case's latest; {0, "not_decided"} the case is open or
already under appeal; {0, "not_appealable"} an escalation is not a decision.
]]
local p = ARGV[1]
local caseId = ARGV[2]
local caseKey = p .. ':case:' .. caseId
local c = redis.call('HMGET', caseKey, 'status', 'lastDecisionId', 'lastAction', 'decidedBy')
if not c[1] then
  return {0, 'not_found'}
end
if c[2] ~= ARGV[3] then
  return {0, 'not_latest'}
end
if c[1] ~= 'decided' then
  return {0, 'not_decided'}
end
if c[3] == 'escalate' then
  return {0, 'not_appealable'}
end
redis.call('HSET', caseKey, 'status', 'open', 'lane', ARGV[4], 'score', ARGV[5], 'appealOf', ARGV[3],
  'originalDecider', c[4], 'enqueuedAt', ARGV[6])
redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('RPUSH', caseKey .. ':appeals', ARGV[7])
redis.call('ZADD', p .. ':lane:' .. ARGV[4], ARGV[5], caseId)
redis.call('ZADD', p .. ':lane-age:' .. ARGV[4], ARGV[6], caseId)
redis.call('SADD', p .. ':dirty', caseId)
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[8])
return {1, 'ok'}
