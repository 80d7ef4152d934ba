-- Dropbox: backs up every file in a Dropbox account (API v2).
--
-- Listing pages through files/list_folder (recursive) and list_folder/continue with the cursor;
-- each file's metadata comes from the listing; each file is downloaded by its id from
-- files/download. Sign-in is OAuth 2.0 with your own Dropbox app: Skwirl runs it in your browser,
-- keeps the tokens encrypted, renews the short-lived access token and adds it to every call that
-- says auth = "oauth". This code never sees a token.

skwirl.declare {
  settings = {
    {
      key = "app_key",
      label = "App key",
      required = true,
      help = [[Your own Dropbox app, made once at https://www.dropbox.com/developers/apps:
1. Create app → Scoped access → Full Dropbox → a name.
2. Permissions: tick files.metadata.read and files.content.read, then Submit.
3. Settings → OAuth 2 → Redirect URIs: add http://127.0.0.1:53690/callback
Copy the App key here (and the App secret below), save, then Sign in.]],
    },
    {
      key = "app_secret",
      label = "App secret",
      secret = true,
      help = "Shown under the App key (Settings → App secret). May be left empty: the sign-in then uses PKCE alone.",
    },
  },
  oauth = {
    authorization_url = "https://www.dropbox.com/oauth2/authorize",
    token_url = "https://api.dropboxapi.com/oauth2/token",
    scopes = { "files.metadata.read", "files.content.read" },
    client_id = { setting = "app_key" },
    client_secret = { setting = "app_secret" },
    -- offline: a refresh token, so that Skwirl can renew the 4-hour access token by itself.
    params = { token_access_type = "offline" },
    -- Dropbox wants the exact redirect URI registered with the app: a fixed port.
    redirect_port = 53690,
  },
}

local API = "https://api.dropboxapi.com"
local CONTENT = "https://content.dropboxapi.com"
local PAGE_SIZE = 2000

local json = require "json"
local time = require "time"
local log = require "log"
local storage = skwirl.storage

-- What get_file_metadata needs of an entry of the listing or of files/get_metadata. The name is
-- the path's last part (Dropbox: "only the last path component is guaranteed to be correctly
-- cased"), left out so that a million cached entries take less room.
local function facts_of(entry)
  return {
    path = entry.path_display,
    -- Dropbox's content_hash (SHA-256 of 4 MiB blocks) is not an MD5: Skwirl checks the size.
    checksum = entry.content_hash or "",
    size = entry.size,
    modified_time = entry.client_modified,
  }
end

-- Dropbox errors: {"error_summary": "path/not_found/..", "error": {...}} or plain text.
local function describe(response)
  local body = response.body
  if type(body) == "table" and body.error_summary then
    return ("HTTP %d: %s"):format(response.status, body.error_summary)
  end
  return ("HTTP %d: %s"):format(response.status, tostring(body))
end

-- Calls an RPC endpoint with JSON arguments. Skwirl adds the access token, and renews it (and
-- sends the call again, once) when Dropbox says it has expired.
local function rpc(endpoint, args)
  local response = http.post(API .. "/2/" .. endpoint, { auth = "oauth", json = args })
  if response.status == 200 then return response.body end
  if response.status == 429 then
    error(("Dropbox is limiting requests; it asks to wait %s s (%s)"):format(
      response.headers["retry-after"] or "?", endpoint), 2)
  end
  error(endpoint .. ": " .. describe(response), 2)
end

local function list_all()
  local count = 0
  local page = rpc("files/list_folder", { path = "", recursive = true, limit = PAGE_SIZE })
  while true do
    for _, entry in ipairs(page.entries) do
      if entry[".tag"] == "file" and entry.is_downloadable ~= false then
        -- Kept by Skwirl, outside Lua's memory, for get_file_metadata: a drive of a million
        -- files would not fit in Lua tables.
        skwirl.cache.set(entry.id, facts_of(entry))
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
  local facts = skwirl.cache.get(file_id)
  if not facts then
    local entry = rpc("files/get_metadata", { path = file_id })
    if entry[".tag"] ~= "file" then
      error(file_id .. " is a " .. tostring(entry[".tag"]) .. ", not a file")
    end
    facts = facts_of(entry)
  end
  facts.name = (facts.path or ""):match("[^/]*$")
  return facts
end

function download_file(file_id)
  skwirl.download_url(CONTENT .. "/2/files/download", {
    auth = "oauth",
    headers = {
      -- Header values must be ASCII: Dropbox asks for "HTTP header safe" JSON.
      ["Dropbox-API-Arg"] = json.encode({ path = file_id }, { ascii = true }),
    },
  })
end
