// .lua files opened with Skwirl: found in a command line, read once, handed to the window once.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDataDir } from '../../../test/support/fixtures'
import { luaFilesInArgs, OpenedFiles } from './opened-files'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.()
})

function tempDir(): string {
  const dir = makeDataDir()
  cleanups.push(dir.remove)
  return dir.dir
}

describe('luaFilesInArgs', () => {
  it('keeps .lua paths (resolved against the working folder) and file:// URLs, nothing else', () => {
    const args = [
      '--no-sandbox',
      '.',
      'providers/My Cloud.lua',
      '/abs/Other.LUA',
      'notes.txt',
      pathToFileURL('/home/me/Drive backup.lua').href,
      '--allow-file-access-from-files',
    ]
    expect(luaFilesInArgs(args, '/work')).toEqual([
      '/work/providers/My Cloud.lua',
      '/abs/Other.LUA',
      '/home/me/Drive backup.lua',
    ])
  })
})

describe('OpenedFiles', () => {
  it('reads each file when it is opened and hands it out once, oldest first', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'My Cloud.lua'), 'function list_file_ids() end\n')
    writeFileSync(join(dir, 'Second.lua'), '-- second\n')
    const opened = new OpenedFiles()
    opened.add(join(dir, 'My Cloud.lua'))
    opened.add(join(dir, 'Second.lua'))
    // The file changes after it was opened: what the person opened is what they get.
    writeFileSync(join(dir, 'My Cloud.lua'), '-- changed later\n')
    expect(opened.take()).toEqual([
      {
        fileName: 'My Cloud.lua',
        provider: { name: 'My Cloud', code: 'function list_file_ids() end\n' },
        error: null,
      },
      { fileName: 'Second.lua', provider: { name: 'Second', code: '-- second\n' }, error: null },
    ])
    expect(opened.take()).toEqual([])
  })

  it('says why a file could not be opened, in words for the person', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'folder.lua'))
    writeFileSync(join(dir, 'latin1.lua'), Buffer.from([0x2d, 0x2d, 0x20, 0xe9, 0x0a]))
    const opened = new OpenedFiles()
    opened.add(join(dir, 'missing.lua'))
    opened.add(join(dir, 'folder.lua'))
    opened.add(join(dir, 'latin1.lua'))
    expect(opened.take()).toEqual([
      {
        fileName: 'missing.lua',
        provider: null,
        error: 'Couldn’t read missing.lua: there is no such file or folder.',
      },
      { fileName: 'folder.lua', provider: null, error: 'folder.lua is not a file.' },
      {
        fileName: 'latin1.lua',
        provider: null,
        error: 'latin1.lua is not UTF-8 text, so it cannot be Lua code.',
      },
    ])
  })
})
