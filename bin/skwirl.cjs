#!/usr/bin/env node
// The `skwirl` command: runs the built CLI (out/main/cli.js) under Node 22.12 or newer.
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const root = join(__dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')
const [major, minor] = process.versions.node.split('.').map(Number)

if (major < 22 || (major === 22 && minor < 12)) {
  // npm scripts and npx use the project's own Node 24; a bare `node bin/skwirl.cjs` may not.
  const local = join(root, 'node_modules', 'node', 'bin', 'node')
  if (existsSync(local)) {
    const result = spawnSync(local, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' })
    process.exit(result.status === null ? 1 : result.status)
  }
  console.error(
    `skwirl needs Node 22.12 or newer (this is ${process.version}); run it with npx skwirl from the project.`,
  )
  process.exit(1)
}

if (!existsSync(cli)) {
  console.error(
    'skwirl: the app is not built yet; run `npm run build` (or `npm install`, which builds it).',
  )
  process.exit(1)
}

require(cli)
