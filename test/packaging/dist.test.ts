// `npm run dist`: where Electron cannot be downloaded it says so in one line before building.
import { describe, expect, it, vi } from 'vitest'
import { dist } from '../../scripts/dist.mjs'

function steps(electron: () => Promise<string>) {
  const said: string[] = []
  return {
    said,
    options: {
      platform: 'linux',
      arch: 'x64',
      version: '45.4.1',
      getElectron: vi.fn(electron),
      build: vi.fn(() => 0),
      icons: vi.fn(() => 0),
      pack: vi.fn((_flags: string[]) => 0),
      say: (line: string) => said.push(line),
    },
  }
}

describe('npm run dist', () => {
  it('stops with one line, having built nothing, where Electron cannot be downloaded', async () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND github.com'), {
      code: 'ENOTFOUND',
    })
    const { said, options } = steps(() => Promise.reject(offline))
    expect(await dist(options)).toBe(1)
    expect(said).toEqual([
      'Skwirl: npm run dist needs Electron 45.4.1 for linux-x64, which could not be downloaded here (no internet); nothing was built.',
    ])
    expect(options.build).not.toHaveBeenCalled()
    expect(options.pack).not.toHaveBeenCalled()
  })

  it('builds, draws the icons, then packs for this platform with the arguments given', async () => {
    const { said, options } = steps(() => Promise.resolve('/cache/electron.zip'))
    options.pack.mockReturnValue(0)
    expect(await dist({ ...options, platform: 'darwin', args: ['--dir'] })).toBe(0)
    expect(options.build).toHaveBeenCalledOnce()
    expect(options.icons).toHaveBeenCalledOnce()
    expect(options.pack).toHaveBeenCalledWith(['--mac', '--dir'])
    expect(said).toEqual([])
  })

  it('stops at a failed build, and passes electron-builder’s failure on', async () => {
    const failedBuild = steps(() => Promise.resolve('/cache/electron.zip'))
    failedBuild.options.build.mockReturnValue(2)
    expect(await dist(failedBuild.options)).toBe(2)
    expect(failedBuild.options.pack).not.toHaveBeenCalled()

    const failedPack = steps(() => Promise.resolve('/cache/electron.zip'))
    failedPack.options.pack.mockReturnValue(1)
    expect(await dist({ ...failedPack.options, platform: 'win32' })).toBe(1)
    expect(failedPack.options.pack).toHaveBeenCalledWith(['--win'])
  })
})
