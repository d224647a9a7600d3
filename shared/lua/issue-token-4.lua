--[[
issue-token-4.lua: stores a new token for a person, atomically with the checks
that make it valid (the person exists, is not disabled and holds the token's
role; the token's name is not taken by a live token) and its audit event.

KEYS[1]  tokens hash (token SHA-256 -> token record JSON)
KEYS[2]  token index hash ("name:<name>" -> token hash for live tokens,
         "id:<id>" -> token hash for every token)
KEYS[3]  people hash (actor id -> person JSON)
KEYS[4]  the audit stream
ARGV[1]  token hash
ARGV[2]  token record JSON
ARGV[3]  token id
ARGV[4]  token name
ARGV[5]  actor id
ARGV[6]  role
ARGV[7]  audit event JSON

Returns: {1, "ok"}; {0, "no_person"}; {0, "disabled"}; {0, "role_not_held"};
{0, "name_taken"}.
]]
local raw = redis.call('HGET', KEYS[3], ARGV[5])
if not raw then return {0, 'no_person'} end
local person = cjson.decode(raw)
if person['disabledAt'] then return {0, 'disabled'} end
local held = false
for _, r in ipairs(person['roles'] or {}) do
  if r == ARGV[6] then held = true end
end
if not held then return {0, 'role_not_held'} end
if redis.call('HEXISTS', KEYS[2], 'name:' .. ARGV[4]) == 1 then return {0, 'name_taken'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], 'name:' .. ARGV[4], ARGV[1], 'id:' .. ARGV[3], ARGV[1])
redis.call('XADD', KEYS[4], '*', 'event', ARGV[7])
return {1, 'ok'}
