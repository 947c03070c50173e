-- Takes an object's lock to write its latest completed generation's output again, after a stale
-- write may have landed over it. If the lock is held, marks it dirty instead: its holder writes
-- after this, and writes its own output again at settlement if it had written before.
--
-- KEYS[1]  the object's latest completed generation (hash)
-- KEYS[2]  the object's lock (hash)
-- ARGV[1]  owner (the job name)
-- ARGV[2]  lease, milliseconds
--
-- Returns {'REPAIR', generation, token}, {'BUSY'} or {'NONE'} (nothing completed to write).

local latest = redis.call('HGET', KEYS[1], 'generation')
if not latest then
  return {'NONE'}
end
local now = now_ms()
local lock = redis.call('HMGET', KEYS[2], 'generation', 'leaseUntil')
if lock[1] and lock[2] and tonumber(lock[2]) > now then
  redis.call('HSET', KEYS[2], 'dirty', '1')
  return {'BUSY'}
end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('HSET', KEYS[2], 'generation', latest, 'owner', ARGV[1], 'token', fence,
  'leaseUntil', ms(now + tonumber(ARGV[2])))
redis.call('HDEL', KEYS[2], 'dirty')
return {'REPAIR', latest, fence}
