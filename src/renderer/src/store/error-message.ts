import { API_ERROR_CODES, type ApiErrorCode } from '../../../shared/api'
import { ApiError } from '../../../shared/errors'

/** The text to show for a rejected call: ApiError messages are written for the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}

/**
 * The ApiError code of a rejected call: an ApiError from the socket client, or the preload's
 * plain Error named `ApiError:<code>` (contextBridge only carries plain errors).
 */
export function errorCode(error: unknown): ApiErrorCode | null {
  if (error instanceof ApiError) return error.code
  if (error instanceof Error && error.name.startsWith('ApiError:')) {
    const code = error.name.slice('ApiError:'.length)
    return API_ERROR_CODES.find((known) => known === code) ?? null
  }
  return null
}
