--[[
release-lock-1.lua: gives up a single-holder lock taken with renew-lock,
only when this holder still has it (a lock that expired and was taken by
another holder is left alone).

KEYS[1]  the lock key
ARGV[1]  this holder's id

Returns: 1 released; 0 not ours (free, or held by someone else).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
