// Lua run once in every fresh state, before the provider's code: it closes the sandbox.
// Arguments: HOST (the marker a host call yields), CANNOT_WAIT (the error for a host call made
// where it cannot be passed up), tripped (is the CPU budget spent?), host_print (where print's
// text goes), modules (the tables require hands out, by name).
export const PRELUDE = String.raw`
local HOST, CANNOT_WAIT, tripped, host_print, modules = ...
local co_create, co_resume, co_yield = coroutine.create, coroutine.resume, coroutine.yield
local co_status, co_isyieldable = coroutine.status, coroutine.isyieldable
local error, select, setmetatable, rawequal, tostring, next, type =
  error, select, setmetatable, rawequal, tostring, next, type
local raw_rawset, raw_load, concat = rawset, load, table.concat
local pack, unpack = table.pack, table.unpack

-- A host call made inside the provider's own coroutine yields HOST: pass that yield up to the
-- runner and hand the answer back down, so the provider's resume never swallows it. A spent
-- CPU budget is passed up the same way.
local function forward(co, ok, first, ...)
  if ok and (rawequal(first, HOST) or tripped()) and co_status(co) == "suspended" then
    if rawequal(first, HOST) and not co_isyieldable() then error(CANNOT_WAIT, 0) end
    return forward(co, co_resume(co, co_yield(HOST)))
  end
  return ok, first, ...
end

local function resume(co, ...)
  return forward(co, co_resume(co, ...))
end

local function wrap(f)
  local co = co_create(f)
  return function(...)
    local r = pack(forward(co, co_resume(co, ...)))
    if r[1] then return unpack(r, 2, r.n) end
    error(r[2], 0)
  end
end

local protected = {}
local function readonly(name, lib, call)
  local proxy = setmetatable({}, {
    __index = lib,
    __newindex = function(_, key)
      error("the " .. name .. " library cannot be changed (tried to set " .. tostring(key) .. ")", 2)
    end,
    -- Iterate through a closure: handing out next's state would hand out the real table.
    __pairs = function(t) return function(_, key) return next(lib, key) end, t, nil end,
    __call = call,
    __metatable = false,
  })
  protected[proxy] = true
  return proxy
end

string.dump = nil
getmetatable("").__metatable = false

local os_time, os_clock, os_date, os_difftime = os.time, os.clock, os.date, os.difftime

string = readonly("string", string)
table = readonly("table", table)
math = readonly("math", math)
utf8 = readonly("utf8", utf8)
os = readonly("os", { time = os_time, clock = os_clock, date = os_date, difftime = os_difftime })
coroutine = readonly("coroutine", {
  create = co_create,
  resume = resume,
  yield = co_yield,
  status = co_status,
  running = coroutine.running,
  isyieldable = coroutine.isyieldable,
  wrap = wrap,
})
http = readonly("http", http)
skwirl.storage = readonly("skwirl.storage", skwirl.storage)
skwirl = readonly("skwirl", skwirl)

-- require hands out the modules, each read-only; nothing is loaded from files.
local loaded, names = { http = http, skwirl = skwirl }, { "http", "skwirl" }
for name, lib in next, modules do
  local inspect = lib.inspect
  -- inspect(value) is a call, as with kikito's inspect.lua; inspect.inspect(value) works too.
  loaded[name] = readonly(name, lib, inspect and function(_, ...) return inspect(...) end)
  names[#names + 1] = name
end
table.sort(names)
local module_list = concat(names, ", ")
require = function(name)
  local lib = type(name) == "string" and loaded[name] or nil
  if lib then return lib end
  local shown = type(name) == "string" and ("%q"):format(name) or "a " .. type(name)
  error("require: there is no module " .. shown .. "; the modules are " .. module_list
    .. " (a provider cannot load files)", 2)
end

rawset = function(t, k, v)
  if protected[t] then error("library tables cannot be changed", 2) end
  return raw_rawset(t, k, v)
end

-- Only source text may be loaded; an explicit env argument is kept as given.
load = function(...)
  local chunk, name, _, env = ...
  if select("#", ...) >= 4 then return raw_load(chunk, name, "t", env) end
  return raw_load(chunk, name, "t")
end

print = function(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  host_print(concat(parts, "\t"))
end

dofile, loadfile, collectgarbage = nil, nil, nil
`
