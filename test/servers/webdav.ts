// The two WebDAV servers nobody here wrote, serving a directory: `rclone serve webdav` and Apache
// httpd's mod_dav (both from Debian's packages). Each runs as a child process on a port of its
// own, with its own temp config, and is stopped by its pid.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { answers, freePort, startProcess, waitFor } from './process'

export interface WebdavServer {
  /** The server's root URL, ending in a slash (for the Nextcloud layout: the server's address). */
  url: string
  name: string
  stop(): Promise<void>
}

/** A user and password the server asks for (HTTP Basic). */
export interface WebdavLogin {
  user: string
  password: string
}

/** rclone serve webdav on 127.0.0.1, a port of its choosing (it prints the address). */
export async function startRcloneWebdav(
  root: string,
  login?: WebdavLogin,
  options: { dirCacheTime?: string } = {},
): Promise<WebdavServer> {
  const work = mkdtempSync(join(tmpdir(), 'skwirl-rclone-'))
  const config = join(work, 'rclone.conf')
  writeFileSync(config, '')
  // By default a listing is read from the disk each time (no directory cache), so that a change
  // a test makes is seen at once; a benchmark passes rclone's own default (5m).
  const server = startProcess('rclone', [
    'serve',
    'webdav',
    root,
    '--addr',
    '127.0.0.1:0',
    '--config',
    config,
    '--dir-cache-time',
    options.dirCacheTime ?? '0s',
    ...(login ? ['--user', login.user, '--pass', login.password] : []),
  ])
  try {
    const url = await waitFor(
      'rclone serve webdav',
      () => {
        if (!server.running()) throw new Error(`rclone serve webdav exited:\n${server.output()}`)
        return /started on \[?(http:\/\/127\.0\.0\.1:\d+\/)/.exec(server.output())?.[1]
      },
      20_000,
      () => server.output(),
    )
    return {
      url,
      name: 'rclone serve webdav',
      stop: async () => {
        await server.stop()
        rmSync(work, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await server.stop()
    rmSync(work, { recursive: true, force: true })
    throw error
  }
}

const MODULES = '/usr/lib/apache2/modules'
/** Debian puts httpd in /usr/sbin, which a non-root PATH often lacks. */
const APACHE = existsSync('/usr/sbin/apache2') ? '/usr/sbin/apache2' : 'apache2'

/**
 * Apache httpd with mod_dav_fs serving root, in the foreground (-X) with a config of its own in a
 * temp dir. As root it serves as nobody, so the tree must be world-readable (generateTree makes
 * it so). With a login, the tree is served where Nextcloud and ownCloud serve a user's files
 * (/remote.php/dav/files/<user>/) behind HTTP Basic, as they accept app passwords.
 */
export async function startApacheWebdav(root: string, login?: WebdavLogin): Promise<WebdavServer> {
  const work = mkdtempSync(join(tmpdir(), 'skwirl-apache-'))
  // The server's user (nobody, when started as root) reads the users file in here.
  chmodSync(work, 0o755)
  const lockDir = join(work, 'lock')
  mkdirSync(lockDir)
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(lockDir, 65534, 65534)
  const users = join(work, 'users')
  if (login) {
    // Apache's {SHA} format: the base64 SHA-1 of the password.
    const hash = createHash('sha1').update(login.password).digest('base64')
    writeFileSync(users, `${login.user}:{SHA}${hash}\n`, { mode: 0o644 })
  }
  const served = login
    ? [
        `Alias "/remote.php/dav/files/${login.user}" "${root}"`,
        `<Directory "${root}">`,
        '  Dav On',
        '  AuthType Basic',
        '  AuthName "Nextcloud"',
        `  AuthUserFile "${users}"`,
        '  Require valid-user',
        '  Options None',
        '  AllowOverride None',
        '</Directory>',
      ]
    : [
        `DocumentRoot "${root}"`,
        `<Directory "${root}">`,
        '  Dav On',
        '  Require all granted',
        '  Options None',
        '  AllowOverride None',
        '</Directory>',
      ]
  const loginModules = login
    ? ['alias', 'auth_basic', 'authn_core', 'authn_file', 'authz_user'].map(
        (name) => `LoadModule ${name}_module ${MODULES}/mod_${name}.so`,
      )
    : []
  // Apache cannot be told to pick a port: take a free one, and try another if it was taken.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const config = join(work, 'httpd.conf')
    writeFileSync(
      config,
      [
        `ServerRoot "${work}"`,
        'ServerName 127.0.0.1',
        `Listen 127.0.0.1:${port}`,
        `LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so`,
        `LoadModule authz_core_module ${MODULES}/mod_authz_core.so`,
        `LoadModule dav_module ${MODULES}/mod_dav.so`,
        `LoadModule dav_fs_module ${MODULES}/mod_dav_fs.so`,
        ...loginModules,
        `DefaultRuntimeDir "${work}"`,
        `PidFile "${work}/httpd.pid"`,
        `Mutex file:${work} default`,
        `ErrorLog "${work}/error.log"`,
        'LogLevel warn',
        `DavLockDB "${lockDir}/DavLock"`,
        ...(asRoot ? ['User nobody', 'Group nogroup'] : []),
        ...served,
        '',
      ].join('\n'),
    )
    const server = startProcess(APACHE, ['-X', '-f', config])
    const url = `http://127.0.0.1:${port}/`
    try {
      await waitFor(
        'apache2',
        () => {
          if (!server.running()) throw new Error(`apache2 exited:\n${server.output()}`)
          return answers(url)
        },
        20_000,
        () => server.output(),
      )
      return {
        url,
        name: login ? 'Apache mod_dav (Nextcloud layout)' : 'Apache mod_dav',
        stop: async () => {
          await server.stop()
          rmSync(work, { recursive: true, force: true })
        },
      }
    } catch (error) {
      await server.stop()
      if (attempt < 3 && /Address already in use/.test(server.output())) continue
      rmSync(work, { recursive: true, force: true })
      throw error
    }
  }
}
