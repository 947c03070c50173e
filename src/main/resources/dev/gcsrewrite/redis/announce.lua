-- Records that a settled generation's complete (or skipped) event was published, so that nothing
-- needs to announce it again. Only a settled record is marked: a record that expired, or a
-- generation never recorded (superseded before its claim), is left alone.
--
-- KEYS[1]  the generation's record (hash)
-- ARGV[1]  when the event was published, milliseconds
--
-- Returns 1 when the record was marked (or already was), 0 when there is no settled record.

local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'COMPLETED' and state ~= 'SKIPPED' then
  return 0
end
redis.call('HSETNX', KEYS[1], 'announced', ARGV[1])
return 1
