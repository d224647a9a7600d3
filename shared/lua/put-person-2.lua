--[[
put-person-2.lua: creates or updates one person (an actor that tokens belong
to), atomically with its audit event. An update is a compare-and-set on the
record the caller read, so two admins editing at once cannot lose an edit.

KEYS[1]  people hash (actor id -> person JSON)
KEYS[2]  the audit stream
ARGV[1]  actor id
ARGV[2]  the new person JSON
ARGV[3]  the person JSON the caller read and changed, or "" to create
ARGV[4]  audit event JSON

Returns: 1 written; 0 creating an id that exists, or updating a person that
changed since it was read (or does not exist).
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] == '' then
  if current then return 0 end
elseif current ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], '*', 'event', ARGV[4])
return 1
