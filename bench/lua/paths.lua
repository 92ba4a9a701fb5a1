-- Requests that go through `paths` in turn (bench/wrk.py puts it above this): with more
-- paths than the app remembers comparisons, every request is drawn from scratch.

local i = 0

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
