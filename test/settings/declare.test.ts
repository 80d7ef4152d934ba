// skwirl.declare and skwirl.setting through the real core and real runner processes: what the
// host reads from a provider's code without calling its functions, what the code reads back,
// and the errors a provider author sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provider as withList, run, runError } from '../sandbox/harness'
import { startTestCore, type TestCore } from '../support/fixtures'

let core: TestCore

beforeAll(() => {
  core = startTestCore()
})

afterAll(async () => {
  await core.dispose()
})

const DECLARE = `
skwirl.declare {
  settings = {
    { key = "folder", label = "Folder", default = "/", help = "Which folder to back up" },
    { key = "format", label = "Export as", choices = { "docx", { value = "pdf", label = "PDF" } }, default = "docx" },
    { key = "api_key", label = "API key", secret = true },
    { key = "region", label = "Region", required = true },
  },
}
`

function stored(code: string, name = 'Declaring') {
  return core.providers.create({ name: `${name} ${Math.random().toString(36).slice(2, 8)}`, code })
}

describe('reading a declaration', () => {
  it('runs only the chunk: the provider functions are never called, the host never asked', async () => {
    const code = `${DECLARE}
function list_file_ids() error("list_file_ids must not run") end
function get_file_metadata() end
function download_file() end
`
    const read = await core.providerSettings.declarations.read({
      id: 'x1',
      name: 'Declaring',
      code,
    })
    expect(read.error).toBeNull()
    expect(read.declaration?.settings.map((s) => [s.key, s.secret, s.default, s.required])).toEqual(
      [
        ['folder', false, '/', false],
        ['format', false, 'docx', false],
        ['api_key', true, null, false],
        ['region', false, null, true],
      ],
    )
    expect(read.declaration?.settings[1]?.choices).toEqual([
      { value: 'docx', label: 'docx' },
      { value: 'pdf', label: 'PDF' },
    ])
    expect(read.declaration?.oauth).toBeNull()
  })

  it('is empty for code that declares nothing, and says why code that fails first is unreadable', async () => {
    const none = await core.providerSettings.declarations.read({
      id: 'x2',
      name: 'Plain',
      code: 'function list_file_ids() end',
    })
    expect(none).toEqual({ declaration: { settings: [], oauth: null }, error: null })

    const failing = await core.providerSettings.declarations.read({
      id: 'x3',
      name: 'Failing',
      code: `local page = http.get("http://127.0.0.1:9/")\n${DECLARE}`,
    })
    expect(failing.declaration).toBeNull()
    expect(failing.error).toMatch(
      /^Failing:1: .*http\.get is not available while Skwirl reads the provider's settings/,
    )
  })

  it('names the line and the field of a declaration that is wrong', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'skwirl.declare { settings = { { key = "Bad Key" } } }',
        /settings\[1\]\.key "Bad Key" must start with a lower-case letter/,
      ],
      [
        'skwirl.declare { settings = { { key = "a" }, { key = "a" } } }',
        /the key "a" is declared twice/,
      ],
      [
        'skwirl.declare { settings = { { key = "a", secret = true, default = "x" } } }',
        /is secret and cannot have a default/,
      ],
      ['skwirl.declare { settings = { { key = "a", colour = "red" } } }', /unknown field "colour"/],
      [
        'skwirl.declare { oauth = { authorization_url = "http://example.com/a", token_url = "https://e/t", client_id = "c" } }',
        /oauth\.authorization_url must be an https URL/,
      ],
      [
        'skwirl.declare { oauth = { authorization_url = "https://e/a", token_url = "https://e/t", client_id = { setting = "nope" } } }',
        /oauth\.client_id names the setting "nope", which is not declared/,
      ],
      [
        'skwirl.declare { settings = { { key = "s" } }, oauth = { authorization_url = "https://e/a", token_url = "https://e/t", client_id = "c", client_secret = { setting = "s" } } }',
        /must be declared secret = true/,
      ],
      [
        'skwirl.declare { oauth = { authorization_url = "https://e/a", token_url = "https://e/t", client_id = "c", params = { state = "x" } } }',
        /oauth\.params\.state is set by Skwirl itself/,
      ],
    ]
    for (const [code, message] of cases) {
      const read = await core.providerSettings.declarations.read({
        id: `w-${code.length}`,
        name: 'Wrong',
        code,
      })
      expect(read.declaration, code).toBeNull()
      expect(read.error, code).toMatch(/^Wrong:\d+: /)
      expect(read.error, code).toMatch(message)
    }
  })
})

