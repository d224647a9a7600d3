--[[
open-admin-session-3.lua: stores a job-board session (keyed by the hash of
its id) with its expiry and lists it under its token, atomically with the
audit event.

KEYS[1]  the session key (admin-session:<SHA-256 of the session id>)
KEYS[2]  the token's session set (admin-sessions:<token hash>: session hashes)
KEYS[3]  the audit stream
ARGV[1]  session record JSON
ARGV[2]  time to live, milliseconds
ARGV[3]  audit event JSON
ARGV[4]  the session hash (member of KEYS[2])

Returns: 1 stored; 0 a session with this id exists (not overwritten, not audited).
]]
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[4])
-- The set lives as long as its newest session; members whose session expired are skipped when read.
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('XADD', KEYS[3], '*', 'event', ARGV[3])
return 1
