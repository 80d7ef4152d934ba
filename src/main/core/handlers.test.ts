import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiErrorPayload, CodeCheck, Provider, ProviderSummary } from '../../shared/api'
import {
  shippedGoogleDriveCode,
  makeDataDir,
  startTestCore,
  type TestCore,
} from '../../../test/support/fixtures'
import { createHandlers, dispatch } from './handlers'
import type { FileDialogs } from './provider-files'

let core: TestCore | undefined
afterEach(async () => {
  await core?.dispose()
  core = undefined
})

describe('dispatch: the renderer is not trusted', () => {
  it('answers listProviders and getProvider with the seeded provider', async () => {
    core = startTestCore()
    const list = await dispatch(core.handlers, 'listProviders', [], core.logger)
    expect(list.ok).toBe(true)
    const providers = (list as { value: Array<{ id: string; name: string }> }).value
    expect(providers.map((p) => p.name)).toEqual(['Google Drive'])
    const one = await dispatch(core.handlers, 'getProvider', [providers[0]!.id], core.logger)
    expect(one).toMatchObject({ ok: true, value: { name: 'Google Drive' } })
  })

  it('answers listProviderTemplates with the shipped providers, each of which compiles', async () => {
    core = startTestCore()
    const answer = await dispatch(core.handlers, 'listProviderTemplates', [], core.logger)
    expect(answer.ok).toBe(true)
    const templates = (answer as { value: Array<{ id: string; name: string; code: string }> }).value
    expect(templates.map((t) => t.id)).toEqual(['google-drive', 'dropbox', 'webdav', 's3'])
    for (const template of templates) {
      const check = await core.handlers.checkProviderCode({
        name: template.name,
        code: template.code,
      })
      expect(check.syntaxError, template.id).toBeNull()
      expect(check.missingFunctions, template.id).toEqual([])
    }
    const wrong = await dispatch(core.handlers, 'listProviderTemplates', [1], core.logger)
    expect(wrong.ok).toBe(false)
  })

  it.each([
    ['an unknown method', 'deleteEverything', [], /no API method called "deleteEverything"/],
    ['a method that is not a string', 42, [], /no API method called number 42/],
    ['arguments that are not an array', 'listProviders', 'x', /arguments must be an array/],
    ['too many arguments', 'listProviders', [1], /takes 0 arguments, got 1/],
    ['a missing id', 'getProvider', [], /takes 1 argument, got 0/],
    ['an id that is an object', 'getProvider', [{ $gt: '' }], /id must be an id string.*an object/],
    ['an id with path characters', 'execute', ['../../etc'], /providerId must be an id string/],
    ['a run id with path characters', 'cancelRun', ['../x'], /runId must be an id string/],
    [
      'a files query with an unknown field',
      'listRunFiles',
      [{ runId: 'r1', filter: 'all', offset: 0, limit: 10, order: 'x' }],
      /unknown field "order"/,
    ],
    [
      'a files filter that is not one',
      'listRunFiles',
      [{ runId: 'r1', filter: 'errors', offset: 0, limit: 10 }],
      /filter must be "all", "failed" or "skipped"/,
    ],
    [
      'a files page that is too big',
      'listRunFiles',
      [{ runId: 'r1', filter: 'all', offset: 0, limit: 501 }],
      /limit must be a whole number from 0 to 500, got number 501/,
    ],
    [
      'a negative offset',
      'listRunFiles',
      [{ runId: 'r1', filter: 'all', offset: -1, limit: 10 }],
      /offset must be a whole number/,
    ],
  ])('refuses %s with a clear invalid-argument error', async (_what, method, args, message) => {
    core = startTestCore()
    const result = await dispatch(core.handlers, method, args, core.logger)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('invalid-argument')
    expect(result.error.message).toMatch(message)
  })

  it('answers not-found for a provider that does not exist, and keeps working', async () => {
    core = startTestCore()
    const missing = await dispatch(core.handlers, 'execute', ['no-such-provider'], core.logger)
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No provider has the id no-such-provider.' },
    })
    const list = await dispatch(core.handlers, 'listProviders', [], core.logger)
    expect(list.ok).toBe(true)
  })
})

/** Calls a method as the renderer would (through dispatch), failing the test on an error. */
async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const result = await dispatch(core!.handlers, method, args, core!.logger)
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

async function refusal(method: string, ...args: unknown[]): Promise<ApiErrorPayload> {
  const result = await dispatch(core!.handlers, method, args, core!.logger)
  if (result.ok) throw new Error(`${method} was expected to fail`)
  return result.error
}

const VALID =
  'function list_file_ids() end\nfunction get_file_metadata() end\nfunction download_file() end\n'

