// The S3 provider's virtual-host addressing (https://<bucket>.<endpoint>/<key>, what Amazon S3
// wants for new buckets) against s3rver behind its SigV4 check, which takes the bucket from the
// Host header as S3 does. Names under s3.test resolve to 127.0.0.1 in this process only (where
// core's fetch runs), so the bucket's own host name is what is sent and signed.
import { createHash } from 'node:crypto'
import dns from 'node:dns'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { RESOURCES_DIR, startTestCore, type TestCore } from '../support/fixtures'
import { startS3, type S3Server } from '../servers/s3'
import { generateTree, type Tree } from '../servers/tree'

const DOMAIN = 's3.test'
const realLookup = dns.lookup
let tree: Tree
let s3: S3Server
let core: TestCore
let dest = ''

/** `*.s3.test` is 127.0.0.1 here; every other name resolves as it always does. */
function lookupWithTestDomain(
  this: unknown,
  hostname: string,
  options: unknown,
  callback?: unknown,
): void {
  const done = (typeof options === 'function' ? options : callback) as (
    error: Error | null,
    address: string | dns.LookupAddress[],
    family?: number,
  ) => void
  const all = typeof options === 'object' && options !== null && 'all' in options && options.all
  if (hostname === DOMAIN || hostname.endsWith(`.${DOMAIN}`)) {
    if (all) done(null, [{ address: '127.0.0.1', family: 4 }])
    else done(null, '127.0.0.1', 4)
    return
  }
  Reflect.apply(
    realLookup,
    this,
    [hostname, options, callback].filter((a) => a !== undefined),
  )
}

beforeAll(async () => {
  ;(dns as { lookup: unknown }).lookup = lookupWithTestDomain
  tree = await generateTree({ smallFiles: 30, bigBytes: 0 })
  // s3rver reads <bucket>.s3.<serviceEndpoint> as a virtual-host request for <bucket>.
  s3 = await startS3(tree, { prefix: 'photos/', serviceEndpoint: 'test' })
  core = startTestCore()
  dest = mkdtempSync(join(tmpdir(), 'skwirl-s3-vhost-'))
}, 60_000)

afterAll(async () => {
  ;(dns as { lookup: unknown }).lookup = realLookup
  await core?.dispose()
  await s3?.stop()
  tree?.remove()
  rmSync(dest, { recursive: true, force: true })
})

it('backs up through https://<bucket>.<endpoint>/<key>, every request signed for that host', async () => {
  const port = new URL(s3.endpoint).port
  const provider = core.providers.create({
    name: 'S3 virtual host',
    code: readFileSync(join(RESOURCES_DIR, 'providers', 's3.lua'), 'utf8'),
  })
  const declaration = await core.providerSettings.declared(provider)
  await core.providerSettings.update(provider.id, declaration, {
    endpoint: `http://${DOMAIN}:${port}`,
    region: s3.region,
    bucket: s3.bucket,
    prefix: 'photos/',
    addressing: 'virtual',
    access_key_id: s3.credentials.accessKeyId,
    secret_access_key: s3.credentials.secretAccessKey,
  })

  const run = await core.runs.start(provider, { destination: dest }).done
  expect(run.errors).toEqual([])
  expect(run).toMatchObject({
    status: 'completed',
    listed: tree.files.length,
    downloaded: tree.files.length,
  })
  for (const file of tree.files) {
    const kept = readFileSync(join(dest, file.path))
    expect(createHash('md5').update(kept).digest('hex'), file.path).toBe(file.md5)
  }

  // The bucket was in the host, never in the path; the front checked every signature.
  const requests = s3.requests()
  expect(requests.length).toBe(tree.files.length + 1)
  expect(requests.every((r) => r.status === 200)).toBe(true)
  expect(requests.some((r) => r.path.startsWith(`/${s3.bucket}`))).toBe(false)
  expect(requests.filter((r) => r.path.startsWith('/photos/'))).toHaveLength(tree.files.length)
}, 60_000)
