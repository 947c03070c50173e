-- Settles one generation for good (idempotent), keeping the object's output moving forward only.
-- Keys, arguments, replies: ClaimStore#settle.
--
-- Renames and deletes of outputs are not fenced (neither Cloud Storage nor FileIO takes a token),
-- so this script is where each one is checked after the fact: a file that landed without the lock
-- (its writer's lease ran out) may have landed over a newer output, and a holder whose lock was
-- marked dirty was told that such a file landed meanwhile. Either way the object's latest completed
-- generation is written again (the repair), unless the file in place is already its rewrite.

local g = ARGV[2]
local record = redis.call('HMGET', KEYS[1], 'state', 'outputUri', 'reason', 'readResult')
local state = record[1]
local lock = redis.call('HMGET', KEYS[4], 'generation', 'token', 'dirty')
local holds = lock[1] == g and lock[2] == ARGV[3]
-- FileIO renamed what this writer wrote into place: its rewrite, or what a read result says.
local landed = ARGV[4] == 'COMPLETED'
local readResult = record[4]

-- The generation to write again after this settlement, or '' when the output is right.
local function repair_for(is_latest_rewrite)
  local latest = redis.call('HGET', KEYS[2], 'generation')
  if not latest or (is_latest_rewrite and latest == g and not (holds and lock[3])) then
    return ''
  end
  if (landed and not holds) or (holds and lock[3]) then
    return latest
  end
  return ''
end

if state == 'COMPLETED' or state == 'SKIPPED' or state == 'FAILED' then
  -- Another writer of this generation settled it first; this one's file may have landed since.
  local repair = ''
  if landed then
    repair = repair_for(state == 'COMPLETED' and not readResult)
  end
  return {'ALREADY', state, record[2] or record[3] or '', repair}
end

local now = now_ms()
local retention = tonumber(ARGV[6])

local final, detail, repair, cleanup = ARGV[4], ARGV[5], '', ''
if final == 'COMPLETED' and readResult then
  -- '<found>:<left>[:<why>]' (RewritingSink says which), or 'changed:<how>' for a whole read.
  local found, left, why = string.match(readResult, '^(%a+):(%a+):?(.*)$')
  final = 'SKIPPED'
  if found == 'unreadable' then
    -- Failed for good: dead-lettered, and left claimable, so that a replay can try it again.
    final, detail = 'FAILED', why
  elseif found == 'vanished' then
    detail = 'sourceVanished'
  else
    detail = 'sourceChanged'
  end
  if left == 'partial' then
    -- Part of a rewrite was renamed into place: the newest completed output is written again, or,
    -- with none, the partial one is removed.
    repair = redis.call('HGET', KEYS[2], 'generation') or ''
  end
  -- Only the lock's holder deletes: another's file may be a newer output, even an empty one.
  if holds and (left == 'empty' or (left == 'partial' and repair == '')) then
    cleanup = '1'
  end
end

if final == 'COMPLETED' then
  local latest = redis.call('HGET', KEYS[2], 'generation')
  if latest and newer(latest, g) then
    -- A newer generation completed while this one was written without the lock: this rename may
    -- have landed after the newer one's.
    final, detail, repair = 'SKIPPED', 'superseded', latest
  else
    redis.call('HSET', KEYS[2], 'generation', g, 'completedAt', ms(now), 'outputUri', ARGV[5])
    redis.call('PEXPIRE', KEYS[2], retention)
    repair = repair_for(true)
    if not holds and lock[1] and newer(lock[1], g) then
      -- The newer generation in flight may have renamed before this stale one: tell it.
      redis.call('HSET', KEYS[4], 'dirty', '1')
    end
  end
elseif repair == '' then
  repair = repair_for(false)
  if repair == '' and landed and not holds and lock[1] then
    -- Nothing completed to put back: whoever holds the object now writes after this file.
    redis.call('HSET', KEYS[4], 'dirty', '1')
  end
end

if not state then
  -- The record expired with its lease before the work finished: the work is done all the same.
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'messageId', ARGV[7])
end
redis.call('HSET', KEYS[1], 'state', final, 'completedAt', ms(now), 'settledBy', ARGV[1],
  'token', ARGV[3])
redis.call('HDEL', KEYS[1], 'leaseUntil', 'readResult')
if final == 'COMPLETED' then
  redis.call('HSET', KEYS[1], 'outputUri', ARGV[5])
  if ARGV[8] and tonumber(ARGV[8]) >= 0 then
    redis.call('HSET', KEYS[1], 'outputBytes', ARGV[8])
  end
else
  redis.call('HSET', KEYS[1], 'reason', detail)
end
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('SADD', KEYS[3], g)
redis.call('PEXPIRE', KEYS[3], retention)

if holds and cleanup == '' then
  redis.call('HDEL', KEYS[4], 'generation', 'owner', 'token', 'leaseUntil', 'dirty')
end
return {'SETTLED', final, final == 'COMPLETED' and ARGV[5] or detail, repair, cleanup}
