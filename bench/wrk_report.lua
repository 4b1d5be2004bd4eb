-- What bench/pages.py reads from a wrk run: one line, "wrk-report " then JSON, printed once
-- every thread has finished. Times are in microseconds, as wrk measures them: from sending a
-- request to the end of its answer. wrk counts as a status error every answer above 399, and
-- as socket errors the connections it could not open, read, write, or that timed out.

-- Given a file of paths (`wrk … <url> -- <file>`), each request asks the next path in turn,
-- each of wrk's threads starting from its own share of them, so that no two ask the same path
-- soon after each other; without one, every request asks the URL's own path. With `once` after
-- the file (`-- <file> once`), each thread stops once it has had the answers to its share: no
-- path is asked twice in the run, which then ends before its duration when the share runs out.
local paths, next_path = {}, 1
local threads = 0
local once, share, answered = false, 0, 0

setup = function(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

init = function(args)
  if args[1] then
    for line in io.lines(args[1]) do
      paths[#paths + 1] = line
    end
    -- Halves for the bench's two threads; more threads overlap, and then the cache serves some.
    share = math.floor(#paths / 2)
    next_path = thread_number * share % #paths + 1
    once = args[2] == "once"
  end
end

response = function()
  answered = answered + 1
  if once and answered >= share then
    wrk.thread:stop()
  end
end

request = function()
  if #paths == 0 then
    return wrk.format()
  end
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format(nil, path)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"duration_us": %d', summary.duration),
    string.format('"bytes": %d', summary.bytes),
    string.format('"mean_us": %.0f', latency.mean),
    string.format('"p50_us": %d', latency:percentile(50)),
    string.format('"p90_us": %d', latency:percentile(90)),
    string.format('"p95_us": %d', latency:percentile(95)),
    string.format('"p99_us": %d', latency:percentile(99)),
    string.format('"max_us": %d', latency.max),
    string.format('"status_errors": %d', errors.status),
    string.format(
      '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}',
      errors.connect, errors.read, errors.write, errors.timeout
    ),
  }
  io.write("wrk-report {" .. table.concat(fields, ", ") .. "}\n")
end
