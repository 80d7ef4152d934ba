// The requests the Google Drive provider makes, as the tests hold the double to them: the official
// client reads the same things (drive-double-official-client.test.ts), and the provider's run is
// checked to have asked for exactly these (google-drive-provider.test.ts).

/** files.list: every field the provider uses, so that a file costs no request of its own. */
export const LIST_FIELDS =
  'nextPageToken, incompleteSearch, files(id, name, mimeType, size, md5Checksum, modifiedTime, createdTime, parents, driveId, shortcutDetails(targetId, targetMimeType), capabilities(canDownload), ownedByMe)'

export const DRIVES_FIELDS = 'nextPageToken, drives(id, name)'

/** The folders walked in one files.list, at most (rclone's --fast-list groups about as many). */
export const FOLDERS_PER_LISTING = 50

/** One listing of the children of up to FOLDERS_PER_LISTING folders. */
export function childrenQuery(folderIds: readonly string[]): string {
  const quoted = folderIds.map(
    (id) => `'${id.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}' in parents`,
  )
  return `(${quoted.join(' or ')}) and trashed = false`
}

export const SHARED_WITH_ME_QUERY = 'sharedWithMe = true and trashed = false'

/**
 * A listing's parameters besides q and pageToken: shared drives' folders are walked with
 * corpora=allDrives unless the scope is My Drive alone; the items shared with me are found with
 * corpora=user (sharedWithMe belongs to that corpus).
 */
export function listParams(corpora: 'user' | 'allDrives'): Record<string, string> {
  return {
    corpora,
    includeItemsFromAllDrives: 'true',
    supportsAllDrives: 'true',
    pageSize: '1000',
    fields: LIST_FIELDS,
  }
}
