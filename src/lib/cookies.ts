/**
 * Cookies from a raw `Cookie` header. Tolerant: a malformed pair or bad percent-encoding is
 * skipped, never thrown (a broken cookie must not turn a request into a 500). The first of a
 * repeated name wins, as browsers send the most specific first.
 */
export const parseCookies = (header: string | null | undefined): Map<string, string> => {
  const cookies = new Map<string, string>()
  if (!header) return cookies
  for (const part of header.split(';')) {
    const at = part.indexOf('=')
    if (at < 1) continue
    const name = part.slice(0, at).trim()
    if (cookies.has(name)) continue
    let value = part.slice(at + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
    try {
      value = decodeURIComponent(value)
    } catch {
      continue
    }
    cookies.set(name, value)
  }
  return cookies
}
