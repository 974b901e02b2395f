-- The benchmark's load for wrk (scripts/bench/bench.mjs runs it):
--
--   wrk -t1 -c8 -d5s -s load.lua URL -- REQUESTS MODE [RATE]   (one thread: see request())
--
-- REQUESTS is a file of whole HTTP requests, each ended by a NUL byte, made
-- beforehand so that sending one costs a table lookup. MODE "cycle" sends them
-- in turn until wrk's duration is up; "once" sends each one once and stops
-- when the last is answered (a check-in is submitted once). With RATE, the
-- requests go out at that many a second, evenly spaced: each is sent at its
-- own time on a schedule shared by the connections, whenever the one before
-- on its connection was answered in time (wrk's delay(); with enough
-- connections, a slow answer delays no other request). At the end it
-- prints one line, "RESULT " and a JSON object: the duration and latencies in
-- microseconds, the answers by status, and wrk's socket errors.

local ffi = require("ffi")
ffi.cdef([[
int getpid(void);
int kill(int pid, int sig);
typedef struct { long tv_sec; long tv_nsec; } timespec;
int clock_gettime(int clock, timespec *t);
]])

local now_ts = ffi.new("timespec")
-- Milliseconds on the monotonic clock.
local function now_ms()
  ffi.C.clock_gettime(1, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local requests, mode, sent, answered = {}, "cycle", 0, 0
-- Answers by status, as strings: what thread:get can hand to done().
statuses = {}

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local all = file:read("*a")
  file:close()
  for request in all:gmatch("([^%z]+)%z") do
    requests[#requests + 1] = request
  end
  mode = args[2] or "cycle"
  assert(#requests > 0, "no requests in " .. args[1])
  local rate = tonumber(args[3])
  if rate then
    -- The next free time on the schedule: each request takes the next one,
    -- or now if it is behind (then it goes at once, and the rate shows it).
    local every, next_at = 1000 / rate, nil
    function delay()
      local now = now_ms()
      next_at = math.max((next_at or now) + every, now)
      return math.floor(next_at - now + 0.5)
    end
  end
end

-- wrk calls request() once before the run to check the request: that call
-- is not counted (wrk does it on its first thread only; the benchmark runs one).
local checked = false

function request()
  if not checked then
    checked = true
    return requests[1]
  end
  sent = sent + 1
  if mode == "once" and sent > #requests then
    -- Nothing left to send: the connection waits for the end.
    return ""
  end
  return requests[(sent - 1) % #requests + 1]
end

function response(status)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  answered = answered + 1
  if mode == "once" and answered == #requests then
    wrk.thread:stop()
    -- wrk's main thread sleeps out the duration whatever the threads do:
    -- interrupt it as Ctrl-C does, so the run ends with its last answer.
    ffi.C.kill(ffi.C.getpid(), 2)
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local by_status = {}
  for status, n in pairs(counts) do
    by_status[#by_status + 1] = string.format('"%s":%d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"duration_us":%d,"p50_us":%d,"p99_us":%d,"statuses":{%s},"errors":%d}\n',
    summary.duration, latency:percentile(50), latency:percentile(99),
    table.concat(by_status, ","), e.connect + e.read + e.write + e.timeout))
end
