--[[
finish-backfill.lua: records that the backfill of one ruleset version ended,
atomically, so a publish that lands meanwhile never loses its entries.
Every scanned document is now tagged as that version's content rules say,
so the watermark rises to it (never falls), rules it re-tagged leave the
in-flight set, and the search stops filtering at query time with the rules
pending up to that version.

KEYS[1]  backfill watermark (string: the version every scanned document is tagged for)
KEYS[2]  in-flight rules (hash: rule id -> version of the backfill re-tagging it)
KEYS[3]  pending rules the search filters with (hash: rule id -> version, or "publishing")
ARGV[1]  the version whose backfill ended

Returns: 1 the watermark rose; 0 it was already at or past this version.
]]
local v = tonumber(ARGV[1])
local function dropUpTo(key)
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local at = tonumber(all[i + 1])
    if at and at <= v then redis.call('HDEL', key, all[i]) end
  end
end
dropUpTo(KEYS[2])
dropUpTo(KEYS[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= v then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
