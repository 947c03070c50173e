-- Gives up a claim: its lock, and its record if the claim left it in progress. Keys, arguments,
-- reply: ClaimStore#release.

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
