-- Takes an object's lock to write its latest completed generation again, or marks a held lock
-- dirty. Keys, arguments, replies: ClaimStore#repair.

local latest = redis.call('HGET', KEYS[1], 'generation')
if not latest then
  return {'NONE'}
end
local now = now_ms()
local lock = redis.call('HMGET', KEYS[2], 'generation', 'leaseUntil')
if lock[1] and lock[2] and (tonumber(lock[2]) or 0) > now then
  redis.call('HSET', KEYS[2], 'dirty', '1')
  return {'BUSY'}
end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('HSET', KEYS[2], 'generation', latest, 'owner', ARGV[1], 'token', fence,
  'leaseUntil', ms(now + tonumber(ARGV[2])))
redis.call('HDEL', KEYS[2], 'dirty')
return {'REPAIR', latest, fence}
