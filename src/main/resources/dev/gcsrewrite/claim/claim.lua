-- Decides, atomically, what to do with one object generation.
--
-- KEYS[1]  the generation's record (hash)
-- KEYS[2]  the object's latest completed generation (hash)
-- KEYS[3]  the object's index of recorded generations (set)
-- ARGV[1]  owner (the job name)
-- ARGV[2]  generation (decimal string)
-- ARGV[3]  lease, milliseconds
-- ARGV[4]  message ID of the notification
-- ARGV[5]  retention of the index, milliseconds
--
-- Returns {outcome, ...}:
--   {'CLAIMED', previous owner or ''}      no record, or another owner's lease has ended
--   {'REENTRANT'}                          this owner holds it already (a retried bundle)
--   {'DUPLICATE', state, owner, outputUri or reason}   the generation is settled
--   {'SUPERSEDED', latest generation}      a newer generation of the object is completed
--   {'ELSEWHERE', owner, lease end ms}     another owner holds a live lease

local now = now_ms()

local record = redis.call('HMGET', KEYS[1], 'state', 'owner', 'leaseUntil', 'outputUri', 'reason')
local state, owner, leaseUntil = record[1], record[2], record[3]

if state == 'COMPLETED' or state == 'SKIPPED' then
  return {'DUPLICATE', state, owner or '', record[4] or record[5] or ''}
end

local latest = redis.call('HGET', KEYS[2], 'generation')
if latest and newer(latest, ARGV[2]) then
  return {'SUPERSEDED', latest}
end

local lease = tonumber(ARGV[3])
if state == 'INPROGRESS' then
  if owner == ARGV[1] then
    redis.call('HSET', KEYS[1], 'leaseUntil', ms(now + lease))
    redis.call('PEXPIRE', KEYS[1], lease)
    return {'REENTRANT'}
  end
  if leaseUntil and tonumber(leaseUntil) > now then
    return {'ELSEWHERE', owner or '', leaseUntil}
  end
end

redis.call('HSET', KEYS[1],
  'state', 'INPROGRESS',
  'owner', ARGV[1],
  'messageId', ARGV[4],
  'claimedAt', ms(now),
  'leaseUntil', ms(now + lease))
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
-- An INPROGRESS record lives as long as its lease: a dead worker's claim disappears by itself.
redis.call('PEXPIRE', KEYS[1], lease)
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return {'CLAIMED', owner or ''}
