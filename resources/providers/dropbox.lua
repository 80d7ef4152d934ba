-- Dropbox: backs up every file in a Dropbox account (API v2).
--
-- Listing pages through files/list_folder (recursive) and list_folder/continue with the cursor;
-- each file's metadata comes from the listing; each file is downloaded by its id from
-- files/download. Authorization is OAuth 2 with a refresh token: the short-lived access token is
-- kept in skwirl.storage with its expiry, and renewed when it runs out or Dropbox refuses it.
--
-- Set these three from your app at https://www.dropbox.com/developers/apps and an authorization
-- with token_access_type=offline (which gives the refresh token).
local APP_KEY = "your_app_key"
local APP_SECRET = "your_app_secret"
local REFRESH_TOKEN = "your_refresh_token"

local API = "https://api.dropboxapi.com"
local CONTENT = "https://content.dropboxapi.com"
local PAGE_SIZE = 2000

local json = require "json"
local base64 = require "base64"
local url = require "url"
local time = require "time"
local log = require "log"
local storage = skwirl.storage

-- What the listing said about each file, by id, for get_file_metadata.
local listed = {}

-- Dropbox errors: {"error_summary": "path/not_found/..", "error": {...}} or plain text.
local function describe(response)
  local body = response.body
  if type(body) == "table" and body.error_summary then
    return ("HTTP %d: %s"):format(response.status, body.error_summary)
  end
  return ("HTTP %d: %s"):format(response.status, tostring(body))
end

local function access_token(renew)
  local saved = storage.get("access_token")
  if saved and not renew and saved.expires_at > time.now() + 60 then
    return saved.token
  end
  local response = http.post(API .. "/oauth2/token", {
    headers = {
      Authorization = "Basic " .. base64.encode(APP_KEY .. ":" .. APP_SECRET),
      ["Content-Type"] = "application/x-www-form-urlencoded",
    },
    body = url.query({ grant_type = "refresh_token", refresh_token = REFRESH_TOKEN }),
  })
  if response.status ~= 200 then
    local body = response.body
    local reason = type(body) == "table" and (body.error_description or body.error) or describe(response)
    error("Dropbox refused the refresh token: " .. tostring(reason), 2)
  end
  local token = response.body.access_token
  storage.set("access_token", { token = token, expires_at = time.now() + response.body.expires_in })
  log.info("renewed the access token; it expires at",
    time.format(math.floor(time.now() + response.body.expires_in)))
  return token
end

-- Calls an RPC endpoint with JSON arguments; renews the token once if Dropbox refuses it.
local function rpc(endpoint, args)
  for attempt = 1, 2 do
    local response = http.post(API .. "/2/" .. endpoint, {
      headers = { Authorization = "Bearer " .. access_token(attempt > 1) },
      json = args,
    })
    if response.status == 200 then return response.body end
    if response.status == 429 then
      error(("Dropbox is limiting requests; it asks to wait %s s (%s)"):format(
        response.headers["retry-after"] or "?", endpoint), 2)
    end
    if response.status ~= 401 or attempt == 2 then
      error(endpoint .. ": " .. describe(response), 2)
    end
    log.warn(endpoint .. ": Dropbox refused the access token (" .. describe(response) .. "); renewing it")
  end
end

local function list_all()
  local count = 0
  local page = rpc("files/list_folder", { path = "", recursive = true, limit = PAGE_SIZE })
  while true do
    for _, entry in ipairs(page.entries) do
      if entry[".tag"] == "file" and entry.is_downloadable ~= false then
        listed[entry.id] = entry
        skwirl.emit_file_id(entry.id)
        count = count + 1
      end
    end
    if not page.has_more then return count end
    page = rpc("files/list_folder/continue", { cursor = page.cursor })
  end
end

function list_file_ids()
  local previous = storage.get("last_listing")
  local ok, result = pcall(list_all)
  -- A cursor Dropbox has reset cannot go on: start over once (ids seen twice count once).
  if not ok and tostring(result):find("reset/", 1, true) then
    log.warn("Dropbox reset the listing cursor; listing again from the start")
    ok, result = pcall(list_all)
  end
  if not ok then error(result, 0) end
  if previous then
    log.info(("listed %d files (the run of %s listed %d)"):format(result, previous.at, previous.files))
  end
  storage.set("last_listing", { at = time.format(math.floor(time.now())), files = result })
end

function get_file_metadata(file_id)
  local entry = listed[file_id] or rpc("files/get_metadata", { path = file_id })
  if entry[".tag"] ~= "file" then
    error(file_id .. " is a " .. tostring(entry[".tag"]) .. ", not a file")
  end
  return {
    name = entry.name,
    path = entry.path_display,
    -- Dropbox's content_hash (SHA-256 of 4 MiB blocks) is not an MD5: Skwirl checks the size.
    checksum = entry.content_hash or "",
    size = entry.size,
    modified_time = entry.client_modified,
  }
end

local function download(file_id, renew)
  skwirl.download_url(CONTENT .. "/2/files/download", {
    headers = {
      Authorization = "Bearer " .. access_token(renew),
      -- Header values must be ASCII: Dropbox asks for "HTTP header safe" JSON.
      ["Dropbox-API-Arg"] = json.encode({ path = file_id }, { ascii = true }),
    },
  })
end

function download_file(file_id)
  local ok, err = pcall(download, file_id, false)
  if not ok and tostring(err):find("HTTP 401", 1, true) then
    log.warn("Dropbox refused the download of " .. file_id .. " (" .. err .. "); renewing the token")
    ok, err = pcall(download, file_id, true)
  end
  if not ok then error(err, 0) end
end
