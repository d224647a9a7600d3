--[[
close-admin-session-3.lua: deletes a job-board session and drops it from its
token's set, atomically with the audit event; a compare-and-delete on the
record the caller read, so a session is closed (and audited) once.

KEYS[1]  the session key (admin-session:<SHA-256 of the session id>)
KEYS[2]  the token's session set (admin-sessions:<token hash>)
KEYS[3]  the audit stream
ARGV[1]  the session record JSON as read
ARGV[2]  audit event JSON
ARGV[3]  the session hash (member of KEYS[2])

Returns: 1 deleted; 0 the session is gone or changed since it was read.
]]
redis.call('SREM', KEYS[2], ARGV[3])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('XADD', KEYS[3], '*', 'event', ARGV[2])
return 1
