-- WebDAV: backs up a folder of any WebDAV server (Nextcloud, ownCloud, Synology, a NAS, Apache,
-- rclone serve webdav…). It walks the folder tree with PROPFIND Depth: 1, one folder at a time
-- (servers refuse Depth: infinity), and downloads each file with GET.
--
-- Checksums: Nextcloud and ownCloud can give a file's MD5 (oc:checksums); Skwirl then checks the
-- bytes it downloads against it. Other servers give only an ETag, which says that a file changed,
-- not what its bytes are: Skwirl then checks the size only.

skwirl.declare {
  settings = {
    { key = "server", label = "Server", default = "nextcloud",
      choices = {
        { value = "nextcloud", label = "Nextcloud or ownCloud" },
        { value = "webdav", label = "Another WebDAV server" },
      } },
    { key = "url", label = "Address", required = true,
      help = "Nextcloud or ownCloud: the address you open in your browser, such as https://cloud.example.com\nAnother server: the WebDAV address of the folder, such as https://nas.example.com:5006/home" },
    { key = "username", label = "User name",
      help = "Leave it empty for a server that asks for none." },
    { key = "password", label = "Password", secret = true,
      help = "Nextcloud: make an app password for Skwirl in Settings → Security → Devices & sessions, rather than giving your own password." },
    { key = "folder", label = "Folder to back up", default = "/",
      help = "A folder inside the account, such as /Photos; / backs up everything." },
  },
}

local xml, url, base64 = require "xml", require "url", require "base64"

local DAV = "DAV:"
local OC = "http://owncloud.org/ns"

local function trim_slashes(s) return (s:gsub("^/+", ""):gsub("/+$", "")) end

