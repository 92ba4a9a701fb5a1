-- The write mix. bench/wrk.py puts `slugs`, `token`, `key` and `unit` above this.
-- Run with as many threads as connections: each wrk thread then has one connection and
-- its own entry, so no two writers race for a version (a 412 would be an error). A
-- thread GETs its entry once for the ETag, then alternates PATCH of the entry and PUT of
-- one attribute, each with If-Match, taking the next ETag from each answer.

local next_slug = 1

function setup(thread)
  thread:set("slug", slugs[next_slug])
  next_slug = next_slug + 1
end

local etag = nil
local writes = 0

function request()
  local path = "/api/v1/entries/" .. slug
  if etag == nil then
    return wrk.format("GET", path)
  end
  writes = writes + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["If-Match"] = etag,
    ["Content-Type"] = "application/json",
  }
  local value = string.format('"%d %s"', 500 + writes % 500, unit)
  if writes % 2 == 0 then
    return wrk.format("PATCH", path, headers, '{"attributes": {"' .. key .. '": ' .. value .. "}}")
  end
  return wrk.format("PUT", path .. "/attributes/" .. key, headers, '{"value": ' .. value .. "}")
end

function response(status, headers, body)
  etag = nil
  if status < 300 then
    for name, value in pairs(headers) do
      if string.lower(name) == "etag" then
        etag = value
      end
    end
  end
end
