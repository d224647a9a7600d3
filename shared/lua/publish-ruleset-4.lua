--[[
publish-ruleset-4.lua: stores a ruleset as the next version and makes it the
live one, in one step: the version number is assigned, the version stored,
the summary listed and the current pointer moved together, so two
concurrent publishes can never leave the pointer on the older version.
The caller proposes the next number (the counter it read, plus one) and
builds the version's key and JSON with it; when another publish took that
number first, nothing is written and the caller reads the counter again.

KEYS[1]  version counter (string: the last version assigned)
KEYS[2]  current pointer (string: the live version)
KEYS[3]  version summaries (sorted set: summary JSON scored by version)
KEYS[4]  the proposed version's ruleset (string: the ruleset JSON)
ARGV[1]  the proposed version (the counter the caller read, plus one)
ARGV[2]  the ruleset JSON (its version field is ARGV[1])
ARGV[3]  the summary JSON

Returns: 1 published as ARGV[1]; 0 the counter moved (another publish took that number), nothing written.
]]
local v = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last + 1 ~= v then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], v, ARGV[3])
return 1
