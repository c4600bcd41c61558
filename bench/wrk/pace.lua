-- Paced load for wrk 4.x, which has no -R (that is wrk2): every connection waits before each request, through
-- wrk's delay() hook. Arguments after the URL (`wrk … url -- <delay_ms>`): the wait per connection, that is
-- 1000 × connections / rate. wrk starts its latency clock when the request is written, so the wait is not
-- counted as latency. A connection's cycle is wait + response time, so the achieved rate falls short of the
-- asked one by response time / (wait + response time): the harness reports the achieved req/s beside it.
-- wrk truncates the returned value to whole milliseconds; the fraction is dithered (floor or floor + 1 with the
-- right odds) so the mean wait is the asked one. Each connection's first wait is uniform in [0, wait), so the
-- connections do not all fire in the same millisecond.
local dir = debug.getinfo(1, 'S').source:match('^@(.*/)') or './'
dofile(dir .. 'report.lua')

local wait_ms, first_waits

init = function(args)
  wait_ms = tonumber(args[1])
  first_waits = tonumber(args[2]) or 0
  if wait_ms == nil or wait_ms <= 0 then error('pace.lua: wait in ms expected after the URL (wrk … url -- <ms> <connections>)') end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local function dither (ms)
  local whole = math.floor(ms)
  if math.random() < ms - whole then return whole + 1 end
  return whole
end

delay = function()
  if first_waits > 0 then
    first_waits = first_waits - 1
    return dither(math.random() * wait_ms)
  end
  return dither(wait_ms)
end
