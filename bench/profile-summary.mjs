// Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`): where the samples fell,
// by function (self time) and by file, with idle, GC and program time apart.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [top N]
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

const [file, top = '25'] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top N]')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const byFunction = new Map()
const byFile = new Map()
for (const [id, micros] of self) {
  const { callFrame } = byId.get(id)
  const where = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : ''
  const name = `${callFrame.functionName || '(anonymous)'} ${where}`.trim()
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  const fileKey = callFrame.url ? basename(callFrame.url) : callFrame.functionName
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros)
}
const show = (title, map) => {
  console.log(`\n${title}`)
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    const pct = ((micros / total) * 100).toFixed(1).padStart(5)
    console.log(`${pct}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`)
  }
}
console.log(`${basename(file)}: ${(total / 1000).toFixed(0)} ms sampled`)
show('self time by file', byFile)
show('self time by function', byFunction)
