// s3rver ships no types: the part of its API the test servers use.
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  import type { AddressInfo } from 'node:net'

  interface S3rverOptions {
    address?: string
    port?: number
    silent?: boolean
    directory: string
    resetOnClose?: boolean
    allowMismatchedSignatures?: boolean
    configureBuckets?: Array<{ name: string; configs: Array<string | Buffer> }>
  }

  export default class S3rver {
    constructor(options: S3rverOptions)
    run(): Promise<AddressInfo>
    close(): Promise<void>
    callback(): (req: IncomingMessage, res: ServerResponse) => void
  }
}
