// Error bodies in the shape and wording Drive v3 uses, so clients parse what they will meet for real.
import { STATUS_CODES } from 'node:http'

export interface GoogleErrorItem {
  message: string
  domain: string
  reason: string
  location?: string
  locationType?: string
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status?: string }
}

export function googleError(
  code: number,
  message: string,
  item: Omit<GoogleErrorItem, 'message'> & { message?: string },
  status?: string,
): GoogleErrorBody {
  const { message: itemMessage, ...rest } = item
  const body: GoogleErrorBody = {
    error: { code, message, errors: [{ message: itemMessage ?? message, ...rest }] },
  }
  if (status !== undefined) body.error.status = status
  return body
}

export function missingCredentials(): GoogleErrorBody {
  return googleError(
    401,
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    {
      message: 'Login Required.',
      domain: 'global',
      reason: 'required',
      location: 'Authorization',
      locationType: 'header',
    },
    'UNAUTHENTICATED',
  )
}

export function invalidCredentials(): GoogleErrorBody {
  return googleError(401, 'Invalid Credentials', {
    domain: 'global',
    reason: 'authError',
    location: 'Authorization',
    locationType: 'header',
  })
}

export function fileNotFound(id: string): GoogleErrorBody {
  return googleError(404, `File not found: ${id}.`, {
    domain: 'global',
    reason: 'notFound',
    location: 'fileId',
    locationType: 'parameter',
  })
}

/** 400 for a query parameter Drive rejects (pageToken, q, pageSize, alt). */
export function invalidParameter(location: string, message = 'Invalid Value'): GoogleErrorBody {
  return googleError(400, message, {
    domain: 'global',
    reason: 'invalid',
    location,
    locationType: 'parameter',
  })
}

export function invalidFields(message: string): GoogleErrorBody {
  return googleError(400, message, {
    domain: 'global',
    reason: 'invalidParameter',
    location: 'fields',
    locationType: 'parameter',
  })
}

export function fileNotDownloadable(): GoogleErrorBody {
  return googleError(
    403,
    'Only files with binary content can be downloaded. Use Export with Docs Editors files.',
    { domain: 'global', reason: 'fileNotDownloadable', location: 'alt', locationType: 'parameter' },
  )
}

export function rangeNotSatisfiable(): GoogleErrorBody {
  return googleError(416, 'Request range not satisfiable', {
    domain: 'global',
    reason: 'requestedRangeNotSatisfiable',
  })
}

/** 403 userRateLimitExceeded, 403 rateLimitExceeded and 429: Drive's rate limit answers. */
export function rateLimited(
  code: 403 | 429,
  reason: 'rateLimitExceeded' | 'userRateLimitExceeded',
): GoogleErrorBody {
  const message =
    reason === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : 'Rate Limit Exceeded'
  return googleError(code, message, { domain: 'usageLimits', reason })
}

export function exportTooLarge(): GoogleErrorBody {
  return googleError(403, 'This file is too large to be exported.', {
    domain: 'global',
    reason: 'exportSizeLimitExceeded',
  })
}

export function notExportable(): GoogleErrorBody {
  return googleError(403, 'Export only supports Docs Editors files.', {
    domain: 'global',
    reason: 'fileNotExportable',
  })
}

export function conversionNotSupported(): GoogleErrorBody {
  return googleError(400, 'The requested conversion is not supported.', {
    domain: 'global',
    reason: 'badRequest',
    location: 'convertTo',
    locationType: 'parameter',
  })
}

export function requiredParameter(name: string): GoogleErrorBody {
  return googleError(400, `Required parameter: ${name}`, {
    domain: 'global',
    reason: 'required',
    location: name,
    locationType: 'parameter',
  })
}

export function abusiveFile(): GoogleErrorBody {
  return googleError(
    403,
    'This file has been identified as malware or spam and cannot be downloaded.',
    { domain: 'global', reason: 'cannotDownloadAbusiveFile' },
  )
}

export function downloadForbidden(): GoogleErrorBody {
  return googleError(
    403,
    'The user does not have sufficient permissions for this file. The owner has disabled downloads.',
    { domain: 'global', reason: 'cannotDownloadFile' },
  )
}

export function badRequest(message: string, location?: string): GoogleErrorBody {
  return googleError(
    400,
    message,
    location === undefined
      ? { domain: 'global', reason: 'badRequest' }
      : { domain: 'global', reason: 'badRequest', location, locationType: 'parameter' },
  )
}

export function sharedDriveNotFound(id: string): GoogleErrorBody {
  return googleError(404, `Shared drive not found: ${id}`, {
    domain: 'global',
    reason: 'notFound',
    location: 'driveId',
    locationType: 'parameter',
  })
}

/** The body Drive sends with an injected status; `fileId` is undefined for the listing. */
export function errorForStatus(
  code: number,
  fileId: string | undefined,
  reason?: string,
): GoogleErrorBody {
  if (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded') {
    return rateLimited(code === 429 ? 429 : 403, reason)
  }
  switch (code) {
    case 400:
      return googleError(400, 'Bad Request', { domain: 'global', reason: 'badRequest' })
    case 401:
      return invalidCredentials()
    case 403:
      return fileId === undefined
        ? googleError(403, 'The user does not have sufficient permissions.', {
            domain: 'global',
            reason: 'forbidden',
          })
        : googleError(403, `The user does not have sufficient permissions for file ${fileId}.`, {
            domain: 'global',
            reason: 'insufficientFilePermissions',
          })
    case 404:
      return fileId === undefined
        ? googleError(404, 'Not Found', { domain: 'global', reason: 'notFound' })
        : fileNotFound(fileId)
    case 429:
      return rateLimited(429, 'rateLimitExceeded')
    case 500:
      return googleError(500, 'Internal Error', { domain: 'global', reason: 'internalError' })
    case 502:
      return googleError(502, 'Bad Gateway', { domain: 'global', reason: 'badGateway' })
    case 503:
      return googleError(503, 'Backend Error', { domain: 'global', reason: 'backendError' })
    default: {
      const text = STATUS_CODES[code] ?? 'Error'
      const derived = text
        .split(/\s+/)
        .map((word, i) =>
          i === 0 ? word.toLowerCase() : word.charAt(0) + word.slice(1).toLowerCase(),
        )
        .join('')
        .replace(/[^A-Za-z]/g, '')
      return googleError(code, text, { domain: 'global', reason: derived })
    }
  }
}
