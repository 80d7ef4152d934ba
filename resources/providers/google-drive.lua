function list_file_ids()
  local access_token = "hardcoded_token_for_now"
  local page_token = nil
  
  repeat
    local response = http.get("https://www.googleapis.com/drive/v3/files", {
      headers = {
        Authorization = "Bearer " .. access_token
      },
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
  local access_token = "hardcoded_token_for_now"
  
  local response = http.get(
    "https://www.googleapis.com/drive/v3/files/" .. file_id,
    {
      headers = {
        Authorization = "Bearer " .. access_token
      },
      params = {
        fields = "id, name, size, modifiedTime, md5Checksum, mimeType"
      }
    }
  )
  
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
  local access_token = "hardcoded_token_for_now"
  
  skwirl.download_url(
    "https://www.googleapis.com/drive/v3/files/" .. file_id .. "?alt=media",
    {
      headers = {
        Authorization = "Bearer " .. access_token
      }
    }
  )
end
