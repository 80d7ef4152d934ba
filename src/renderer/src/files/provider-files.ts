// Providers in and out of .lua files: the desktop app asks main (which shows the system dialogs);
// a browser picks a file to upload and downloads one.
import type { ProviderInput, SkwirlApi } from '../../../shared/api'
import { decodeProviderFile, providerFileName } from '../../../shared/provider-rules'

export interface ProviderFiles {
  /** Asks for a .lua file to import; null when the person cancelled. Throws with a message for them. */
  open(): Promise<ProviderInput | null>
  /** Saves a provider's saved code to a file; answers what to tell the person, null when cancelled. */
  save(provider: { id: string; name: string }): Promise<string | null>
}

export function nativeProviderFiles(api: SkwirlApi): ProviderFiles {
  return {
    open: () => api.importProviderFile(),
    async save(provider) {
      const saved = await api.exportProviderFile(provider.id)
      return saved ? `Exported “${provider.name}” to ${saved.path}.` : null
    },
  }
}

export function browserProviderFiles(api: SkwirlApi, doc: Document = document): ProviderFiles {
  return {
    async open() {
      const file = await pickFile(doc)
      if (!file) return null
      return decodeProviderFile(new Uint8Array(await file.arrayBuffer()), file.name)
    },
    async save(provider) {
      const { code, name } = await api.getProvider(provider.id)
      const fileName = providerFileName(name)
      const url = URL.createObjectURL(new Blob([code], { type: 'text/x-lua;charset=utf-8' }))
      try {
        const link = doc.createElement('a')
        link.href = url
        link.download = fileName
        link.hidden = true
        doc.body.append(link)
        link.click()
        link.remove()
      } finally {
        // The download has its own copy once started; a moment later the URL can go.
        setTimeout(() => URL.revokeObjectURL(url), 10_000)
      }
      return `Downloaded “${fileName}”.`
    },
  }
}

/** The browser's file picker for one .lua file; null when it is closed without a choice. */
function pickFile(doc: Document): Promise<File | null> {
  return new Promise((resolve) => {
    const input = doc.createElement('input')
    input.type = 'file'
    input.accept = '.lua,text/x-lua,text/plain'
    input.hidden = true
    const done = (file: File | null) => {
      input.remove()
      resolve(file)
    }
    input.addEventListener('change', () => done(input.files?.[0] ?? null), { once: true })
    input.addEventListener('cancel', () => done(null), { once: true })
    doc.body.append(input)
    input.click()
  })
}
