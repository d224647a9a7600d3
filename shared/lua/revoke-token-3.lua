--[[
revoke-token-3.lua: marks a token revoked and frees its name, atomically with
the audit event; a compare-and-set on the record the caller read, so a token
is revoked (and audited) once.

KEYS[1]  tokens hash (token SHA-256 -> token record JSON)
KEYS[2]  token index hash ("name:<name>" -> token hash for live tokens)
KEYS[3]  the audit stream
ARGV[1]  token hash
ARGV[2]  the token record JSON as read
ARGV[3]  the revoked record JSON
ARGV[4]  token name
ARGV[5]  audit event JSON

Returns: 1 revoked; 0 the record changed since it was read.
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if redis.call('HGET', KEYS[2], 'name:' .. ARGV[4]) == ARGV[1] then
  redis.call('HDEL', KEYS[2], 'name:' .. ARGV[4])
end
redis.call('XADD', KEYS[3], '*', 'event', ARGV[5])
return 1
