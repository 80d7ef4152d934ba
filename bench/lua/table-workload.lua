-- The Lua speed scenario's workload: build and walk tables as a provider does with JSON
-- listings (a page of file records, ids kept once, sizes summed, names sorted). Pure Lua, the
-- same text for fengari and for lua5.4. Returns a summary so both can be checked to agree.
function table_workload(pages, per_page)
  pages, per_page = tonumber(pages), tonumber(per_page)
  local ids, by_id, total = {}, {}, 0
  for p = 1, pages do
    local page = { kind = "drive#fileList", nextPageToken = "token-" .. p, files = {} }
    for i = 1, per_page do
      local n = (p - 1) * per_page + i
      page.files[i] = {
        kind = "drive#file",
        id = string.format("f%07d", n),
        name = "file-" .. ((n * 7919) % 1000003) .. ".bin",
        mimeType = "application/octet-stream",
        size = tostring(1024 + n % 3072),
        parents = { "0AFakeRootFolderUk9PVA" },
      }
    end
    for _, file in ipairs(page.files) do
      if not by_id[file.id] then
        by_id[file.id] = file
        ids[#ids + 1] = file.id
      end
      total = total + tonumber(file.size)
    end
  end
  local names = {}
  for i, id in ipairs(ids) do names[i] = by_id[id].name end
  table.sort(names)
  return #ids .. " ids, " .. math.floor(total) .. " bytes, first " .. names[1]
end

-- lua5.4 bench/lua/table-workload.lua PAGES PER_PAGE prints "<ms> <summary>"
if arg and arg[1] then
  local started = os.clock()
  local summary = table_workload(tonumber(arg[1]), tonumber(arg[2]))
  print(string.format("%.3f %s", (os.clock() - started) * 1000, summary))
end
