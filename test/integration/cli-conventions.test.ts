// The CLI's conventions (restic's and rclone's) as a table: each command line through the real
// binary, with its exit code, stdout and stderr. Then what only a terminal shows: one progress
// line redrawn in place and cut to the width, colours unless NO_COLOR; and the completion
// scripts, completing in bash, zsh and fish.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/main/cli/commands'
import { EXIT_CODES } from '../../src/main/cli/grammar'
import { FAST_HTTP_ENV, makeDataDir, REPO_ROOT } from '../support/fixtures'

const BIN = join(REPO_ROOT, 'bin', 'skwirl.cjs')
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version

const OK =
  'function list_file_ids() end\nfunction get_file_metadata(id) end\nfunction download_file(id) end\n'
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e'
/** Two files: one backed up (an empty file from the local server), one whose metadata fails. */
const someFail = (
  url: string,
) => `function list_file_ids() skwirl.emit_file_id("a") skwirl.emit_file_id("b") end
function get_file_metadata(id)
  if id == "b" then error("no such file") end
  return { name = "a", path = "a", checksum = "${EMPTY_MD5}", size = 0, modified_time = "2025-01-01T00:00:00Z" }
end
function download_file(id) skwirl.download_url("${url}/empty") end
`
/** Forty empty files, each download a little slow: a run to watch on a terminal. */
const slow = (
  url: string,
) => `function list_file_ids() for i = 1, 40 do skwirl.emit_file_id("f" .. i) end end
function get_file_metadata(id)
  return { name = id, path = id, checksum = "${EMPTY_MD5}", size = 0, modified_time = "2025-01-01T00:00:00Z" }
end
function download_file(id) skwirl.download_url("${url}/slow") end
`
const REST = 'function get_file_metadata(id) end\nfunction download_file(id) end\n'
const FAILS = `function list_file_ids() error("the service is down") end\n${REST}`
const CHATTY = `function list_file_ids() require("log").debug("counting", 3) end\n${REST}`

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

let data: { dir: string; remove: () => void }
const file = (name: string) => join(data.dir, name)
/** Empty files, at once (/empty) or after 40 ms (/slow). */
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = () => res.writeHead(200, { 'content-length': '0' }).end()
    if (req.url === '/slow') setTimeout(send, 40)
    else send()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  data = makeDataDir()
  writeFileSync(file('ok.lua'), OK)
  writeFileSync(file('some-fail.lua'), someFail(url))
  for (const name of ['slow-one', 'slow-two', 'slow-three'])
    writeFileSync(file(`${name}.lua`), slow(url))
  writeFileSync(file('fails.lua'), FAILS)
  writeFileSync(file('chatty.lua'), CHATTY)
  writeFileSync(file('broken.lua'), 'function list_file_ids()\n  local x = = 1\nend\n')
})

afterAll(async () => {
  data.remove()
  await new Promise((resolve) => server.close(resolve))
})

