-- Decides, atomically, what to do with one object generation; at most one generation of an object
-- is in flight at a time. Keys, arguments, replies: ClaimStore#claim.

local now = now_ms()
local g = ARGV[2]
local lease = tonumber(ARGV[3])

local record = redis.call('HMGET', KEYS[1], 'state', 'owner', 'outputUri', 'reason', 'announced',
  'token', 'outputBytes', 'completedAt')
if record[1] == 'COMPLETED' or record[1] == 'SKIPPED' then
  return {'DUPLICATE', record[1], record[2] or '', record[3] or record[4] or '', record[5] or '',
    record[6] or '', record[7] or '', record[8] or ''}
end

local latest = redis.call('HGET', KEYS[2], 'generation')
if latest and newer(latest, g) then
  return {'SUPERSEDED', latest}
end

local lock = redis.call('HMGET', KEYS[4], 'generation', 'owner', 'token', 'leaseUntil', 'max')
local held, holder, token, leaseUntil, max = lock[1], lock[2], lock[3], lock[4], lock[5]
-- Once a generation has been claimed, an older one would only ever land over it.
if max and newer(max, g) then
  return {'SUPERSEDED', max}
end

local stopped = ARGV[6] ~= nil and ARGV[6] ~= '' and holder and holder ~= ARGV[1]
  and string.find(',' .. ARGV[6] .. ',', ',' .. holder .. ',', 1, true) ~= nil
if held and leaseUntil and (tonumber(leaseUntil) or 0) > now and not stopped then
  if held == g then
    if holder == ARGV[1] then
      redis.call('HSET', KEYS[4], 'leaseUntil', ms(now + lease))
      redis.call('HSET', KEYS[1], 'leaseUntil', ms(now + lease))
      redis.call('PEXPIRE', KEYS[1], lease)
      return {'REENTRANT', token}
    end
    return {'HELD_BY_ANOTHER_JOB', holder or '', leaseUntil}
  end
  return {'OLDER_IN_FLIGHT', held, holder or '', leaseUntil}
end

-- Free, or its holder's lease has ended (a dead or stalled worker) or its holder is stopped: take
-- it with a new token.
local previous = ''
if held then
  previous = holder or ''
end
local fence = redis.call('HINCRBY', KEYS[4], 'fence', 1)
redis.call('HSET', KEYS[4],
  'generation', g, 'owner', ARGV[1], 'token', fence, 'leaseUntil', ms(now + lease), 'max', g)
redis.call('PEXPIRE', KEYS[4], ARGV[5])

redis.call('HSET', KEYS[1],
  'state', 'INPROGRESS',
  'owner', ARGV[1],
  'token', fence,
  'messageId', ARGV[4],
  'claimedAt', ms(now),
  'leaseUntil', ms(now + lease))
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
-- An INPROGRESS record lives as long as its lease: a dead worker's claim disappears by itself.
redis.call('PEXPIRE', KEYS[1], lease)
redis.call('SADD', KEYS[3], g)
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return {'CLAIMED', fence, previous}
