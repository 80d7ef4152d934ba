-- Google Drive: backs up the files in your Google Drive with the Drive API v3.
--
-- Sign-in is OAuth 2.0 with your own OAuth client (a "Desktop app" client from Google Cloud
-- Console, allowed to read Drive). Skwirl runs the sign-in in your browser, keeps the tokens
-- encrypted, and adds them to every call below that says auth = "oauth": this code never sees
-- a token.

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

local API = "https://www.googleapis.com/drive/v3"

function list_file_ids()
  local page_token = nil

  repeat
    local response = http.get(API .. "/files", {
      auth = "oauth",
      params = {
        pageSize = 1000,
        pageToken = page_token,
        fields = "nextPageToken, files(id)",
        q = "trashed=false"
      }
    })

    if response.error then
      error("Failed to list files: " .. response.error.message)
    end

    for _, file in ipairs(response.files or {}) do
      skwirl.emit_file_id(file.id)
    end

    page_token = response.nextPageToken
  until not page_token
end

function get_file_metadata(file_id)
  local response = http.get(API .. "/files/" .. file_id, {
    auth = "oauth",
    params = {
      fields = "id, name, size, modifiedTime, md5Checksum, mimeType"
    }
  })

  if response.error then
    error("Failed to get file metadata: " .. response.error.message)
  end

  if not response.md5Checksum then
    error("No checksum available for file: " .. response.name)
  end

  return {
    name = response.name,
    path = response.name,
    checksum = response.md5Checksum,
    size = tonumber(response.size) or 0,
    modified_time = response.modifiedTime
  }
end

function download_file(file_id)
  skwirl.download_url(API .. "/files/" .. file_id .. "?alt=media", { auth = "oauth" })
end
