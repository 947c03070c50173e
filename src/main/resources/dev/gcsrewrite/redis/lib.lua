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

-- The error reply that says a record is unusable: one of KEYS holds another kind of value than
-- the script works on ('hash', or kinds[i] for KEYS[i]). RedisCalls dead-letters the one element
-- for it; every other error is Redis's, and retried. nil where every key is of its kind or absent.
local function unusable(kinds)
  for i, key in ipairs(KEYS) do
    local kind = redis.call('TYPE', key)['ok']
    local want = (kinds and kinds[i]) or 'hash'
    if kind ~= 'none' and kind ~= want then
      return redis.error_reply('UNUSABLE ' .. key .. ' holds a ' .. kind .. ', not a ' .. want)
    end
  end
  return nil
end
