-- Google Drive: backs up My Drive, your shared drives and (if you ask) what others shared with
-- you, with the Drive API v3.
--
-- * Folders become folders ("My Drive/…", "Shared drives/<name>/…", "Shared with me/…").
-- * Google Docs, Sheets, Slides and Drawings are exported (Office formats, or PDF: a setting).
-- * What cannot be downloaded is skipped, with why: folders themselves, shortcuts, forms, sites,
--   maps, files over Google's export limit, files Google flags as malware (unless you say so).
-- * One listing request brings every field a file needs, so a file costs one request: its
--   download. The listing is kept in compact strings, not a table per file.

skwirl.declare {
  settings = {
    {
      key = "client_id",
      label = "OAuth client ID",
      required = true,
      help = [[Your own OAuth client, made once in Google Cloud Console (https://console.cloud.google.com):
1. Create a project (or pick one), then enable the Google Drive API for it (APIs & Services → Library → Google Drive API → Enable).
2. Google Auth Platform → Branding: give the app a name and your email. Audience: External, then Publish app (a client left in Testing must sign in again every 7 days).
3. Data access → Add or remove scopes: add .../auth/drive.readonly.
4. Clients → Create client → Application type: Desktop app → Create.
Copy its client ID here and its client secret below, save, then Sign in.]],
    },
    {
      key = "client_secret",
      label = "OAuth client secret",
      secret = true,
      required = true,
      help = "Shown with the client ID (Clients → your Desktop app client). Kept encrypted; never shown again.",
    },
    {
      key = "scope",
      label = "What to back up",
      default = "shared-drives",
      choices = {
        { value = "my-drive", label = "My Drive only" },
        { value = "shared-drives", label = "My Drive and shared drives" },
        { value = "shared-with-me", label = "My Drive, shared drives and files shared with me" },
      },
      help = "Files shared with you are backed up under “Shared with me”; the same file is never backed up twice.",
    },
    {
      key = "export_format",
      label = "Google Docs, Sheets, Slides and Drawings",
      default = "office",
      choices = {
        { value = "office", label = "Office files (.docx, .xlsx, .pptx; Drawings as .svg)" },
        { value = "pdf", label = "PDF" },
      },
      help = "Google exports each of these files when it is backed up. A file over Google's export limit (10 MB) is skipped, and the run says so.",
    },
    {
      key = "abuse",
      label = "Files Google flags as malware or spam",
      default = "skip",
      choices = {
        { value = "skip", label = "Skip them" },
        { value = "download", label = "Download them anyway (I understand the risk)" },
      },
      help = "Google refuses to hand out a file it flags as malware or spam unless its owner acknowledges the risk. Only files you own (or in your shared drives) can be downloaded this way.",
    },
  },
  oauth = {
    authorization_url = "https://accounts.google.com/o/oauth2/v2/auth",
    token_url = "https://oauth2.googleapis.com/token",
    revocation_url = "https://oauth2.googleapis.com/revoke",
    scopes = { "https://www.googleapis.com/auth/drive.readonly" },
    client_id = { setting = "client_id" },
    client_secret = { setting = "client_secret" },
    -- offline: Google gives a refresh token; consent: it gives one again on a later sign-in.
    params = { access_type = "offline", prompt = "consent" },
  },
}

local log = require "log"
local time = require "time"
local url = require "url"

local API = "https://www.googleapis.com/drive/v3"

-- Drive allows 12,000 requests a minute per user: one every 5.2 ms after a burst of 100 stays
-- under it in any minute. Rate-limit answers (403 userRateLimitExceeded, 429) are retried by
-- Skwirl with backoff; so are 5xx answers and broken connections.
http.configure { min_interval = 0.0052, burst = 100 }

local FOLDER = "application/vnd.google-apps.folder"
local SHORTCUT = "application/vnd.google-apps.shortcut"
local GOOGLE = "application/vnd.google-apps."

-- Every field a file needs, so get_file_metadata never asks Drive again.
local LIST_FIELDS = "nextPageToken, incompleteSearch, files(id, name, mimeType, size, md5Checksum, modifiedTime, createdTime, parents, driveId, shortcutDetails(targetId, targetMimeType), capabilities(canDownload), ownedByMe)"
local FOLDERS_PER_LISTING = 50

local PDF = { "application/pdf", "pdf" }
-- What each Google Workspace type is exported as: Office formats (Drawings as SVG), or PDF.
local EXPORTS = {
  document = { office = { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" }, pdf = PDF },
  spreadsheet = { office = { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" }, pdf = PDF },
  presentation = { office = { "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx" }, pdf = PDF },
  drawing = { office = { "image/svg+xml", "svg" }, pdf = PDF },
  script = { office = { "application/vnd.google-apps.script+json", "json" } },
  jam = { office = PDF },
}
local NOT_EXPORTABLE = {
  form = "a Google Form: Drive cannot export forms (Google Takeout can)",
  site = "a Google Site: Drive cannot export sites",
  map = "a Google My Maps map: Drive cannot export maps",
  ["drive-sdk"] = "a file of another app connected to Drive: Drive has nothing to download",
  fusiontable = "a Fusion Table: Google has retired them",
}

-- Read when the run starts listing (the settings form reads the declaration above alone).
local settings = {}

local function export_of(kind)
  local formats = EXPORTS[kind]
  return formats and (formats[settings.export_format] or formats.office)
end

-- Names ------------------------------------------------------------------------------------

-- A Drive name as one path segment: "/" cannot be one (mapped as rclone maps it), nor can "."
-- or ".." or nothing; control characters become spaces.
local function segment(name)
  if name == nil or name == "" then return "Untitled" end
  if name == "." then return "．" end
  if name == ".." then return "．．" end
  if not name:find("[%c/]") then return name end
  return (name:gsub("%c", " "):gsub("/", "／"))
end

local function with_extension(name, extension)
  if name:lower():sub(-#extension - 1) == "." .. extension then return name end
  return name .. "." .. extension
end

-- "report.pdf" → "report (1a2b3c4d).pdf": the tag goes before the extension.
local function tagged(name, tag)
  local dot = name:match("^.*()%.")
  if dot and dot > 1 then return name:sub(1, dot - 1) .. " (" .. tag .. ")" .. name:sub(dot) end
  return name .. " (" .. tag .. ")"
end

-- The listing, kept compact ------------------------------------------------------------------

-- One record per file, emitted in order: "\n" id "\t" kind "\t" size "\t" md5 "\t" modified
-- "\t" extra "\t" folder "\t" name. Records are joined into chunk strings of a few thousand
-- (a string costs fengari a few bytes a character; a table costs it kilobytes), and
-- get_file_metadata reads them in the order they were emitted. (A host-side store can take
-- this place: listing.add and listing.find are all the rest of the provider uses.)
local listing = { chunks = {}, pending = {}, count = 0, chunk = 1, at = 1 }

function listing.add(record)
  listing.count = listing.count + 1
  listing.pending[listing.count] = record
  if listing.count >= 4000 then listing.flush() end
end

function listing.flush()
  if listing.count == 0 then return end
  listing.chunks[#listing.chunks + 1] = "\n" .. table.concat(listing.pending, "\n", 1, listing.count) .. "\n"
  listing.pending, listing.count = {}, 0
end

-- The record of `id`: where the last one ended (files come in listing order), else anywhere.
function listing.find(id)
  local key = "\n" .. id .. "\t"
  local chunk = listing.chunks[listing.chunk]
  if chunk and chunk:sub(listing.at, listing.at + #key - 1) == key then
    local stop = chunk:find("\n", listing.at + 1, true)
    local record = chunk:sub(listing.at + 1, stop - 1)
    listing.at = stop
    if listing.at >= #chunk then
      -- Done with this chunk: let it go.
      listing.chunks[listing.chunk] = false
      listing.chunk, listing.at = listing.chunk + 1, 1
    end
    return record
  end
  for n = 1, #listing.chunks do
    local other = listing.chunks[n]
    local start = other and other:find(key, 1, true)
    if start then
      local stop = other:find("\n", start + 1, true)
      return other:sub(start + 1, stop - 1)
    end
  end
  return nil
end

-- Folders: their paths, by number (a record names its folder by number).
local folder_paths, folder_ids = {}, {}
local queue, queued = {}, 0

local function add_folder(id, path)
  local n = #folder_paths + 1
  folder_paths[n], folder_ids[n] = path, id
  queued = queued + 1
  queue[queued] = n
  return n
end

-- Listing ------------------------------------------------------------------------------------

local function list_params(params, corpora)
  params.corpora = corpora
  params.includeItemsFromAllDrives = "true"
  params.supportsAllDrives = "true"
  params.pageSize = 1000
  params.fields = LIST_FIELDS
  return params
end

-- What a listed file is: "d" folder, "s" shortcut, "e" export, "u" not exportable, "n" not
-- downloadable (its owner says so), "f" a file; and what that kind needs (extra).
local function classify(f)
  local mime = f.mimeType or ""
  if mime == FOLDER then return "d", "" end
  if mime == SHORTCUT then return "s", (f.shortcutDetails and f.shortcutDetails.targetId) or "" end
  if mime:sub(1, #GOOGLE) == GOOGLE then
    local kind = mime:sub(#GOOGLE + 1)
    if EXPORTS[kind] then return "e", kind end
    return "u", kind
  end
  if f.capabilities and f.capabilities.canDownload == false then return "n", "" end
  return "f", ""
end

-- Folders, files and exports take names in a folder; skipped items do not.
local NAMED = { d = true, f = true, e = true, n = true }

-- A folder's children as one listing found them, in parallel lists of strings (a table per
-- file would cost fengari far more than its strings).
local function new_children()
  return { n = 0, id = {}, kind = {}, extra = {}, base = {}, created = {}, size = {}, md5 = {}, modified = {} }
end

-- Every page of one listing, into the children of the folder each file belongs to. A page token
-- Drive has let expire, or a search it could not finish, raises "restart": the caller lists
-- again from the start.
local function list_pages(params, slots, into, orphans)
  local token = nil
  repeat
    params.pageToken = token
    local ok, page = pcall(http.get, API .. "/files", { auth = "oauth", params = params })
    if not ok then
      if token and tostring(page):find("HTTP 400", 1, true) then error("restart", 0) end
      error(page, 0)
    end
    if page.incompleteSearch then error("restart", 0) end
    for _, f in ipairs(page.files or {}) do
      -- A file with two parents (Drive allowed it before 2020) is kept under its first.
      local parents = f.parents
      local slot
      if parents then slot = slots[parents[1]] else slot = orphans end
      if slot then
        local c = into[slot]
        local n = c.n + 1
        c.n = n
        local kind, extra = classify(f)
        local base = segment(f.name)
        if kind == "e" then base = with_extension(base, export_of(extra)[2]) end
        c.id[n], c.kind[n], c.extra[n], c.base[n] = f.id, kind, extra, base
        c.created[n] = (f.createdTime or "") .. "\t" .. f.id
        c.size[n], c.md5[n], c.modified[n] = f.size or "", f.md5Checksum or "", f.modifiedTime or ""
      end
    end
    token = page.nextPageToken
  until not token
end

-- The names children take in their folder: their own, except that two cannot share one on
-- disk (ignoring case): the oldest (created, then id) keeps it, so no file is renamed later, and
-- each other gets the start of its id.
local function child_names(c)
  local names, groups, duplicated = {}, {}, false
  for i = 1, c.n do
    names[i] = c.base[i]
    if NAMED[c.kind[i]] then
      local key = c.base[i]:lower()
      local group = groups[key]
      if group then
        group[#group + 1] = i
        duplicated = true
      else
        groups[key] = { i }
      end
    end
  end
  if not duplicated then return names end
  local taken = {}
  for key in pairs(groups) do taken[key] = true end
  for _, group in pairs(groups) do
    if #group > 1 then
      table.sort(group, function(a, b) return c.created[a] < c.created[b] end)
      for g = 2, #group do
        local i = group[g]
        local name = tagged(c.base[i], c.id[i]:sub(1, 8))
        if taken[name:lower()] then name = tagged(c.base[i], c.id[i]) end
        taken[name:lower()] = true
        names[i] = name
      end
    end
  end
  return names
end

-- Lists with `params` (a query limited to the folders in `batch`), then names, emits and keeps
-- every child: folders join the walk.
local function list_children(batch, params, orphans)
  local slots, into
  for attempt = 1, 3 do
    slots, into = {}, {}
    for slot, folder in ipairs(batch) do
      slots[folder_ids[folder]] = slot
      into[slot] = new_children()
    end
    local ok, err = pcall(list_pages, params, slots, into, orphans)
    if ok then break end
    if err ~= "restart" then error(err, 0) end
    if attempt == 3 then
      error("Drive kept refusing its page tokens (or could not finish its search) three times: the listing stops", 0)
    end
    log.warn("Drive let a page token expire (or could not finish a search): listing those folders again")
  end
  for slot, folder in ipairs(batch) do
    local c = into[slot]
    local names = child_names(c)
    local path = folder_paths[folder]
    -- The folder's ids in one call (c.id holds exactly its c.n ids, in order).
    skwirl.emit_file_ids(c.id)
    for i = 1, c.n do
      local id, kind, name = c.id[i], c.kind[i], names[i]
      if kind == "d" then add_folder(id, path .. "/" .. name) end
      listing.add(id .. "\t" .. kind .. "\t" .. c.size[i] .. "\t" .. c.md5[i] .. "\t" .. c.modified[i]
        .. "\t" .. c.extra[i] .. "\t" .. folder .. "\t" .. name)
    end
  end
end

-- Walks every queued folder, FOLDERS_PER_LISTING to a listing, breadth first.
local function walk(head, corpora)
  while head <= queued do
    local batch, ids = {}, {}
    while head <= queued and #batch < FOLDERS_PER_LISTING do
      batch[#batch + 1] = queue[head]
      ids[#ids + 1] = "'" .. folder_ids[queue[head]] .. "' in parents"
      queue[head] = false
      head = head + 1
    end
    local q = "(" .. table.concat(ids, " or ") .. ") and trashed = false"
    list_children(batch, list_params({ q = q }, corpora))
  end
  return head
end

-- Shared drives, named as folders are (two drives with one name are told apart).
local function shared_drives()
  local drives, token = {}, nil
  repeat
    local page = http.get(API .. "/drives", {
      auth = "oauth",
      params = { pageSize = 100, pageToken = token, fields = "nextPageToken, drives(id, name)" },
    })
    for _, d in ipairs(page.drives or {}) do drives[#drives + 1] = d end
    token = page.nextPageToken
  until not token
  local taken = {}
  for _, d in ipairs(drives) do
    local name = segment(d.name)
    if taken[name:lower()] then name = tagged(name, d.id:sub(1, 8)) end
    taken[name:lower()] = true
    d.path = "Shared drives/" .. name
  end
  return drives
end

function list_file_ids()
  settings.scope = skwirl.setting("scope")
  settings.export_format = skwirl.setting("export_format")
  settings.abuse = skwirl.setting("abuse")
  local started = time.now()
  local root = http.get(API .. "/files/root", { auth = "oauth", params = { fields = "id" } })
  add_folder(root.id, "My Drive")
  local corpora = "user"
  if settings.scope ~= "my-drive" then
    corpora = "allDrives"
    for _, d in ipairs(shared_drives()) do add_folder(d.id, d.path) end
  end
  local head = walk(1, corpora)
  if settings.scope == "shared-with-me" then
    -- The items shared with me directly, side by side in one folder of their own; their
    -- folders are walked like any other.
    local virtual = add_folder("\0shared-with-me", "Shared with me")
    queue[queued] = false
    head = head + 1
    -- Only those without a parent I can see: the others are reached through their folder.
    list_children({ virtual }, list_params({ q = "sharedWithMe = true and trashed = false" }, "user"), 1)
    walk(head, corpora)
  end
  listing.flush()
  log.info(("listed %d folders in %.1f s"):format(#folder_paths, time.now() - started))
end

-- Per file -----------------------------------------------------------------------------------

local current = { id = nil }

local function record_of(file_id)
  if current.id == file_id then return current end
  local record = listing.find(file_id)
  if not record then error("this file was not in the listing: " .. file_id) end
  local id, kind, size, md5, modified, extra, folder, name = record:match(
    "^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  current = {
    id = id, kind = kind, size = tonumber(size), md5 = md5, modified = modified, extra = extra,
    name = name, path = folder_paths[tonumber(folder)] .. "/" .. name,
  }
  return current
end

local SKIPS = {
  d = function() return "a folder: its files are backed up inside it" end,
  s = function() return "a shortcut to another item in Drive (backed up where it lives, when that is in what you back up)" end,
  u = function(f) return NOT_EXPORTABLE[f.extra] or ("a Google " .. f.extra .. " file, which Drive cannot export") end,
  n = function() return "its owner has turned off downloading, printing and copying for it" end,
}

function get_file_metadata(file_id)
  local f = record_of(file_id)
  local skip = SKIPS[f.kind]
  if skip then return { skip = skip(f), name = f.name, path = f.path } end
  if f.kind == "e" then
    -- An export is made on the fly: its size and checksum are not known until it arrives.
    return { name = f.name, path = f.path, checksum = false, modified_time = f.modified }
  end
  return {
    name = f.name,
    path = f.path,
    -- A few files (some uploaded by other apps) have no MD5: they are kept unverified.
    checksum = f.md5 ~= "" and f.md5 or false,
    size = f.size or 0,
    modified_time = f.modified,
  }
end

function download_file(file_id)
  local f = record_of(file_id)
  local target
  if f.kind == "e" then
    target = API .. "/files/" .. file_id .. "/export?mimeType=" .. url.encode(export_of(f.extra)[1])
  else
    target = API .. "/files/" .. file_id .. "?alt=media&supportsAllDrives=true"
    if settings.abuse == "download" then target = target .. "&acknowledgeAbuse=true" end
  end
  local ok, err = pcall(skwirl.download_url, target, { auth = "oauth" })
  if ok then return end
  local message = tostring(err)
  if message:find("too large to be exported", 1, true) then
    return { skip = "too large for Google to export (its limit is 10 MB)" }
  end
  if message:find("malware or spam", 1, true) then
    if settings.abuse == "download" then
      return { skip = "Google flags it as malware or spam, and only its owner may download it anyway" }
    end
    return { skip = "Google flags it as malware or spam; to back it up anyway, set “Files Google flags as malware or spam” to Download" }
  end
  error(err, 0)
end
