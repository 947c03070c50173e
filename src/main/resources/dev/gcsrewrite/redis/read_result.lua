-- Records what the writer found when it read a generation's content, for the settlement to decide
-- by. Keys, arguments, reply: ClaimStore#recordReadResult.

redis.call('HSET', KEYS[1], 'readResult', ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 'RECORDED'
