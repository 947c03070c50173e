-- Extends the lease of a claim whose work is still going (a heartbeat from the writer), if the claim
-- is still the object's current one: a holder that lost it (its lease ended and another took the
-- object) changes nothing.
--
-- KEYS[1]  the generation's record (hash)
-- KEYS[2]  the object's lock (hash)
-- ARGV[1]  generation
-- ARGV[2]  token
-- ARGV[3]  lease, milliseconds
--
-- Returns 'RENEWED' or 'LOST'.

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
