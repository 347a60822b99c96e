import { sql } from '@payloadcms/db-postgres'
import type { Endpoint, PayloadRequest } from 'payload'

import { databaseFor } from '../db/transaction'
import { translator, type Locale } from '../site/i18n'
import { localeOrDefault } from './templates'
import { readUnsubscribeToken, unsubscribeToken, type UnsubscribeList } from './tokens'

const UNSUBSCRIBE_PATH = '/api/email/unsubscribe'

export const unsubscribeLink = (serverURL: string, secret: string, userId: number, list: UnsubscribeList): string =>
  `${serverURL}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(unsubscribeToken(secret, userId, list))}`

/** RFC 2369 / RFC 8058 headers: mail clients show an "Unsubscribe" button that POSTs to the link. */
export const unsubscribeHeaders = (link: string): Record<string, string> => ({
  'List-Unsubscribe': `<${link}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
})

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** `a•••@example.org`: the page shows whose summary stops without spelling out the address to whoever holds the link. */
const maskEmail = (email: string): string => {
  const [local, domain] = email.split('@')
  return `${local.slice(0, 1)}•••@${domain ?? ''}`
}

const page = (locale: Locale | 'both', status: number, body: string): Response => {
  const title = locale === 'both' ? `${translator('en')('email.unsubscribeTitle')} · ${translator('bn')('email.unsubscribeTitle')}` : translator(locale)('email.unsubscribeTitle')
  const html = `<!doctype html><html lang="${locale === 'both' ? 'en' : locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><meta name="robots" content="noindex"></head><body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>`
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } })
}

/** A forged or cut link: said in every language, since the link does not tell whose it is. */
const invalid = (): Response =>
  page('both', 400, (['en', 'bn'] as const).map((locale) => `<p lang="${locale}">${escapeHtml(translator(locale)('email.unsubscribeInvalid'))}</p>`).join('\n'))

const accountOf = async (req: PayloadRequest) => {
  const raw = req.searchParams.get('token')
  const parsed = readUnsubscribeToken(req.payload.secret, raw)
  if (!parsed) return undefined
  const db = await databaseFor(req)
  const { rows } = (await db.execute(sql`SELECT id, email, ui_locale FROM users WHERE id = ${parsed.userId}`)) as unknown as { rows: { id: number; email: string; ui_locale: string | null }[] }
  if (!rows[0]) return undefined
  return { ...parsed, token: String(raw), email: rows[0].email, locale: localeOrDefault(rows[0].ui_locale) }
}

/**
 * Unsubscribe without signing in. GET shows a confirmation page (link scanners that open every link
 * unsubscribe nobody); POST — the page's button, or a mail client's RFC 8058 one-click
 * `List-Unsubscribe=One-Click` — turns the list off. A forged or cut token gets a 400 page.
 */
export const unsubscribeEndpoints: Endpoint[] = [
  {
    path: '/email/unsubscribe',
    method: 'get',
    handler: async (req) => {
      const account = await accountOf(req)
      if (!account) return invalid()
      const t = translator(account.locale)
      return page(
        account.locale,
        200,
        `<p>${escapeHtml(t('email.unsubscribeConfirm', { email: maskEmail(account.email) }))}</p>
<form method="post" action="${UNSUBSCRIBE_PATH}?token=${escapeHtml(encodeURIComponent(account.token))}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(t('email.unsubscribeButton'))}</button></form>`,
      )
    },
  },
  {
    path: '/email/unsubscribe',
    method: 'post',
    handler: async (req) => {
      const account = await accountOf(req)
      if (!account) return invalid()
      const db = await databaseFor(req)
      // The one list there is; a new list adds its column here.
      if (account.list === 'weekly-summary') await db.execute(sql`UPDATE users SET weekly_summary = false WHERE id = ${account.userId}`)
      req.payload.logger.info({ msg: 'unsubscribed from an email list', userId: account.userId, list: account.list })
      return page(account.locale, 200, `<p>${escapeHtml(translator(account.locale)('email.unsubscribeDone', { email: maskEmail(account.email) }))}</p>`)
    },
  },
]
