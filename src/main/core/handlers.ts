// Main's handler table, typed against SkwirlApi. Electron IPC and browser mode both answer
// through dispatch(), so validation and error shaping happen in one place.
import type { ApiResult, SkwirlApi } from '../../shared/api'
import { isApiMethod } from '../../shared/api'
import { ApiError } from '../../shared/errors'
import { argParsers, describe } from '../../shared/validate'
import type { Logger } from './logger'
import type { ProviderStore } from './provider-store'
import type { RunManager } from './run-manager'

export type ApiHandlers = {
  [K in keyof SkwirlApi]: (...args: Parameters<SkwirlApi[K]>) => ReturnType<SkwirlApi[K]>
}

export function createHandlers(deps: { providers: ProviderStore; runs: RunManager }): ApiHandlers {
  const { providers, runs } = deps
  return {
    listProviders: async () => providers.list(),
    getProvider: async (id) => providers.get(id),
    execute: async (providerId) => {
      const provider = providers.get(providerId)
      const { runId } = runs.start(provider)
      return { runId }
    },
    listRuns: async () => runs.list(),
  }
}

/** Checks the method name and arguments, calls the handler, and turns any failure into data. */
export async function dispatch(
  handlers: ApiHandlers,
  method: unknown,
  args: unknown,
  logger: Logger,
): Promise<ApiResult<unknown>> {
  try {
    if (!isApiMethod(method)) {
      throw new ApiError('invalid-argument', `There is no API method called ${describe(method)}.`)
    }
    if (!Array.isArray(args))
      throw new ApiError('invalid-argument', `${method}: the arguments must be an array.`)
    const parsed = argParsers[method](args)
    const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>
    return { ok: true, value: await handler(...parsed) }
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toPayload() }
    logger.error(
      `API ${typeof method === 'string' ? method : '?'} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    )
    return {
      ok: false,
      error: {
        code: 'internal',
        message: 'Something went wrong inside Skwirl; the log has the details.',
      },
    }
  }
}
