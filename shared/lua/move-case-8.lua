--[[
move-case-8.lua: moves a case to another lane and changes its fields in one
step, compare-and-set on its revision. Category moves across the csam line
use it (request, confirm, reject). An open case changes lanes at once; a
claimed one keeps its lease (its lane field is where release or expiry
returns it) unless the lease is released or ended here; a decided one only
records the lane.

KEYS[1]  the case hash
KEYS[2]  the lane the case is on (sorted set of open cases)
KEYS[3]  that lane's age set
KEYS[4]  the lane it goes to (may be KEYS[2])
KEYS[5]  that lane's age set
KEYS[6]  claimed cases by lease expiry
KEYS[7]  cases changed since they were mirrored to Elasticsearch (set)
KEYS[8]  the audit stream
ARGV[1]  case id
ARGV[2]  the revision the caller read (compare-and-set)
ARGV[3]  name of the lane it goes to (the case's lane field)
ARGV[4]  lease: "" leave any lease alone; "release" the caller's live lease
         (token in ARGV[5]); "end" whoever holds it
ARGV[5]  lease token for "release" ("" otherwise)
ARGV[6]  now, epoch ms
ARGV[7]  audit event JSON
ARGV[8]  N: number of case field name/value pairs that follow
ARGV[9 .. 8+2N]   case fields to set: name, value, ...
ARGV[9+2N ..]     case field names to delete

Returns: {1, newRev, former lease holder or ""} moved; {0, "conflict"} the
revision moved on (the caller reads again and retries); {0, "lease"} no live
lease with the token given.
]]
local caseKey = KEYS[1]
local caseId = ARGV[1]
local now = ARGV[6]
local c = redis.call('HMGET', caseKey, 'rev', 'status', 'leaseToken', 'leaseExpiresAt', 'leaseHolder', 'enqueuedAt')
if not c[1] or c[1] ~= ARGV[2] then
  return {0, 'conflict'}
end
local status = c[2]
if ARGV[4] == 'release' and (status ~= 'claimed' or c[3] ~= ARGV[5] or tonumber(c[4]) <= tonumber(now)) then
  return {0, 'lease'}
end

local holder = ''
local age = nil
if status == 'claimed' and ARGV[4] ~= '' then
  -- Back to open: it rejoins a lane below, with the age it had when claimed.
  holder = c[5] or ''
  redis.call('HDEL', caseKey, 'leaseToken', 'leaseHolder', 'leaseExpiresAt')
  redis.call('HSET', caseKey, 'status', 'open')
  redis.call('ZREM', KEYS[6], caseId)
  status = 'open'
  age = c[6] or now
elseif status == 'open' then
  age = redis.call('ZSCORE', KEYS[3], caseId) or c[6] or now
  redis.call('ZREM', KEYS[2], caseId)
  redis.call('ZREM', KEYS[3], caseId)
end

local n = tonumber(ARGV[8])
if n > 0 then
  redis.call('HSET', caseKey, unpack(ARGV, 9, 8 + 2 * n))
end
for i = 9 + 2 * n, #ARGV do
  redis.call('HDEL', caseKey, ARGV[i])
end
redis.call('HSET', caseKey, 'lane', ARGV[3])
if status == 'open' then
  -- The score after the fields above (a confirmed move carries its new priority's).
  redis.call('ZADD', KEYS[4], redis.call('HGET', caseKey, 'score') or 0, caseId)
  redis.call('ZADD', KEYS[5], age, caseId)
end
local rev = redis.call('HINCRBY', caseKey, 'rev', 1)
redis.call('SADD', KEYS[7], caseId)
redis.call('XADD', KEYS[8], '*', 'event', ARGV[7])
return {1, rev, holder}
