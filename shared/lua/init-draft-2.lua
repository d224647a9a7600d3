--[[
init-draft-2.lua: starts a never-edited draft as a copy of the published
version, in one step: the draft's rules and its meta are written together,
and only while the meta does not exist (a draft someone initialised or
edited is never wiped). Nothing is written on the way that could outlive a
failure, so a first init that failed is simply done again by the next call.

KEYS[1]  draft meta (hash: baseVersion, updatedAt, updatedBy; exists once the draft is initialised)
KEYS[2]  draft rules (hash: rule id -> rule JSON)
ARGV[1]  the base version ("" when nothing is published)
ARGV[2]  updatedAt (ISO time)
ARGV[3], ARGV[4], ...  pairs: a rule id, its JSON

Returns: 1 the draft was initialised; 0 it already was, nothing written.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
local chunk = 1000
for i = 3, #ARGV, chunk * 2 do
  local last = math.min(i + chunk * 2 - 1, #ARGV)
  redis.call('HSET', KEYS[2], unpack(ARGV, i, last))
end
redis.call('HSET', KEYS[1], 'baseVersion', ARGV[1], 'updatedAt', ARGV[2], 'updatedBy', 'takedown')
return 1
