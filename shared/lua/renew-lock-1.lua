--[[
renew-lock-1.lua: takes or keeps a single-holder lock (the audit writer's):
succeeds when the lock is free or already ours, and extends it.

KEYS[1]  the lock key
ARGV[1]  this holder's id
ARGV[2]  lock time to live, ms

Returns: 1 held by us now; 0 held by someone else.
]]
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