describe('the provider API: create, update, duplicate, delete', () => {
  it('creates a provider, lists it, and tells every window the list changed', async () => {
    core = startTestCore()
    const created = await call<Provider>('createProvider', { name: ' Dropbox ', code: VALID })
    expect(created).toMatchObject({ name: 'Dropbox', code: VALID })
    expect(core.providerChanges).toBe(1)
    const names = (await call<ProviderSummary[]>('listProviders')).map((p) => p.name)
    expect(names).toEqual(['Dropbox', 'Google Drive'])
    expect(await call<Provider>('getProvider', created.id)).toEqual(created)
  })

  it('refuses a taken name (any case), a blank name and code that does not compile', async () => {
    core = startTestCore()
    expect(await refusal('createProvider', { name: 'GOOGLE DRIVE', code: VALID })).toEqual({
      code: 'conflict',
      message: 'A provider named “GOOGLE DRIVE” already exists. Choose another name.',
    })
    expect(await refusal('createProvider', { name: '  ', code: VALID })).toEqual({
      code: 'invalid-argument',
      message: 'A provider needs a name.',
    })
    expect(await refusal('createProvider', { name: 'X', code: 'function (' })).toEqual({
      code: 'invalid-argument',
      message: "The code does not compile: line 1: <name> expected near '('",
    })
    expect(core.providerChanges).toBe(0)
    expect(await call<ProviderSummary[]>('listProviders')).toHaveLength(1)
  })

  it('saves name and code in one update, and refuses an outdated save', async () => {
    core = startTestCore()
    const [drive] = await call<ProviderSummary[]>('listProviders')
    const saved = await call<Provider>('updateProvider', drive!.id, {
      name: 'My Drive',
      code: VALID,
      expectedUpdatedAt: drive!.updatedAt,
    })
    expect(saved).toMatchObject({ id: drive!.id, name: 'My Drive', code: VALID })
    expect(core.providerChanges).toBe(1)
    expect(
      await refusal('updateProvider', drive!.id, {
        name: 'My Drive',
        code: 'x = 1',
        expectedUpdatedAt: drive!.updatedAt,
      }),
    ).toMatchObject({ code: 'outdated' })
    expect(
      await refusal('updateProvider', drive!.id, {
        name: 'My Drive',
        code: 'x = = 1',
        expectedUpdatedAt: null,
      }),
    ).toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/line 1/) })
    expect((await call<Provider>('getProvider', drive!.id)).code).toBe(VALID)
  })

  it('duplicates and deletes', async () => {
    core = startTestCore()
    const [drive] = await call<ProviderSummary[]>('listProviders')
    const copy = await call<Provider>('duplicateProvider', drive!.id)
    expect(copy.name).toBe('Google Drive copy')
    expect(await call('deleteProvider', drive!.id)).toBeUndefined()
    expect((await call<ProviderSummary[]>('listProviders')).map((p) => p.name)).toEqual([
      'Google Drive copy',
    ])
    expect(await refusal('deleteProvider', drive!.id)).toMatchObject({ code: 'not-found' })
    expect(core.providerChanges).toBe(2)
  })

  it('checks code without storing or running it', async () => {
    core = startTestCore()
    expect(
      await call<CodeCheck>('checkProviderCode', { name: 'Draft', code: 'x = 1\ny = = 2' }),
    ).toEqual({
      syntaxError: { line: 2, message: "unexpected symbol near '='" },
      missingFunctions: [],
    })
    expect(
      await call<CodeCheck>('checkProviderCode', {
        name: '',
        code: 'function list_file_ids() end',
      }),
    ).toEqual({ syntaxError: null, missingFunctions: ['get_file_metadata', 'download_file'] })
    expect(core.providerChanges).toBe(0)
    expect(await call<ProviderSummary[]>('listProviders')).toHaveLength(1)
  })

  it.each([
    ['a provider that is not an object', 'createProvider', ['x'], /the provider must be an object/],
    [
      'a name that is not a string',
      'createProvider',
      [{ name: 1, code: '' }],
      /name must be a string/,
    ],
    [
      'an unknown field',
      'createProvider',
      [{ name: 'a', code: '', id: 'x' }],
      /unknown field "id"/,
    ],
    [
      'a huge name',
      'createProvider',
      [{ name: 'n'.repeat(400), code: '' }],
      /at most 80 characters/,
    ],
    [
      'code over the limit',
      'checkProviderCode',
      [{ name: 'a', code: ' '.repeat(1_000_001) }],
      /the code is too long/,
    ],
    [
      'an update without expectedUpdatedAt',
      'updateProvider',
      ['google-drive', { name: 'a', code: '' }],
      /expectedUpdatedAt must be a time string or null/,
    ],
    [
      'an update without its id',
      'updateProvider',
      [{ name: 'a', code: '', expectedUpdatedAt: null }],
      /takes 2 arguments/,
    ],
    ['a delete of a path', 'deleteProvider', ['../x'], /id must be an id string/],
  ])('refuses %s', async (_what, method, args, message) => {
    core = startTestCore()
    const error = await refusal(method, ...args)
    expect(error.code).toBe('invalid-argument')
    expect(error.message).toMatch(message)
  })
})

