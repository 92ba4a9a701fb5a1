-- A scenario whose answers are meant to be 4xx (the hostile requests). wrk counts every
-- 4xx/5xx as a "status" error; this counts, per thread, the answers whose status is not
-- `expected` (bench/wrk.py puts it above this), and summary.lua adds those up instead.

threads = {}

function setup(thread)
  table.insert(threads, thread)
end

unexpected = 0

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end
