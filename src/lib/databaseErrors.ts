import type { AfterErrorHook } from 'payload'

const pgCode = (error: unknown): string | undefined => {
  let current = error as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code)) return current.code
    current = current.cause as typeof current
  }
  return undefined
}

/**
 * Database constraint violations caused by the request's data are the client's mistake, not a
 * server fault: answer 400 with a message instead of 500.
 */
export const constraintErrorsAreBadRequests: AfterErrorHook = ({ error }) => {
  switch (pgCode(error)) {
    case '23503':
      return { status: 400, response: { errors: [{ message: 'The request refers to a record that does not exist (check the ids you sent).' }] } }
    case '23502':
      return { status: 400, response: { errors: [{ message: 'A required value is missing.' }] } }
    case '22001':
      return { status: 400, response: { errors: [{ message: 'A value is too long.' }] } }
    case '22P02':
      return { status: 400, response: { errors: [{ message: 'A value has the wrong format (for example text where a number id is expected).' }] } }
    default:
      return undefined
  }
}

/**
 * SH001 is the platform's "you may not do this" raised by a database trigger: judging one's own
 * recording (votes and transcriptions, created with the consensus schema). Its message is written
 * for the user. The host answers it as a 403 itself, as the trigger on core transcriptions stays
 * when the consensus plugin is left out of the config.
 */
export const databaseRefusalsAreForbidden: AfterErrorHook = ({ error }) => {
  let current = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code === 'SH001' && typeof current.message === 'string') return { status: 403, response: { errors: [{ name: 'Forbidden', message: current.message }] } }
    current = current.cause as typeof current
  }
  return undefined
}

/** SQLSTATEs and socket errors that mean "the database is not reachable right now", not "this request is wrong". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|the database system is (starting up|shutting down|in recovery)|terminating connection due to administrator command|connect ECONNREFUSED/i

/** True when `error` (or an error it wraps) says PostgreSQL is down or restarting. */
export const isDatabaseUnavailable = (error: unknown): boolean => {
  let current = error as { code?: unknown; cause?: unknown; message?: unknown; errors?: unknown } | undefined
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current.code === 'string' && (UNAVAILABLE_CODES.has(current.code) || current.code.startsWith('08'))) return true
    if (typeof current.message === 'string' && UNAVAILABLE_MESSAGES.test(current.message)) return true
    // AggregateError (a connect to several addresses) keeps the real errors in `errors`.
    if (Array.isArray(current.errors) && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true
    current = current.cause as typeof current
  }
  return false
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable at the moment (restarting or unreachable). Nothing was saved; please try again in a minute.'

/** A request that failed because PostgreSQL is down answers 503 (try again), not 500. */
export const databaseUnavailableIsServiceUnavailable: AfterErrorHook = ({ error }) =>
  isDatabaseUnavailable(error) ? { status: 503, response: { errors: [{ message: DATABASE_UNAVAILABLE_MESSAGE }] } } : undefined