describe('the provider API: files through the system dialogs', () => {
  function dialogs(answers: { open?: string | null; save?: string | null }) {
    const asked: string[] = []
    const fake: FileDialogs = {
      chooseFileToImport: async () => answers.open ?? null,
      chooseFileToExport: async (fileName) => {
        asked.push(fileName)
        return answers.save ?? null
      },
    }
    return { fake, asked }
  }

  it('imports a .lua file as a name and code for the editor, without storing it', async () => {
    const dir = makeDataDir()
    try {
      const file = join(dir.dir, 'My Cloud.lua')
      writeFileSync(file, `\uFEFF${VALID}`)
      core = startTestCore({}, undefined, dialogs({ open: file }).fake)
      expect(await call('importProviderFile')).toEqual({ name: 'My Cloud', code: VALID })
      expect(await call<ProviderSummary[]>('listProviders')).toHaveLength(1)
    } finally {
      dir.remove()
    }
  })

  it('answers null when the dialog is cancelled, and says why a file cannot be read', async () => {
    const dir = makeDataDir()
    try {
      core = startTestCore({}, undefined, dialogs({ open: null }).fake)
      expect(await call('importProviderFile')).toBeNull()
      await core.dispose()
      const binary = join(dir.dir, 'image.lua')
      writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x80]))
      core = startTestCore({}, undefined, dialogs({ open: binary }).fake)
      expect(await refusal('importProviderFile')).toEqual({
        code: 'invalid-argument',
        message: 'image.lua is not UTF-8 text, so it cannot be Lua code.',
      })
      await core.dispose()
      core = startTestCore({}, undefined, dialogs({ open: join(dir.dir, 'gone.lua') }).fake)
      expect(await refusal('importProviderFile')).toEqual({
        code: 'invalid-argument',
        message: 'Couldn’t read gone.lua: there is no such file or folder.',
      })
    } finally {
      dir.remove()
    }
  })

  it('exports the saved code where the dialog says, suggesting the provider’s name', async () => {
    const dir = makeDataDir()
    try {
      const target = join(dir.dir, 'out.lua')
      const { fake, asked } = dialogs({ save: target })
      core = startTestCore({}, undefined, fake)
      const [drive] = await call<ProviderSummary[]>('listProviders')
      expect(await call('exportProviderFile', drive!.id)).toEqual({ path: target })
      expect(asked).toEqual(['Google Drive.lua'])
      expect(readFileSync(target, 'utf8')).toBe(shippedGoogleDriveCode())
      // Only the file itself is left behind: no temporary file.
      expect(readdirSync(dir.dir)).toEqual(['out.lua'])
    } finally {
      dir.remove()
    }
  })

  it('says the dialogs are desktop-only where there are none (browser mode)', async () => {
    core = startTestCore()
    const [drive] = await call<ProviderSummary[]>('listProviders')
    for (const [method, args] of [
      ['importProviderFile', []],
      ['exportProviderFile', [drive!.id]],
    ] as const) {
      expect(await refusal(method, ...args)).toMatchObject({
        code: 'unsupported',
        message: expect.stringMatching(/only in the desktop app/),
      })
    }
  })
})

describe('the log file', () => {
  it('is opened by the system when the desktop lends a way to, and named either way', async () => {
    core = startTestCore()
    // Browser mode and the CLI: nothing opens files, so the answer says where the log is.
    expect(await call('openLogFile')).toEqual({ path: core.logger.file, opened: false })

    const opened: string[] = []
    const desktop = createHandlers({
      providers: core.providers,
      options: core.options,
      checks: core.checks,
      runs: core.runs,
      providerSettings: core.providerSettings,
      signIns: core.signIns,
      secrets: core.secrets,
      logFile: core.logger.file,
      templates: () => [],
      backupOverview: core.backupOverview,
      test: core.test,
      setOptions: core.setOptions,
      settings: { get: core.settingsView, update: core.updateSettings },
      openPath: async (path) => {
        opened.push(path)
        return true
      },
    })
    expect(await desktop.openLogFile()).toEqual({ path: core.logger.file, opened: true })
    expect(opened).toEqual([core.logger.file])
  })
})

