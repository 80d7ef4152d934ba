import type { ApiErrorCode, ApiErrorPayload } from './api'

/** An error main answers the renderer with; its message is meant for the person using the app. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message)
  }

  toPayload(): ApiErrorPayload {
    return { code: this.code, message: this.message }
  }

  static fromPayload(payload: ApiErrorPayload): ApiError {
    return new ApiError(payload.code, payload.message)
  }
}

/** How an error crosses a process boundary. */
export interface SerializedError {
  name: string
  message: string
  stack?: string
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack }
  }
  return { name: 'Error', message: String(error) }
}
