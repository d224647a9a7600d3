--[[
fold-report.lua: folds one report into the case for its content id (one
case per content id), atomically with its audit event.

All keys share the {prefix} hash tag, so the script stays on one Redis
Cluster slot; they are named from ARGV[1] (the moderation key prefix).
Fields come as flat name/value lists, not JSON: decoding JSON in Lua cost
more than all the writes together.

KEYS: none declared (all derived from ARGV[1], same hash slot)
ARGV[1]  moderation key prefix, e.g. "{takedown}:mod"
ARGV[2]  case id
ARGV[3]  report id
ARGV[4]  report JSON (stored as is)
ARGV[5]  expected case revision ("0" for a new case): compare-and-set
ARGV[6]  "enqueue" | "attach" | "requeue-score" (see below)
ARGV[7]  lane score (priority-major, then age)
ARGV[8]  now, epoch ms
ARGV[9]  audit event JSON
ARGV[10] the case's lane after this report
ARGV[11] auto decision id ("" when none): recorded with the case's next
         decision sequence number (the decisionSeq field of the case, kept
         as the decision's seq field, shared with decide.lua) and put in
         the outbox
ARGV[12] auto decision action (counted in the decision metrics; also in
         metrics:decisions:outside-csam unless the case's lane is csam or
         the decision's category is csam)
ARGV[13] N: number of case field name/value pairs that follow
ARGV[14] M: number of decision field name/value pairs after those
ARGV[15 .. 14+2N]          case fields: name, value, name, value, ...
ARGV[15+2N .. 14+2N+2M]    auto decision fields, same shape

enqueue:        the case is (re)opened: put it on its lane with the score
attach:         the report joins the history only (decided case)
requeue-score:  the case stays where it is; if it waits on a lane, its
                score is updated (a claimed case keeps the score for its return)

Returns: {1, newRev} folded; {0, "duplicate"} the report id was seen;
         {-1, flat HGETALL of the case} the revision moved: the caller
         recomputes from this state and retries.
]]
local p = ARGV[1]
local caseId = ARGV[2]
local caseKey = p .. ':case:' .. caseId
local reportsKey = caseKey .. ':reports'

if redis.call('HEXISTS', reportsKey, ARGV[3]) == 1 then
  return {0, 'duplicate'}
end
local state = redis.call('HMGET', caseKey, 'rev', 'lane', 'status')
local rev = state[1] or '0'
if rev ~= ARGV[5] then
  return {-1, redis.call('HGETALL', caseKey)}
end
local oldLane = state[2]
local status = state[3]

local n = tonumber(ARGV[13])
local m = tonumber(ARGV[14])
local newRev = tonumber(rev) + 1
redis.call('HSET', caseKey, 'rev', newRev, unpack(ARGV, 15, 14 + 2 * n))
redis.call('HSET', reportsKey, ARGV[3], ARGV[4])
redis.call('ZADD', p .. ':cases', ARGV[8], caseId)

local mode = ARGV[6]
local lane = ARGV[10]
if mode == 'enqueue' then
  if oldLane and oldLane ~= lane then
    redis.call('ZREM', p .. ':lane:' .. oldLane, caseId)
    redis.call('ZREM', p .. ':lane-age:' .. oldLane, caseId)
  end
  redis.call('ZADD', p .. ':lane:' .. lane, ARGV[7], caseId)
  redis.call('ZADD', p .. ':lane-age:' .. lane, 'NX', ARGV[8], caseId)
  redis.call('HSET', caseKey, 'score', ARGV[7], 'status', 'open')
elseif mode == 'requeue-score' then
  redis.call('HSET', caseKey, 'score', ARGV[7])
  if status == 'open' and oldLane then
    redis.call('ZADD', p .. ':lane:' .. oldLane, 'XX', ARGV[7], caseId)
  end
end

if ARGV[11] ~= '' then
  local first = 15 + 2 * n
  local seq = redis.call('HINCRBY', caseKey, 'decisionSeq', 1)
  redis.call('HSET', p .. ':decision:' .. ARGV[11], 'seq', seq, unpack(ARGV, first, first + 2 * m - 1))
  redis.call('RPUSH', caseKey .. ':decisions', ARGV[11])
  redis.call('ZADD', p .. ':outbox', ARGV[8], ARGV[11])
  redis.call('HINCRBY', p .. ':metrics:decisions', ARGV[12], 1)
  local csam = lane == 'csam'
  for i = first, first + 2 * m - 1, 2 do
    if ARGV[i] == 'category' and ARGV[i + 1] == 'csam' then
      csam = true
    end
  end
  if not csam then
    redis.call('HINCRBY', p .. ':metrics:decisions:outside-csam', ARGV[12], 1)
  end
end

redis.call('SADD', p .. ':dirty', caseId)
redis.call('XADD', p .. ':audit', '*', 'event', ARGV[9])
return {1, newRev}
