// The process split's own cost, for scenario 1's ceiling: a child started as main starts a runner
// (core/runner-process.ts's launcher: the same Node flags and IPC channel) that answers each
// message at once over the runner's own link (runner/parent-port.ts) with a message of a host
// call's size. Main's message is the size of a metadata reply. One round trip is what each host
// call of a run costs beyond the HTTP work: the runner asks, main wakes; main answers, the
// runner wakes. A file needs two that cannot overlap (http.get, whose answer the Lua reads, and
// download_url, which raises when the download fails).
import type { RunnerToMain } from '../src/shared/runner-protocol'
import { connectToParent } from '../src/main/runner/parent-port'

const port = connectToParent()
const fileId = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456'
port.onMessage((message) => {
  if (message.type !== 'reply') return
  const call: RunnerToMain = {
    type: 'call',
    seq: message.replyTo + 1,
    call: {
      method: 'http.get',
      url: `http://127.0.0.1:40000/drive/v3/files/${fileId}`,
      headers: { Authorization: 'Bearer hardcoded_token_for_now' },
      params: { fields: 'id, name, mimeType, size, md5Checksum, modifiedTime' },
      auth: null,
    },
    context: { stage: 'metadata', fileId },
  }
  port.send(call)
})
port.send({ type: 'ready', seq: 0 })
