-- Shared by the claim scripts: RedisScript puts this text in front of each of them, so every
-- script stays one self-contained EVALSHA.

-- Whether generation a is newer than b. Decimal strings without leading zeros compare as
-- strings: 64-bit generations would not fit a Lua number exactly.
local function newer(a, b)
  if #a ~= #b then
    return #a > #b
  end
  return a > b
end

-- A millisecond count as an integer string (a Lua number would print in exponent form).
local function ms(number)
  return string.format('%.0f', number)
end

-- Now, in milliseconds, by the Redis server's clock: workers' clocks never disagree about a lease.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Before anything else, every script checks that its keys hold the kinds it works on: hashes,
-- but for KEYS[3] where a script has it (the claim's and the settlement's), the object's set of
-- generations. Otherwise it replies UNUSABLE, which RedisCalls makes that one element's failure
-- (a dead letter); every other error is Redis's, and retried. Checked first, so that a record of
-- the wrong kind never leaves a script half done (a lock taken, its record not written).
for i, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  local want = i == 3 and 'set' or 'hash'
  if kind ~= 'none' and kind ~= want then
    return redis.error_reply('UNUSABLE ' .. key .. ' holds a ' .. kind .. ', not a ' .. want)
  end
end
