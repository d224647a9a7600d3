--[[
decision-heads-n.lua: for a batch of cases, where each one's decisions stand:
the fields ingest and the backfill need to keep a decision on a post that is
written again. One call for a whole bulk instead of one command per post.

KEYS[1..n]  case hashes, all of one case shard (one hash tag); n varies per call,
            so the file is named -n and the caller passes the key count
ARGV        none

Returns: a flat list {i, lastDecisionId, lastAction, autoRemovedBy, ...}
for the cases that have any of the three (i is the 1-based KEYS index,
missing fields are empty strings); an empty list when none has.
]]
local out = {}
for i, key in ipairs(KEYS) do
  local h = redis.call('HMGET', key, 'lastDecisionId', 'lastAction', 'autoRemovedBy')
  if h[1] or h[2] or h[3] then
    out[#out + 1] = i
    out[#out + 1] = h[1] or ''
    out[#out + 1] = h[2] or ''
    out[#out + 1] = h[3] or ''
  end
end
return out
