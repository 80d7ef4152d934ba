/** What a new provider starts with: the three functions, the host API, and what each returns. */
export const NEW_PROVIDER_CODE = `-- A Skwirl provider: three global functions that Skwirl calls in turn.
-- Host API: http.get(url, { headers = {…}, params = {…} }) returns the body (JSON as a table),
-- skwirl.emit_file_id(id) records a file, skwirl.download_url(url, { headers = {…} }) downloads it.

local BASE = "https://api.example.com"
local AUTH = { Authorization = "Bearer <token>" }

-- Call skwirl.emit_file_id(id) once for every file to back up.
function list_file_ids()
  local page = http.get(BASE .. "/files", { headers = AUTH })
  for _, file in ipairs(page.items) do
    skwirl.emit_file_id(file.id)
  end
end

-- Return the file's name, path, checksum (MD5), size and modified_time.
function get_file_metadata(file_id)
  local file = http.get(BASE .. "/files/" .. file_id, { headers = AUTH })
  return {
    name = file.name,
    path = file.path,
    checksum = file.md5,
    size = file.size,
    modified_time = file.updated_at,
  }
end

-- Start the download; Skwirl streams it and checks its size and checksum.
function download_file(file_id)
  skwirl.download_url(BASE .. "/files/" .. file_id .. "/content", { headers = AUTH })
end
`
