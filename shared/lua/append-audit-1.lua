--[[
append-audit-1.lua: appends one audit event for a change that has no other
state in this Redis (token created or revoked, a report refused, ...).
State changes that do have state append their event in their own script,
atomically with the change.

KEYS[1]  the audit stream
ARGV[1]  audit event JSON

Returns: the stream entry id.
]]
return redis.call('XADD', KEYS[1], '*', 'event', ARGV[1])
