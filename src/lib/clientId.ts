/**
 * Anonymous contributors are identified by a random client id kept in a cookie (set by the public
 * site once the visitor accepts the terms). Only a well-formed UUID is trusted.
 */
export const CLIENT_ID_COOKIE = 'shrutik_cid'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

export const isClientId = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)

export const clientIdFromHeaders = (headers: Headers | undefined): string | undefined => clientIdFromCookie(headers?.get('cookie'))

/** The client id in a raw `Cookie` header, if it holds a well-formed one. */
export const clientIdFromCookie = (cookieHeader: string | null | undefined): string | undefined => {
  if (!cookieHeader) return undefined
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === CLIENT_ID_COOKIE) {
      const value = decodeURIComponent(rest.join('='))
      return isClientId(value) ? value.toLowerCase() : undefined
    }
  }
  return undefined
}