function skwirl(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SKWIRL_') && key !== 'NO_COLOR'),
  )
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: data.dir,
    env: { ...base, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

type Expect = string | RegExp | ((text: string) => void)

interface Case {
  args: string[]
  env?: Record<string, string>
  code: number
  stdout: Expect
  stderr: Expect
}

/** The provider group's commands, in the table's order. */
const PROVIDER_COMMANDS = COMMANDS.filter((c) => c.name[0] === 'provider').map((c) => c.name[1])

const usage = (message: string, help = 'skwirl --help'): string =>
  `skwirl: ${message}\nRun '${help}' for help.\n`

const json = (check: (value: unknown) => void) => (text: string) => {
  expect(text.endsWith('\n') && text.trimEnd().split('\n')).toHaveLength(1)
  check(JSON.parse(text))
}

const jsonError = (code: string, message: RegExp) =>
  json((value) =>
    expect(value).toEqual({ error: { code, message: expect.stringMatching(message) } }),
  )

const report = (fields: Record<string, unknown>) =>
  json((value) => expect(value).toMatchObject(fields))

const SUMMARY = (name: string, said: string) =>
  new RegExp(
    `^${name}: ${said}\\. \\d+ listed, \\d+ downloaded, \\d+ skipped, \\d+ failed, \\S+ \\S+\\.$`,
    'm',
  )

const CASES: Array<[string, Case]> = [
  // Help and version
  [
    '--help',
    { args: ['--help'], code: 0, stdout: /^Usage: skwirl \[options\] <command>/, stderr: '' },
  ],
  ['-h', { args: ['-h'], code: 0, stdout: /^Usage: skwirl \[options\] <command>/, stderr: '' }],
  ['no command', { args: [], code: 0, stdout: /^Usage: skwirl/, stderr: '' }],
  [
    'help run',
    {
      args: ['help', 'run'],
      code: 0,
      stdout: /^Usage: skwirl run <name \| file\.lua> \[options\]\n {7}skwirl run --due/,
      stderr: '',
    },
  ],
  [
    'run --help',
    { args: ['run', '--help'], code: 0, stdout: /^Usage: skwirl run <name/, stderr: '' },
  ],
  [
    'provider -h',
    {
      args: ['provider', '-h'],
      code: 0,
      stdout: /^Usage: skwirl provider <command>[^]*provider set /,
      stderr: '',
    },
  ],
  ['--version', { args: ['--version'], code: 0, stdout: `${VERSION}\n`, stderr: '' }],
  ['-V', { args: ['-V'], code: 0, stdout: `${VERSION}\n`, stderr: '' }],
  [
    '--version after a command',
    { args: ['provider', 'list', '--version'], code: 0, stdout: `${VERSION}\n`, stderr: '' },
  ],
  [
    '--version among wrong flags',
    { args: ['run', '--bogus', '-V'], code: 0, stdout: `${VERSION}\n`, stderr: '' },
  ],
  [
    '--version --json',
    {
      args: ['--version', '--json'],
      code: 0,
      stdout: json((v) => expect(v).toEqual({ version: VERSION })),
      stderr: '',
    },
  ],
  // Usage errors: one line and a hint, exit 2, never the whole help
  [
    'an unknown command',
    { args: ['bogus'], code: 2, stdout: '', stderr: usage('unknown command "bogus"') },
  ],
  [
    'a near miss',
    {
      args: ['rn', 'x'],
      code: 2,
      stdout: '',
      stderr: usage('unknown command "rn" (did you mean "run"?)'),
    },
  ],
  [
    'an unknown subcommand',
    {
      args: ['provider', 'lst'],
      code: 2,
      stdout: '',
      stderr: usage(
        'unknown command "provider lst" (did you mean "provider list"?)',
        'skwirl provider --help',
      ),
    },
  ],
  [
    'a group without its command',
    {
      args: ['provider'],
      code: 2,
      stdout: '',
      stderr: usage(
        `provider needs a command: ${PROVIDER_COMMANDS.join(', ')}`,
        'skwirl provider --help',
      ),
    },
  ],
  [
    'an unknown flag',
    {
      args: ['run', '--bogus', 'ok.lua'],
      code: 2,
      stdout: '',
      stderr: usage('unknown flag --bogus', 'skwirl run --help'),
    },
  ],
  [
    'a misspelt flag',
    {
      args: ['run', 'ok.lua', '--jsn'],
      code: 2,
      stdout: '',
      stderr: usage('unknown flag --jsn (did you mean "--json"?)', 'skwirl run --help'),
    },
  ],
  [
    'an unknown short flag',
    {
      args: ['runs', '-x'],
      code: 2,
      stdout: '',
      stderr: usage('unknown flag -x', 'skwirl runs --help'),
    },
  ],
  [
    'a value on a switch',
    {
      args: ['provider', 'list', '--json=yes'],
      code: 2,
      stdout: '',
      stderr: usage('--json takes no value', 'skwirl provider list --help'),
    },
  ],
  [
    'a flag without its value',
    {
      args: ['serve', '--port'],
      code: 2,
      stdout: '',
      stderr: usage('--port needs a value', 'skwirl serve --help'),
    },
  ],
  [
    'a value that is not a port',
    {
      args: ['serve', '-p', '70000'],
      code: 2,
      stdout: '',
      stderr: usage('--port must be a number from 0 to 65535, got 70000', 'skwirl serve --help'),
    },
  ],
  [
    'a command flag before the command',
    {
      args: ['--port', '8080', 'serve'],
      code: 2,
      stdout: '',
      stderr: usage('--port goes after the command it belongs to (skwirl <command> --port)'),
    },
  ],
  [
    'a missing argument',
    {
      args: ['run'],
      code: 2,
      stdout: '',
      stderr: usage('run needs a provider name or a .lua file (or --due)', 'skwirl run --help'),
    },
  ],
  [
    'one argument too many',
    {
      args: ['provider', 'remove', 'a', 'b'],
      code: 2,
      stdout: '',
      stderr: usage(
        'provider remove takes <name>; "b" is one argument too many',
        'skwirl provider remove --help',
      ),
    },
  ],
  [
    'two missing arguments',
    {
      args: ['provider', 'add'],
      code: 2,
      stdout: '',
      stderr: usage('provider add needs <name> and <file.lua>', 'skwirl provider add --help'),
    },
  ],
  [
    'flags that do not go together',
    {
      args: ['provider', 'export', 'x', '-f'],
      code: 2,
      stdout: '',
      stderr: usage(
        '--force is for replacing a file; there is none to replace',
        'skwirl provider export --help',
      ),
    },
  ],
  [
    'a bad schedule',
    {
      args: ['provider', 'set', 'x', '-s', 'daily 25:00'],
      code: 2,
      stdout: '',
      stderr: /^skwirl: --schedule "daily 25:00": not a time; a schedule is off, hourly/,
    },
  ],
  [
    'flags that contradict',
    {
      args: ['provider', 'set', 'x', '--dest', 'a', '--no-dest'],
      code: 2,
      stdout: '',
      stderr: usage(
        '--dest and --no-dest contradict each other; give one',
        'skwirl provider set --help',
      ),
    },
  ],
  [
    'nothing to set',
    {
      args: ['provider', 'set', 'x'],
      code: 2,
      stdout: '',
      stderr:
        /^skwirl: provider set needs something to set: --schedule .*, --dest DIR, --no-dest, --retention DAYS, --transfers N, --setting KEY=VALUE, --setting-stdin KEY or --clear-setting KEY\n/,
    },
  ],
  [
    '--verify without a destination',
    {
      args: ['run', 'ok.lua', '--no-dest', '--verify'],
      code: 2,
      stdout: '',
      stderr: usage(
        '--verify compares with the kept copies; it needs a destination',
        'skwirl run --help',
      ),
    },
  ],
  [
    'verify without its folder',
    {
      args: ['verify'],
      code: 2,
      stdout: '',
      stderr: usage('verify needs <DIR>', 'skwirl verify --help'),
    },
  ],
  [
    'verify, not a backup (--json)',
    {
      args: ['verify', '.', '--json'],
      code: 1,
      stdout: jsonError('failed', /is not a Skwirl backup/),
      stderr: '',
    },
  ],
  [
    'a setting without its value',
    {
      args: ['provider', 'set', 'x', '--setting', 'folder'],
      code: 2,
      stdout: '',
      stderr: /^skwirl: --setting takes KEY=VALUE, got "folder"/,
    },
  ],
  [
    'a setting given twice',
    {
      args: ['provider', 'set', 'x', '--setting', 'a=1', '--clear-setting', 'a'],
      code: 2,
      stdout: '',
      stderr: usage('the setting a is given more than once', 'skwirl provider set --help'),
    },
  ],
  [
    'auth without a provider',
    {
      args: ['auth'],
      code: 2,
      stdout: '',
      stderr: usage('auth needs <name>', 'skwirl auth --help'),
    },
  ],
  [
    'auth, signing out (--json)',
    {
      args: ['auth', 'Google Drive', '--json', '--sign-out'],
      code: 0,
      stdout: json((v) => expect(v).toEqual({ provider: 'Google Drive', signedIn: false })),
      stderr: '',
    },
  ],
  [
    'auth for a missing provider (--json)',
    {
      args: ['auth', 'Nope', '--json'],
      code: 1,
      stdout: jsonError('not-found', /^no provider named "Nope"/),
      stderr: '',
    },
  ],
  [
    'a bad limit',
    {
      args: ['runs', '-n', '0'],
      code: 2,
      stdout: '',
      stderr: usage('--limit must be a number from 1 to 100000, got 0', 'skwirl runs --help'),
    },
  ],
  [
    'a bad log level',
    {
      args: ['--log-level', 'loud', 'runs'],
      code: 2,
      stdout: '',
      stderr: usage('--log-level must be one of debug, info, warn, error, got "loud"'),
    },
  ],
  [
    'a bad SKWIRL_LOG_LEVEL',
    {
      args: ['runs'],
      env: { SKWIRL_LOG_LEVEL: 'loud' },
      code: 2,
      stdout: '',
      stderr: /^skwirl: SKWIRL_LOG_LEVEL must be one of debug, info, warn, error, got "loud"\n/,
    },
  ],
  [
    'completion for an unknown shell',
    {
      args: ['completion', 'powershell'],
      code: 2,
      stdout: '',
      stderr: usage(
        'completion knows bash, zsh and fish, not "powershell"',
        'skwirl completion --help',
      ),
    },
  ],
  [
    '-- ends the options',
    {
      args: ['run', '--', '--odd.lua'],
      code: 1,
      stdout: '',
      stderr: /^skwirl: no provider named "--odd\.lua" and no such \.lua file/,
    },
  ],
  // --json: only JSON on stdout, errors included
  [
    '--json, a usage error',
    {
      args: ['--json', 'bogus'],
      code: 2,
      stdout: jsonError('usage', /^unknown command "bogus"; run 'skwirl --help' for help$/),
      stderr: '',
    },
  ],
  [
    '--json, a bad flag',
    {
      args: ['runs', '--json', '--limit', 'x'],
      code: 2,
      stdout: jsonError('usage', /^--limit must be a number/),
      stderr: '',
    },
  ],
  [
    '--json with completion',
    {
      args: ['completion', 'bash', '--json'],
      code: 2,
      stdout: jsonError('usage', /^completion prints a shell script, not JSON/),
      stderr: '',
    },
  ],
  [
    '--json, a missing provider',
    {
      args: ['provider', 'export', 'Nope', '--json'],
      code: 1,
      stdout: jsonError('not-found', /^no provider named "Nope"/),
      stderr: '',
    },
  ],
  [
    '--json, a missing file',
    {
      args: ['provider', 'add', 'X', 'missing.lua', '--json'],
      code: 1,
      stdout: jsonError('file', /missing\.lua/),
      stderr: '',
    },
  ],
  [
    '--json, a name taken',
    {
      args: ['provider', 'add', 'google drive', 'ok.lua', '--json'],
      code: 1,
      stdout: jsonError('conflict', /already exists/),
      stderr: '',
    },
  ],
  [
    '--json, code that does not compile',
    {
      args: ['provider', 'add', 'Broken', 'broken.lua', '--json'],
      code: 1,
      stdout: jsonError('compile', /^broken\.lua:2: unexpected symbol near '='/),
      stderr: '',
    },
  ],
  [
    '--json, a list',
    {
      args: ['provider', 'list', '--json'],
      code: 0,
      stdout: json((v) =>
        expect((v as Array<{ name: string }>).map((p) => p.name)).toContain('Google Drive'),
      ),
      stderr: '',
    },
  ],
  [
    '--json, an export',
    {
      args: ['--json', 'provider', 'export', 'Google Drive'],
      code: 0,
      stdout: json((v) =>
        expect(v).toMatchObject({
          name: 'Google Drive',
          code: expect.stringContaining('function list_file_ids'),
        }),
      ),
      stderr: '',
    },
  ],
  [
    '--json, a run',
    {
      args: ['run', 'ok.lua', '--json'],
      code: 0,
      stdout: report({ provider: 'ok', status: 'completed', failed: 0 }),
      stderr: '',
    },
  ],
  // Runs and exit codes
  [
    'a run: a summary on stderr',
    { args: ['run', 'ok.lua'], code: 0, stdout: '', stderr: SUMMARY('ok', 'completed') },
  ],
  [
    'a run with failed files exits 3',
    {
      args: ['run', 'some-fail.lua'],
      code: 3,
      stdout: '',
      stderr: SUMMARY('some-fail', 'completed with 1 failed'),
    },
  ],
  [
    'the same with --json',
    {
      args: ['run', 'some-fail.lua', '--json'],
      code: 3,
      stdout: report({ status: 'completed', downloaded: 1, failed: 1 }),
      stderr: '',
    },
  ],
  [
    'a failed run exits 1',
    {
      args: ['run', 'fails.lua', '--json'],
      code: 1,
      stdout: report({
        status: 'failed',
        errors: [
          { fileId: null, stage: 'list', message: expect.stringMatching(/the service is down/) },
        ],
      }),
      stderr: '',
    },
  ],
  [
    '--quiet says nothing',
    { args: ['-q', 'run', 'some-fail.lua'], code: 3, stdout: '', stderr: '' },
  ],
  [
    '--verbose prints the log’s lines',
    {
      args: ['run', 'ok.lua', '-v'],
      code: 0,
      stdout: '',
      stderr: /^info: \[run=\S+ provider="ok"\] run started[^]*^ok: completed\./m,
    },
  ],
  [
    'debug lines with --verbose and --log-level debug',
    {
      args: ['run', 'chatty.lua', '-v', '--log-level=debug'],
      code: 0,
      stdout: '',
      stderr: /^debug: \[run=\S+ provider="chatty" stage=list\] chatty:1: counting 3$/m,
    },
  ],
  [
    'no debug lines at the default level',
    {
      args: ['run', 'chatty.lua', '-v'],
      code: 0,
      stdout: '',
      stderr: (text) => expect(text).not.toMatch(/counting/),
    },
  ],
  [
    'short forms and --flag=value',
    {
      args: ['runs', '-P', 'ok', '--limit=1', '--json'],
      code: 0,
      stdout: json((v) => expect(v).toEqual([expect.objectContaining({ provider: 'ok' })])),
      stderr: '',
    },
  ],
  ['nothing due', { args: ['run', '--due'], code: 0, stdout: '', stderr: 'Nothing is due.\n' }],
]

describe('the CLI, command by command', () => {
  it.concurrent.each(CASES)('%s', async (_name, c) => {
    const out = await skwirl(c.args, c.env)
    const check = (text: string, want: Expect, stream: string): void => {
      if (typeof want === 'string') expect(text, stream).toBe(want)
      else if (want instanceof RegExp) expect(text, stream).toMatch(want)
      else want(text)
    }
    expect({ code: out.code, stderr: out.stderr }).toMatchObject({ code: c.code })
    check(out.stdout, c.stdout, 'stdout')
    check(out.stderr, c.stderr, 'stderr')
  })

  it('--help lists every command, the global options and the exit codes', async () => {
    const out = await skwirl(['--help'])
    for (const command of [
      'serve',
      'provider list',
      'provider add',
      'provider export',
      'provider remove',
      'provider set',
      'run',
      'verify',
      'runs',
      'completion',
      'help [command]',
    ])
      expect(out.stdout).toMatch(new RegExp(`^  ${command.replace(/[[\]]/g, '\\$&')} `, 'm'))
    for (const option of [
      '-h, --help',
      '-V, --version',
      '--json',
      '-q, --quiet',
      '-v, --verbose',
      '--log-level LEVEL',
    ])
      expect(out.stdout).toContain(option)
    for (const code of ['0', '1', '2', '3', '130', '143'])
      expect(out.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'))
    expect(out.stdout).toContain('NO_COLOR')
  })

  it('the README shows every command in the table, and the exit codes', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    for (const command of COMMANDS) expect(readme).toContain(`skwirl ${command.name.join(' ')}`)
    for (const [code] of EXIT_CODES) expect(readme).toContain(`\`${code}\``)
  })
})

/**
 * Runs the binary on a terminal (a pty from util-linux's `script`) `columns` wide, and answers
 * what the terminal received. (Not execFileSync: the local server lives in this process.)
 */
function onTerminal(
  args: string,
  columns: number,
  env: Record<string, string> = {},
): Promise<string> {
  const command = `stty cols ${columns} rows 24; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: data.dir,
    env: { ...process.env, ...FAST_HTTP_ENV, SKWIRL_DATA_DIR: data.dir, TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let screen = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) =>
      code === 0 ? resolve(screen) : reject(new Error(`exit ${code}: ${JSON.stringify(screen)}`)),
    )
  })
}

const ESC = String.fromCharCode(27)

describe('on a terminal', () => {
  it('draws one progress line in place, cut to the width, and colours the summary', async () => {
    const screen = await onTerminal('run slow-one.lua', 60)
    // Redrawn in place: carriage returns and "erase to the end of the line", no new lines between.
    const drawn = screen.split('\r').filter((part) => part.includes('files'))
    expect(drawn.length).toBeGreaterThanOrEqual(1)
    const progress = drawn.map((part) => {
      expect(part).toContain(`${ESC}[K`)
      return part.split(`${ESC}[K`)[0] as string
    })
    for (const line of progress) {
      expect(line).not.toContain('\n')
      expect([...line].length).toBeLessThanOrEqual(59)
    }
    expect(progress.some((line) => /^slow-one \[[#-]+\] +\d+%/.test(line))).toBe(true)
    // The summary, in colour: green "completed".
    expect(screen).toContain(`slow-one: ${ESC}[32mcompleted${ESC}[0m. 40 listed`)
  })

  it('NO_COLOR keeps the colours off', async () => {
    const screen = await onTerminal('run slow-two.lua', 200, { NO_COLOR: '1' })
    expect(screen).toMatch(/slow-two: completed\. 40 listed/)
    expect(screen).not.toContain(`${ESC}[3`)
  })

  it('--quiet draws no progress', async () => {
    expect(await onTerminal('run -q slow-three.lua', 80)).toBe('')
  })
})

describe('completion scripts', () => {
  let scripts: Record<string, string>
  beforeAll(async () => {
    scripts = {}
    for (const shell of ['bash', 'zsh', 'fish']) {
      const out = await skwirl(['completion', shell])
      expect(out.code).toBe(0)
      scripts[shell] = file(`completion.${shell}`)
      writeFileSync(scripts[shell] as string, out.stdout)
    }
  })

  const shell = (program: string, args: string[]): string =>
    execFileSync(program, args, { cwd: data.dir, encoding: 'utf8' })

  it('bash completes commands, subcommands, flags, levels and files', () => {
    const complete = (words: string[]): string[] =>
      shell('bash', [
        '-c',
        `source ${scripts.bash}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _skwirl; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ])
        .split('\n')
        .filter(Boolean)
    expect(complete(['skwirl', 'ru'])).toEqual(['run', 'runs'])
    expect(complete(['skwirl', 'provider', ''])).toEqual(PROVIDER_COMMANDS)
    expect(complete(['skwirl', 'provider', 'export', 'x', '--f'])).toEqual(['--force'])
    expect(complete(['skwirl', '--log-level', ''])).toEqual(['debug', 'info', 'warn', 'error'])
    expect(complete(['skwirl', 'completion', ''])).toEqual(['bash', 'zsh', 'fish'])
    expect(complete(['skwirl', 'run', 'some-f'])).toEqual(['some-fail.lua'])
    expect(complete(['skwirl', '-q', 'runs', '--l'])).toEqual(['--limit', '--log-level'])
  })

  it('zsh completes the same (its completion system stood in for by printing stubs)', () => {
    const complete = (words: string[]): string[] =>
      shell('zsh', [
        '-c',
        `compdef() { :; }
_describe() { local name=$2; print -l -- "\${(@P)name}" | sed 's/:.*//'; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print '<files>'; }
source ${scripts.zsh}
words=(${words.map((w) => JSON.stringify(w)).join(' ')}); CURRENT=${words.length}; PREFIX=${JSON.stringify(words.at(-1))}
_skwirl`,
      ])
        .split('\n')
        .filter(Boolean)
    expect(complete(['skwirl', 'provider', ''])).toEqual(PROVIDER_COMMANDS)
    expect(complete(['skwirl', '--log-level', ''])).toEqual(['debug', 'info', 'warn', 'error'])
    expect(complete(['skwirl', 'provider', 'add', 'x', ''])).toEqual(['<files>'])
    expect(complete(['skwirl', 'runs', '-'])).toEqual(
      expect.arrayContaining(['--provider', '-P', '--limit', '-n', '--json', '--quiet']),
    )
  })

  it('fish completes with descriptions', () => {
    const complete = (line: string): string[] =>
      shell('fish', ['-c', `source ${scripts.fish}; complete -C ${JSON.stringify(line)}`])
        .split('\n')
        .filter(Boolean)
    expect(complete('skwirl provider ')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^set\tChange a provider’s options/)]),
    )
    expect(complete('skwirl run --')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--due\t/),
        expect.stringMatching(/^--json\t/),
      ]),
    )
    expect(complete('skwirl --log-level ')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^debug/), expect.stringMatching(/^error/)]),
    )
  })
})