describe('skwirl.setting in a run', () => {
  it('reads set values, defaults, secrets (asked of main) and nil', async () => {
    const provider = stored(`${DECLARE}
function list_file_ids()
  assert(skwirl.setting("folder") == "/Photos", "folder: " .. tostring(skwirl.setting("folder")))
  assert(skwirl.setting("format") == "docx", "format falls back to its default")
  assert(skwirl.setting("api_key") == "sk-live-0123456789", "the secret")
  assert(skwirl.setting("region") == "eu", "region")
  log.info("the key is " .. skwirl.setting("api_key"))
end
log = require "log"
function get_file_metadata() end
function download_file() end
`)
    const declaration = await core.providerSettings.declared(provider)
    await core.providerSettings.update(provider.id, declaration, {
      folder: '/Photos',
      api_key: 'sk-live-0123456789',
      region: 'eu',
    })
    const { done } = core.runs.start(provider)
    const outcome = await done
    expect(runError(outcome)).toBe('')
    expect(outcome.status).toBe('completed')
    // A secret the code read and logged is masked in the log.
    expect(core.readLog()).toContain('the key is [redacted]')
    expect(core.readLog()).not.toContain('sk-live-0123456789')
  })

  it('fails clearly for an unknown key, and for a required setting that is not set', async () => {
    const unknown = await run(core, withList('skwirl.setting("nope")', DECLARE), 'Unknown')
    expect(runError(unknown)).toMatch(
      /^list: Unknown:\d+: in list_file_ids: skwirl\.setting: no setting "nope" is declared \(the settings are folder, format, api_key, region\)$/,
    )
    const provider = stored(withList('skwirl.setting("region")', DECLARE))
    const { done } = core.runs.start(provider)
    expect(runError(await done)).toMatch(
      /skwirl\.setting: the setting "Region" \(region\) is required and not set; set it in the provider's settings, or with skwirl provider set NAME --setting region=…$/,
    )
  })

  it('refuses auth = "oauth" without a declared sign-in, and beside an Authorization header', async () => {
    const none = await run(
      core,
      withList('http.get("http://127.0.0.1:9/", { auth = "oauth" })'),
      'NoSignIn',
    )
    expect(runError(none)).toMatch(
      /options\.auth = "oauth" needs a sign-in: declare it with skwirl\.declare/,
    )
    const both = await run(
      core,
      withList(
        'http.get("http://127.0.0.1:9/", { auth = "oauth", headers = { Authorization = "Bearer x" } })',
        'skwirl.declare { oauth = { authorization_url = "https://e/a", token_url = "https://e/t", client_id = "c" } }',
      ),
      'Both',
    )
    expect(runError(both)).toMatch(/give options\.auth or an Authorization header, not both/)
    const wrong = await run(
      core,
      withList('http.get("http://127.0.0.1:9/", { auth = "basic" })'),
      'Wrong',
    )
    expect(runError(wrong)).toMatch(/options\.auth must be "oauth"/)
    const twice = await run(core, withList('', 'skwirl.declare {}\nskwirl.declare {}'), 'Twice')
    expect(runError(twice)).toBe(
      'load: Twice:7: in the main chunk: skwirl.declare: called a second time (the first call was at Twice:6); declare once',
    )
  })
})

describe('settings values', () => {
  it('are checked against the declaration; secrets are stored encrypted, never in clear', async () => {
    const provider = stored(DECLARE)
    const declaration = await core.providerSettings.declared(provider)
    await expect(
      core.providerSettings.update(provider.id, declaration, { colour: 'red' }),
    ).rejects.toThrow(
      'The provider declares no setting “colour”; its settings are folder, format, api_key, region.',
    )
    await expect(
      core.providerSettings.update(provider.id, declaration, { format: 'odt' }),
    ).rejects.toThrow('Export as must be one of "docx", "pdf".')
    await core.providerSettings.update(provider.id, declaration, {
      api_key: 'sk-live-never-in-clear',
      folder: '/A',
    })
    expect(core.providerSettings.values(provider.id, declaration)).toEqual({
      folder: { isSet: true, value: '/A' },
      format: { isSet: false, value: null },
      api_key: { isSet: true, value: null },
      region: { isSet: false, value: null },
    })
    const rows = core.db.prepare('SELECT data FROM secrets').all() as Array<{ data: Buffer }>
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row.data.includes('sk-live-never-in-clear')).toBe(false)
    expect(await core.providerSettings.secretValue(provider.id, 'api_key')).toBe(
      'sk-live-never-in-clear',
    )

    await core.providerSettings.update(provider.id, declaration, { api_key: null, folder: null })
    expect(core.providerSettings.values(provider.id, declaration).api_key).toEqual({
      isSet: false,
      value: null,
    })
    expect(core.providerSettings.values(provider.id, declaration).folder).toEqual({
      isSet: false,
      value: null,
    })
  })
})
