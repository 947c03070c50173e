-- Records what the writer found when it read a generation's content (vanished:empty,
-- vanished:preserved, changed:...), for the settlement to decide by.
--
-- KEYS[1]  the generation's record (hash)
-- ARGV[1]  what was found
-- ARGV[2]  retention, milliseconds (for a record that expired with its lease meanwhile)
--
-- Returns 'NOTED'.

redis.call('HSET', KEYS[1], 'readResult', ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 'NOTED'
