--[[
fold-report.lua: folds one report into the case for its content id (one
case per content id), atomically with its audit event.

All keys share the {prefix} hash tag, so the script stays on one Redis
Cluster slot; they are named from ARGV[1] (the moderation key prefix).

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix, e.g. "{takedown}:mod"
ARGV[2]  case id
ARGV[3]  report id
ARGV[4]  report JSON (stored as is)
ARGV[5]  expected case revision ("0" for a new case): compare-and-set
ARGV[6]  case fields JSON (object of string values) to write
ARGV[7]  "enqueue" | "attach" | "requeue-score" (see below)
ARGV[8]  lane score (priority-major, then age)
ARGV[9]  now, epoch ms
ARGV[10] audit event JSON
ARGV[11] auto decision JSON ("" when none): recorded and put in the outbox
ARGV[12] auto decision id ("" when none)

enqueue:        the case is (re)opened: put it on its lane with the score
attach:         the report joins the history only (decided case)
requeue-score:  the case stays where it is; if it sits on a lane, its score
                is updated (a claimed case keeps the score for its return)

Returns: {1, newRev} folded; {0, "duplicate"} the report id was seen;
         {-1, currentRev} the revision moved (caller re-reads and retries).
]]
local p = ARGV[1]
local caseKey = p .. ':case:' .. ARGV[2]
local reportsKey = caseKey .. ':reports'

if redis.call('HEXISTS', reportsKey, ARGV[3]) == 1 then
  return {0, 'duplicate'}
end
local rev = redis.call('HGET', caseKey, 'rev') or '0'
if rev ~= ARGV[5] then
  return {-1, rev}
end

local fields = cjson.decode(ARGV[6])
local oldLane = redis.call('HGET', caseKey, 'lane')
local status = redis.call('HGET', caseKey, 'status')
for k, v in pairs(fields) do
  redis.call('HSET', caseKey, k, v)
end
local newRev = tonumber(rev) + 1
redis.call('HSET', caseKey, 'rev', newRev)
redis.call('HSET', reportsKey, ARGV[3], ARGV[4])
redis.call('ZADD', p .. ':cases', ARGV[9], ARGV[2])

local mode = ARGV[7]
local lane = fields['lane'] or oldLane
if mode == 'enqueue' then
  if oldLane and oldLane ~= lane then
    redis.call('ZREM', p .. ':lane:' .. oldLane, ARGV[2])
    redis.call('ZREM', p .. ':lane-age:' .. oldLane, ARGV[2])
  end
  redis.call('ZADD', p .. ':lane:' .. lane, ARGV[8], ARGV[2])
  redis.call('ZADD', p .. ':lane-age:' .. lane, 'NX', ARGV[9], ARGV[2])
  redis.call('HSET', caseKey, 'score', ARGV[8], 'status', 'open')
elseif mode == 'requeue-score' then
  redis.call('HSET', caseKey, 'score', ARGV[8])
  if status == 'open' and oldLane then
    redis.call('ZADD', p .. ':lane:' .. oldLane, 'XX', ARGV[8], ARGV[2])
  end
end

if ARGV[12] ~= '' then
  local d = cjson.decode(ARGV[11])
  local dkey = p .. ':decision:' .. ARGV[12]
  for k, v in pairs(d) do
    redis.call('HSET', dkey, k, v)
  end
  redis.call('RPUSH', caseKey .. ':decisions', ARGV[12])
  redis.call('ZADD', p .. ':outbox', ARGV[9], ARGV[12])
  redis.call('HINCRBY', p .. ':metrics:decisions', d['action'], 1)
end

redis.call('SADD', p .. ':dirty', ARGV[2])
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[10])
return {1, newRev}
