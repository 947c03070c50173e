-- Gives up this owner's claim on a generation it could not process, so that a fixed notification
-- can claim it again at once instead of waiting for the lease to end.
--
-- KEYS[1]  the generation's record (hash)
-- ARGV[1]  owner (the job name)
--
-- Returns 'RELEASED', or 'NOT_HELD' when the record is not this owner's claim in progress.

local record = redis.call('HMGET', KEYS[1], 'state', 'owner')
if record[1] == 'INPROGRESS' and record[2] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 'RELEASED'
end
return 'NOT_HELD'
