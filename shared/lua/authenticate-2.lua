--[[
authenticate-2.lua: a bearer token's record and the record of the person it
belongs to, in one round trip (the person's id is inside the token record,
so without the script these are two HGETs, one after the other). Reads
only: whether the token is revoked, the person disabled or the role no
longer held is decided by the caller (TokenStore.authenticateHash), on
every request, as before.

KEYS[1]  tokens: token hash -> token record (JSON)
KEYS[2]  people: actor id -> person record (JSON)
ARGV[1]  the presented token's hash (SHA-256, hex)

Returns: {} no such token; {token JSON} a token record that names no
person (from before people existed); {token JSON, person JSON or nil} a
token of a person (nil: no such person).
]]
local token = redis.call('HGET', KEYS[1], ARGV[1])
if not token then
  return {}
end
local ok, record = pcall(cjson.decode, token)
if not ok or type(record) ~= 'table' or type(record.actorId) ~= 'string' then
  return {token}
end
return {token, redis.call('HGET', KEYS[2], record.actorId)}
