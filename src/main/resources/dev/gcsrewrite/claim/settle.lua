-- Settles one object generation for good: COMPLETED (output in place) or SKIPPED (nothing to
-- write). Idempotent: settling a settled generation changes nothing.
--
-- KEYS[1]  the generation's record (hash)
-- KEYS[2]  the object's latest completed generation (hash)
-- KEYS[3]  the object's index of recorded generations (set)
-- ARGV[1]  owner (the job name)
-- ARGV[2]  generation (decimal string)
-- ARGV[3]  'COMPLETED' or 'SKIPPED'
-- ARGV[4]  output URI (COMPLETED) or reason (SKIPPED)
-- ARGV[5]  retention, milliseconds
-- ARGV[6]  message ID of the notification
--
-- Returns {'SETTLED'} or {'ALREADY', state}.

local state = redis.call('HGET', KEYS[1], 'state')
if state == 'COMPLETED' or state == 'SKIPPED' then
  return {'ALREADY', state}
end

local now = now_ms()
local retention = tonumber(ARGV[5])

if not state then
  -- The claim's lease ran out before the work finished: the work is done all the same.
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'messageId', ARGV[6])
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'completedAt', ms(now), 'settledBy', ARGV[1])
redis.call('HDEL', KEYS[1], 'leaseUntil')
if ARGV[3] == 'COMPLETED' then
  redis.call('HSET', KEYS[1], 'outputUri', ARGV[4])
else
  redis.call('HSET', KEYS[1], 'reason', ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], retention)

if ARGV[3] == 'COMPLETED' then
  -- The latest completed generation only ever moves forward.
  local latest = redis.call('HGET', KEYS[2], 'generation')
  if not latest or newer(ARGV[2], latest) then
    redis.call('HSET', KEYS[2], 'generation', ARGV[2], 'completedAt', ms(now), 'outputUri', ARGV[4])
  end
  redis.call('PEXPIRE', KEYS[2], retention)
end
return {'SETTLED'}
