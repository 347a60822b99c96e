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
