-- Extends a claim's lease if the claim is still the object's current one. Keys, arguments, reply:
-- ClaimStore#renew.

local lock = redis.call('HMGET', KEYS[2], 'generation', 'token')
if lock[1] ~= ARGV[1] or lock[2] ~= ARGV[2] then
  return 'LOST'
end
local lease = tonumber(ARGV[3])
local until_ms = ms(now_ms() + lease)
redis.call('HSET', KEYS[2], 'leaseUntil', until_ms)
if redis.call('HGET', KEYS[1], 'state') == 'INPROGRESS' then
  redis.call('HSET', KEYS[1], 'leaseUntil', until_ms)
  redis.call('PEXPIRE', KEYS[1], lease)
end
return 'RENEWED'
