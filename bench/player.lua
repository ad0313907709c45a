-- make bench's load player for wrk: each thread replays the plan bench/run.py wrote for it
-- (bench/mix.py decides every request) and logs each answer with its latency, so the run can
-- report each kind of request apart and check that no URL was asked for twice.
-- Run with one connection per thread: the thread's last request is then the one answered.
-- wrk -t N -c N -s bench/player.lua URL -- FOLDER [replay]

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long seconds; long nanoseconds; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *now);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function microseconds_now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.seconds) * 1e6 + tonumber(clock.nanoseconds) / 1e3
end

-- Runs in wrk's main Lua state, once per thread, before the threads start.
local threads_set_up = 0
function setup(thread)
  thread:set("thread_number", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local requests, described = {}, {}
local replay, position, current, sent_at, log = false, 0, nil, 0, nil

local function fields(line)
  local found = {}
  for value in (line .. "\t"):gmatch("([^\t]*)\t") do
    found[#found + 1] = value
  end
  return found
end

function init(args)
  local folder = args[1]
  replay = args[2] == "replay"
  local sessions = {}
  for line in io.lines(folder .. "/users.tsv") do
    local user, cookie, token = unpack(fields(line))
    sessions[user] = { cookie = cookie, token = token }
  end
  for line in io.lines(folder .. "/plan-" .. thread_number .. ".tsv") do
    local kind, method, user, path, body = unpack(fields(line))
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Cookie"] = sessions[user].cookie
    if method == "POST" then
      headers["X-CSRFToken"] = sessions[user].token
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
    described[#described + 1] = { kind .. "\t" .. method, path }
  end
  log = io.open(folder .. "/log-" .. thread_number .. ".tsv", "w")
  log:setvbuf("line")
end

-- wrk calls this once more on thread 0 before the run, to check the request it returns: that
-- planned request is skipped, never sent, so nothing is repeated or counted for it.
function request()
  position = position + 1
  if position > #requests then
    if not replay then
      -- The plan is used up: stop rather than ask for a URL again.
      log:write("exhausted\n")
      wrk.thread:stop()
      current = nil
      return requests[#requests]
    end
    position = 1
  end
  current = position
  sent_at = microseconds_now()
  return requests[position]
end

function response(status, headers, body)
  if current == nil then
    return
  end
  local elapsed = microseconds_now() - sent_at
  local what = described[current]
  log:write(
    what[1], "\t", status, "\t", string.format("%.0f", elapsed), "\t", what[2], "\t",
    headers["Location"] or "", "\n"
  )
  current = nil
end