-- Each segment of a slash-separated path, percent-encoded for a URL.
local function encode_path(path)
  local parts = {}
  for segment in path:gmatch("[^/]+") do parts[#parts + 1] = url.encode(segment) end
  return table.concat(parts, "/")
end

local SERVER = skwirl.setting("server")
local USERNAME = skwirl.setting("username") or ""
local ADDRESS = skwirl.setting("url"):gsub("/+$", "")
if not ADDRESS:match("^https?://[^/]") then
  error("the address must start with https:// (or http://), got " .. ADDRESS, 0)
end
-- The URL of the account's root, ending in a slash.
local ROOT
if SERVER == "nextcloud" then
  if USERNAME == "" then error("Nextcloud and ownCloud need the user name", 0) end
  ROOT = ADDRESS .. "/remote.php/dav/files/" .. url.encode(USERNAME) .. "/"
else
  ROOT = ADDRESS .. "/"
end
local FOLDER = trim_slashes(skwirl.setting("folder") or "/")
-- The path part of ROOT, decoded: hrefs in answers are compared with it.
local ROOT_PATH = url.decode(ROOT:match("^https?://[^/]+(/.*)$"))

local HEADERS = {}
if USERNAME ~= "" then
  local password = skwirl.setting("password") or ""
  HEADERS.Authorization = "Basic " .. base64.encode(USERNAME .. ":" .. password)
end

local PROPFIND = xml.encode({ name = "propfind", ns = DAV,
  { name = "prop", ns = DAV,
    { name = "resourcetype", ns = DAV },
    { name = "getcontentlength", ns = DAV },
    { name = "getlastmodified", ns = DAV },
    { name = "getetag", ns = DAV },
    { name = "checksums", ns = OC },
  },
}, { prefixes = { d = DAV, oc = OC } })

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
  Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

-- "Tue, 01 Dec 2026 23:33:01 GMT" (RFC 1123, what getlastmodified holds) as RFC 3339.
local function rfc3339(http_date)
  local d, mon, y, h, mi, s = http_date:match("^%a+, (%d+) (%a+) (%d+) (%d+):(%d+):(%d+) GMT$")
  if not d or not MONTHS[mon] then return "" end
  return ("%04d-%02d-%02dT%02d:%02d:%02dZ"):format(tonumber(y), MONTHS[mon], tonumber(d),
    tonumber(h), tonumber(mi), tonumber(s))
end

-- The checksum Skwirl can check (an MD5), else a tag that only says whether the file changed.
local function checksum_of(prop)
  local sums = prop:find("checksums", OC)
  if sums then
    local md5, other
    for _, sum in ipairs(sums:find_all("checksum", OC)) do
      for kind, value in sum:text():gmatch("(%w+):(%x+)") do
        if kind:upper() == "MD5" then md5 = value:lower() else other = other or (kind:lower() .. ":" .. value:lower()) end
      end
    end
    if md5 then return md5 end
    if other then return other end
  end
  local etag = prop:find("getetag", DAV)
  if etag and etag:text() ~= "" then return "etag:" .. etag:text():gsub('^W/', ''):gsub('"', '') end
  return ""
end

-- The path of an href relative to ROOT (decoded), or nil when it lies outside it.
local function relative(href)
  local path = url.decode(href:gsub("^https?://[^/]+", ""))
  if path:sub(1, #ROOT_PATH) ~= ROOT_PATH then
    -- Some servers answer without the trailing slash of a folder.
    if path .. "/" == ROOT_PATH then return "" end
    return nil
  end
  return trim_slashes(path:sub(#ROOT_PATH + 1))
end

local function describe(status, body)
  if status == 401 then return "the server refused the user name or password (HTTP 401)" end
  if status == 403 then return "the server refused access (HTTP 403)" end
  if status == 404 then return "not found on the server (HTTP 404)" end
  local text = type(body) == "string" and body:gsub("%s+", " "):sub(1, 200) or ""
  return ("HTTP %d %s"):format(status, text)
end

-- PROPFIND Depth: 1 on a folder: its files are recorded and emitted, its folders returned.
local function list_folder(folder)
  local r = http.request {
    method = "PROPFIND",
    url = ROOT .. encode_path(folder) .. (folder == "" and "" or "/"),
    headers = { Depth = "1", ["Content-Type"] = "application/xml; charset=utf-8",
      Authorization = HEADERS.Authorization },
    body = PROPFIND,
    raw = true,
  }
  if r.status ~= 207 then
    error(("listing /%s: %s"):format(folder, describe(r.status, r.body)), 0)
  end
  local folders = {}
  for _, response in ipairs(xml.decode(r.body):find_all("response", DAV)) do
    local path = relative(response:find("href", DAV):text())
    if path and path ~= folder then
      for _, propstat in ipairs(response:find_all("propstat", DAV)) do
        local status = propstat:find("status", DAV)
        if status and status:text():match("^HTTP/%d[%d.]* 200") then
          local prop = propstat:find("prop", DAV)
          local kind = prop:find("resourcetype", DAV)
          if kind and kind:find("collection", DAV) then
            folders[#folders + 1] = path
          else
            local length = prop:find("getcontentlength", DAV)
            local modified = prop:find("getlastmodified", DAV)
            -- Kept by Skwirl, outside Lua's memory, for get_file_metadata.
            skwirl.cache.set(path, {
              size = tonumber(length and length:text()) or 0,
              modified_time = modified and rfc3339(modified:text()) or "",
              checksum = checksum_of(prop),
            })
            skwirl.emit_file_id(path)
          end
        end
      end
    end
  end
  return folders
end

-- Breadth first: one PROPFIND Depth: 1 per folder, folders queued as they are found.
function list_file_ids()
  local queue, first, last = { FOLDER }, 1, 1
  while first <= last do
    local folder = queue[first]
    queue[first] = nil
    first = first + 1
    for _, sub in ipairs(list_folder(folder)) do
      last = last + 1
      queue[last] = sub
    end
  end
end

function get_file_metadata(path)
  local file = skwirl.cache.get(path)
  if not file then error("not in the listing: " .. path) end
  local inside = FOLDER == "" and path or path:sub(#FOLDER + 2)
  return {
    name = path:match("[^/]+$"),
    path = inside,
    checksum = file.checksum,
    size = file.size,
    modified_time = file.modified_time,
  }
end

function download_file(path)
  skwirl.download_url(ROOT .. encode_path(path), { headers = HEADERS })
end
