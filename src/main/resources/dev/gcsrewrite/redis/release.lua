-- Gives up a claim: the lock, if it is still this claim's, and the generation's record if the claim
-- left it in progress (work that failed for good, so that a fixed notification can claim it at
-- once). A settled record is kept (a repair, or the cleanup after a settlement, releases only the
-- lock).
--
-- KEYS[1]  the generation's record (hash)
-- KEYS[2]  the object's lock (hash)
-- ARGV[1]  generation
-- ARGV[2]  token
--
-- Returns {'RELEASED' or 'NOT_HELD', dirty}: dirty '1' when a stale writer's rename may have
-- landed while the lock was held (the output must be written again).

local released = 'NOT_HELD'
local lock = redis.call('HMGET', KEYS[2], 'generation', 'token', 'dirty')
if lock[1] == ARGV[1] and lock[2] == ARGV[2] then
  redis.call('HDEL', KEYS[2], 'generation', 'owner', 'token', 'leaseUntil', 'dirty')
  released = 'RELEASED'
end
local record = redis.call('HMGET', KEYS[1], 'state', 'token')
if record[1] == 'INPROGRESS' and record[2] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  released = 'RELEASED'
end
return {released, lock[3] or ''}
