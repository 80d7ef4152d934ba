// The seed's Google Drive provider with one change: its listing loop, one skwirl.emit_file_id
// call per id, becomes one skwirl.emit_file_ids call per page. Everything else in the text (the
// requests, their parameters, the paging, the other two functions) is the seed's as it is.

/** The seed's loop over a page's files, exactly as the seed's text has it. */
export const SEED_LISTING_LOOP = `    for _, file in ipairs(response.files or {}) do
      skwirl.emit_file_id(file.id)
    end
`
/** What replaces it. */
export const PAGE_AT_A_TIME = `    skwirl.emit_file_ids(response.files or {})
`

/** The seed's text with its listing loop replaced; throws if the seed's loop is not found once. */
export function seedPageAtATime(seedCode: string): string {
  const at = seedCode.indexOf(SEED_LISTING_LOOP)
  if (at < 0 || seedCode.indexOf(SEED_LISTING_LOOP, at + 1) >= 0) {
    throw new Error("the seed's listing loop is not in the text once: update bench/seed-page.ts")
  }
  return seedCode.replace(SEED_LISTING_LOOP, PAGE_AT_A_TIME)
}