describe('destinations: options, folders, checks', () => {
  it('lists and sets a provider’s options, telling every window; refuses bad ones clearly', async () => {
    core = startTestCore()
    const [drive] = await call<ProviderSummary[]>('listProviders')
    const id = drive!.id
    expect(await call('listProviderOptions')).toEqual({
      [id]: { destination: null, retentionDays: 30, transfers: 1, schedule: { kind: 'off' } },
    })
    const folder = join(core.dataDir, 'Backups', 'Drive')
    expect(
      await call('setProviderOptions', id, { destination: folder, retentionDays: 14 }),
    ).toEqual({ destination: folder, retentionDays: 14, transfers: 1, schedule: { kind: 'off' } })
    expect(core.providerChanges).toBe(1)
    expect((await call<Record<string, unknown>>('listProviderOptions'))[id]).toEqual({
      destination: folder,
      retentionDays: 14,
      transfers: 1,
      schedule: { kind: 'off' },
    })
    expect(await call('setProviderOptions', id, { transfers: 6 })).toMatchObject({ transfers: 6 })
    expect(await refusal('setProviderOptions', id, { transfers: 17 })).toMatchObject({
      code: 'invalid-argument',
      message:
        'setProviderOptions: transfers must be a whole number from 1 (one file at a time) to 16, got 17.',
    })
    expect(await refusal('setProviderOptions', id, { destination: 'Backups' })).toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/^Give the folder's full path/),
    })
    expect(await refusal('setProviderOptions', id, { dest: folder })).toMatchObject({
      message: 'setProviderOptions: the options has an unknown field "dest".',
    })
    expect(await refusal('setProviderOptions', id, { retentionDays: '7' })).toMatchObject({
      message: expect.stringMatching(/retentionDays must be a whole number/),
    })
    expect(await refusal('setProviderOptions', 'nobody', { retentionDays: 7 })).toMatchObject({
      code: 'not-found',
    })
  })

  it('runs into the destination, offers Verify all only with one, and checks the folder', async () => {
    core = startTestCore()
    const { id } = await call<Provider>('createProvider', { name: 'Empty', code: VALID })
    expect(await refusal('execute', id, { verifyAll: true })).toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/choose a destination first/),
    })
    expect(await refusal('execute', id, { verifyAll: 'yes' })).toMatchObject({
      message: 'execute: verifyAll must be true or false, got "yes".',
    })
    expect(await refusal('openDestinationFolder', id)).toMatchObject({
      message: expect.stringMatching(/^This provider has no destination/),
    })
    expect(await refusal('checkBackup', id)).toMatchObject({ code: 'invalid-argument' })
    // Browser mode: no folder dialog, and the folder is named rather than opened.
    expect(await refusal('chooseDestinationFolder')).toMatchObject({ code: 'unsupported' })

    const folder = join(core.dataDir, 'backup')
    await call('setProviderOptions', id, { destination: folder })
    expect(await call('openDestinationFolder', id)).toEqual({ path: folder, opened: false })
    // A provider that lists nothing: the run completes at once, into the folder.
    const { runId } = await call<{ runId: string }>('execute', id)
    expect(core.runs.find(runId)?.destination).toBe(folder)
    await vi.waitFor(() => expect(core!.runs.find(runId)?.status).toBe('completed'), {
      timeout: 20_000,
    })

    const { checkId } = await call<{ checkId: string }>('checkBackup', id)
    await vi.waitFor(() => expect(core!.checkUpdates.at(-1)?.finishedAt).not.toBeNull())
    expect(core.checkUpdates.at(-1)).toMatchObject({
      checkId,
      providerId: id,
      dir: folder,
      status: 'done',
      checked: 0,
      problems: 0,
      error: null,
    })
  })
})

describe('.lua files opened with Skwirl', () => {
  it('are handed to the window once each; where none were opened, the list is empty', async () => {
    core = startTestCore()
    expect(await call('takeOpenedProviderFiles')).toEqual([])
    const folder = makeDataDir()
    try {
      writeFileSync(join(folder.dir, 'Box.lua'), VALID)
      core.openedFiles.add(join(folder.dir, 'Box.lua'))
      expect(await call('takeOpenedProviderFiles')).toEqual([
        { fileName: 'Box.lua', provider: { name: 'Box', code: VALID }, error: null },
      ])
      expect(await call('takeOpenedProviderFiles')).toEqual([])
      expect((await refusal('takeOpenedProviderFiles', 'extra')).code).toBe('invalid-argument')
    } finally {
      folder.remove()
    }
  })
})
