--[[
fold-report-18.lua: folds one report into the case for its content id (one
case per content id), atomically with its audit event.

All keys are in the case's shard (one hash tag), so the script stays on
one Redis Cluster slot.
Fields come as flat name/value lists, not JSON: decoding JSON in Lua cost
more than all the writes together.

KEYS[1]  the case hash
KEYS[2]  the case's reports (hash: report id -> report JSON)
KEYS[3]  the cases index (sorted set: case id scored by its last report)
KEYS[4]  the case's decisions list
KEYS[5]  the auto decision hash (ARGV[11]; any key of the shard when there is none: untouched)
KEYS[6]  the outbox (decisions recorded, not yet applied)
KEYS[7]  decision counts by action (every case)
KEYS[8]  decision counts by action outside csam
KEYS[9]  cases changed since they were mirrored (set)
KEYS[10] the audit stream
KEYS[11..14]  the lanes named in ARGV[1], in that order
KEYS[15..18]  their age sets, same order
ARGV[1]  the lane names, comma-separated (ARGV[10] and the case's lane field are among them)
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
ARGV[12] auto decision action (counted in KEYS[7]; also in KEYS[8] unless the case's lane is csam or
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
local laneIndex = {}
do
  local i = 0
  for name in string.gmatch(ARGV[1], '[^,]+') do
    i = i + 1
    laneIndex[name] = i
  end
end
-- The lane sets of a lane name; an unknown name is an error, never a stray key.
local function laneKeys(name)
  local i = laneIndex[name]
  if not i then
    error('unknown lane ' .. tostring(name))
  end
  return KEYS[10 + i], KEYS[14 + i]
end

local caseId = ARGV[2]
local caseKey = KEYS[1]
local reportsKey = KEYS[2]

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
-- Checked before any write: a script that fails half-way keeps its writes.
if oldLane then laneKeys(oldLane) end
if ARGV[6] == 'enqueue' then laneKeys(ARGV[10]) end

local n = tonumber(ARGV[13])
local m = tonumber(ARGV[14])
local newRev = tonumber(rev) + 1
redis.call('HSET', caseKey, 'rev', newRev, unpack(ARGV, 15, 14 + 2 * n))
redis.call('HSET', reportsKey, ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[8], caseId)

local mode = ARGV[6]
local lane = ARGV[10]
if mode == 'enqueue' then
  if oldLane and oldLane ~= lane then
    local oldKey, oldAgeKey = laneKeys(oldLane)
    redis.call('ZREM', oldKey, caseId)
    redis.call('ZREM', oldAgeKey, caseId)
  end
  local laneKey, laneAgeKey = laneKeys(lane)
  redis.call('ZADD', laneKey, ARGV[7], caseId)
  redis.call('ZADD', laneAgeKey, 'NX', ARGV[8], caseId)
  redis.call('HSET', caseKey, 'score', ARGV[7], 'status', 'open')
elseif mode == 'requeue-score' then
  redis.call('HSET', caseKey, 'score', ARGV[7])
  if status == 'open' and oldLane then
    local oldKey = laneKeys(oldLane)
    redis.call('ZADD', oldKey, 'XX', ARGV[7], caseId)
  end
end

if ARGV[11] ~= '' then
  local first = 15 + 2 * n
  local seq = redis.call('HINCRBY', caseKey, 'decisionSeq', 1)
  redis.call('HSET', KEYS[5], 'seq', seq, unpack(ARGV, first, first + 2 * m - 1))
  redis.call('RPUSH', KEYS[4], ARGV[11])
  redis.call('ZADD', KEYS[6], ARGV[8], ARGV[11])
  redis.call('HINCRBY', KEYS[7], ARGV[12], 1)
  local csam = lane == 'csam'
  for i = first, first + 2 * m - 1, 2 do
    if ARGV[i] == 'category' and ARGV[i + 1] == 'csam' then
      csam = true
    end
  end
  if not csam then
    redis.call('HINCRBY', KEYS[8], ARGV[12], 1)
  end
end

redis.call('SADD', KEYS[9], caseId)
redis.call('XADD', KEYS[10], '*', 'event', ARGV[9])
return {1, newRev}
