-- Marks a settled generation's event as published. Keys, arguments, reply: ClaimStore#announce.

local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'COMPLETED' and state ~= 'SKIPPED' then
  return 0
end
redis.call('HSETNX', KEYS[1], 'announced', ARGV[1])
return 1
