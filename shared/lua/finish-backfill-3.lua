--[[
finish-backfill-3.lua: records that the backfill of one ruleset version ended,
atomically, so a publish that lands meanwhile never loses its entries.
The backfill has counted no document left untagged that the listed pending
rules match, so those entries leave the pending set (the search stops
filtering with them at query time), but only if each is still what the
backfill read before that count: an entry a publish re-marked meanwhile
("publishing", or a newer version) stays, and so does any entry not listed.
The watermark rises to the version (never falls), and in-flight rules up to
that version leave the in-flight set.

KEYS[1]  backfill watermark (string: the version every scanned document is tagged for)
KEYS[2]  in-flight rules (hash: rule id -> version of the backfill re-tagging it)
KEYS[3]  pending rules the search filters with (hash: rule id -> version, or "publishing")
ARGV[1]  the version whose backfill ended
ARGV[2], ARGV[3], ...  pairs: a pending rule id the count covered, the value its entry had before the count

Returns: 1 the watermark rose; 0 it was already at or past this version.
]]
local v = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local at = tonumber(all[i + 1])
  if at and at <= v then redis.call('HDEL', KEYS[2], all[i]) end
end
for i = 2, #ARGV - 1, 2 do
  if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[3], ARGV[i]) end
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= v then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
