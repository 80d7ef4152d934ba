-- S3: backs up a bucket (or a prefix in it) of Amazon S3 or any S3-compatible storage
-- (Backblaze B2, Wasabi, Cloudflare R2, MinIO, Ceph…). It lists with ListObjectsV2, page after
-- page, and downloads each object with GET; every request is signed with AWS Signature Version 4
-- by Skwirl itself, so your secret key never reaches this code.
--
-- Checksums: an object's ETag is its MD5 when it was uploaded in one piece, and Skwirl then
-- checks the bytes it downloads against it. An object uploaded in parts has an ETag ending in
-- "-<number of parts>", which is not an MD5: Skwirl then checks the size only.

skwirl.declare {
  settings = {
    { key = "endpoint", label = "Endpoint", default = "https://s3.amazonaws.com",
      help = "Amazon S3: https://s3.<region>.amazonaws.com (or leave the default)\nOthers: their S3 endpoint, such as https://s3.us-west-004.backblazeb2.com, https://<account>.r2.cloudflarestorage.com or http://minio.local:9000" },
    { key = "region", label = "Region", default = "us-east-1",
      help = "Amazon S3: the bucket's region. Most other services accept us-east-1 (R2: auto)." },
    { key = "bucket", label = "Bucket", required = true },
    { key = "prefix", label = "Prefix", default = "",
      help = "Back up only the keys that start with this, such as photos/ (empty: the whole bucket)." },
    { key = "addressing", label = "Addressing", default = "auto",
      choices = {
        { value = "auto", label = "Automatic (virtual-host for Amazon S3, path for the others)" },
        { value = "path", label = "Path style: https://endpoint/bucket/key" },
        { value = "virtual", label = "Virtual-host style: https://bucket.endpoint/key" },
      } },
    { key = "access_key_id", label = "Access key ID", required = true },
    { key = "secret_access_key", label = "Secret access key", secret = true, required = true },
  },
}

local aws, xml, url = require "aws", require "xml", require "url"

local ENDPOINT = skwirl.setting("endpoint"):gsub("/+$", "")
local REGION = skwirl.setting("region")
local BUCKET = skwirl.setting("bucket")
local PREFIX = skwirl.setting("prefix") or ""
local scheme, host = ENDPOINT:match("^(https?)://([^/]+)$")
if not scheme then
  error("the endpoint must look like https://host (or http://host:port), got " .. ENDPOINT, 0)
end
local ADDRESSING = skwirl.setting("addressing")
if ADDRESSING == "auto" then
  ADDRESSING = host:match("amazonaws%.com$") and BUCKET:match("^[a-z0-9][a-z0-9-]*$") and "virtual" or "path"
end
-- Where the bucket's keys start, ending in a slash.
local BASE = ADDRESSING == "virtual" and (scheme .. "://" .. BUCKET .. "." .. host .. "/")
  or (ENDPOINT .. "/" .. url.encode(BUCKET) .. "/")

local function signed(request)
  request.region = REGION
  request.service = "s3"
  request.access_key_setting = "access_key_id"
  request.secret_key_setting = "secret_access_key"
  return aws.sign(request)
end

-- Each segment of a key percent-encoded, the slashes kept.
local function key_url(key)
  local parts = {}
  for segment in (key .. "/"):gmatch("([^/]*)/") do
    if segment == "." or segment == ".." then
      error("the key " .. key .. " has a '" .. segment .. "' segment, which no URL can carry")
    end
    parts[#parts + 1] = url.encode(segment)
  end
  return BASE .. table.concat(parts, "/")
end

local function fail(what, r)
  local message = ("HTTP %d"):format(r.status)
  local ok, doc = pcall(xml.decode, r.body)
  if ok and doc.name == "Error" then
    local code, text = doc:find("Code"), doc:find("Message")
    message = message .. ": " .. (code and code:text() or "") .. (text and (" (" .. text:text() .. ")") or "")
  end
  error(what .. ": " .. message, 0)
end

-- The checksum Skwirl can check (an ETag that is an MD5), else a tag that only says "changed".
local function checksum_of(etag)
  etag = etag:gsub('"', "")
  if etag:match("^%x+$") and #etag == 32 then return etag:lower() end
  return etag ~= "" and ("etag:" .. etag) or ""
end

function list_file_ids()
  local token
  repeat
    local r = http.request(signed {
      url = BASE,
      params = {
        ["list-type"] = "2",
        prefix = PREFIX ~= "" and PREFIX or nil,
        ["continuation-token"] = token,
        ["encoding-type"] = "url",
      },
    })
    if r.status ~= 200 then fail("listing the bucket " .. BUCKET, r) end
    local result = xml.decode(r.body)
    local encoded = result:find("EncodingType") and result:find("EncodingType"):text() == "url"
    for _, entry in ipairs(result:find_all("Contents")) do
      local key = entry:find("Key"):text()
      -- encoding-type=url writes keys form-encoded: "+" is a space.
      if encoded then key = url.decode((key:gsub("%+", " "))) end
      local size = tonumber(entry:find("Size"):text()) or 0
      -- A key ending in "/" with no bytes is a folder marker, not a file.
      if not (key:sub(-1) == "/" and size == 0) then
        local modified = entry:find("LastModified")
        local etag = entry:find("ETag")
        -- Kept by Skwirl, outside Lua's memory, for get_file_metadata.
        skwirl.cache.set(key, {
          size = size,
          modified_time = modified and modified:text() or "",
          checksum = etag and checksum_of(etag:text()) or "",
        })
        skwirl.emit_file_id(key)
      end
    end
    local truncated = result:find("IsTruncated")
    token = truncated and truncated:text() == "true" and result:find("NextContinuationToken"):text() or nil
  until not token
end

function get_file_metadata(key)
  local object = skwirl.cache.get(key)
  if not object then error("not in the listing: " .. key) end
  return {
    name = key:match("[^/]+$") or key,
    path = key:sub(#PREFIX + 1):gsub("^/+", ""),
    checksum = object.checksum,
    size = object.size,
    modified_time = object.modified_time,
  }
end

function download_file(key)
  local request = signed { url = key_url(key) }
  skwirl.download_url(request.url, { headers = request.headers })
end
