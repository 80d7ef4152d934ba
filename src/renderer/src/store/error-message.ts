/** The text to show for a rejected call: ApiError messages are written for the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return 'Something went wrong.'
}
