import type { EventName } from '@shrutik/plugin-sdk'

/** Events a webhook may subscribe to: those the SDK documents. */
export const WEBHOOK_EVENTS = ['recording.processed', 'segment.ready', 'segment.decided', 'contributor.claimed', 'contributor.withdrawn'] as const satisfies readonly EventName[]
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export interface WebhooksOptions {
  /** Where to POST. HTTPS only (plain HTTP only with `allowPrivateAddresses`, for a receiver on this machine). */
  urls: string[]
  /** Which events to send. @default ['segment.decided'] */
  events?: WebhookEvent[]
  /** Signs every body (`X-Shrutik-Signature: sha256=<HMAC-SHA256 of the body, hex>`). At least 16 characters. */
  secret?: string
  /**
   * Deliver to loopback and private addresses too. Off by default: a webhook URL must not become a
   * way to reach the server's own network (SSRF). @default false
   */
  allowPrivateAddresses?: boolean
  /** Give up on one attempt after this long. @default 10000 */
  timeoutMs?: number
  /** Retries of a failed delivery, with exponential backoff (1 min, 2 min, 4 min, …). @default 5 */
  retries?: number
  /** With false, the collection (and its migrations) stay but nothing is sent. @default true */
  enabled?: boolean
}

export interface SanitizedWebhooksOptions {
  urls: URL[]
  events: WebhookEvent[]
  secret: string
  allowPrivateAddresses: boolean
  timeoutMs: number
  retries: number
  enabled: boolean
}

export class WebhooksOptionsError extends Error {
  override name = 'WebhooksOptionsError'
}

/** Checks the options once, at boot, with a message that says what to fix. */
export const sanitizeOptions = (options: WebhooksOptions): SanitizedWebhooksOptions => {
  const fail = (message: string): never => {
    throw new WebhooksOptionsError(`webhooksPlugin: ${message}`)
  }
  const allowPrivateAddresses = options.allowPrivateAddresses === true
  if (!Array.isArray(options.urls)) fail('`urls` must be a list of URLs.')
  const urls = options.urls.map((raw) => {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      return fail(`"${raw}" is not a URL.`)
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivateAddresses)) fail(`"${raw}" must use https:// (plain http only with allowPrivateAddresses, for a receiver on this machine).`)
    if (url.username || url.password) fail(`"${url.origin}" carries credentials in the URL; use the shared secret (signature header) instead.`)
    return url
  })
  const events = options.events ?? ['segment.decided']
  for (const event of events) if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) fail(`unknown event "${event}"; choose from ${WEBHOOK_EVENTS.join(', ')}.`)
  // Without receivers nothing is signed; with them, a secret the receivers can check.
  if (urls.length > 0 && (typeof options.secret !== 'string' || options.secret.length < 16)) fail('`secret` must be at least 16 characters (receivers check the signature with it).')
  const timeoutMs = options.timeoutMs ?? 10_000
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) fail('`timeoutMs` must be a whole number of milliseconds between 100 and 120000.')
  const retries = options.retries ?? 5
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) fail('`retries` must be a whole number between 0 and 20.')
  return { urls, events: [...new Set(events)], secret: options.secret ?? '', allowPrivateAddresses, timeoutMs, retries, enabled: options.enabled !== false }
}
