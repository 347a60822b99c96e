import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

import { getJobQueue, PermanentJobError, type JobDefinition } from '@shrutik/plugin-sdk'
import nodemailer, { type Transporter } from 'nodemailer'
import type { EmailAdapter, Payload, PayloadRequest, SendEmailOptions } from 'payload'

import { settings } from '../lib/env'
import { logger } from '../lib/logger'

export const SEND_EMAIL = 'email.send'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    /** `to` stays readable (the job monitor shows where a failing email goes); the rest is `sealed`. */
    'email.send': { to: string; sealed: string }
  }
}

/** What is sealed: everything but the recipient. */
interface SealedMessage {
  from: string
  subject: string
  text?: string
  html?: string
  /** Extra headers (List-Unsubscribe on a newsletter-like email). */
  headers?: Record<string, string>
}

const addressOf = (value: SendEmailOptions['to'] | SendEmailOptions['from']): string => {
  if (!value) return ''
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map((entry) => addressOf(entry as never)).join(', ')
  const { name, address } = value as { name?: string; address: string }
  return name ? `"${name.replace(/"/g, '')}" <${address}>` : address
}

/*
 * Queued emails are sealed with AES-256-GCM. A password-reset email holds a live reset link, and
 * the jobs table is read by the admin job monitor, kept in backups and replicated: none of those
 * should hand out a way into an account. Sealing the message (rather than storing a user id and
 * rebuilding the link at send time) keeps the mail job generic — any future email carrying a
 * secret is covered, and the worker needs no knowledge of password resets. The key is derived
 * from PAYLOAD_SECRET with HKDF, so every web and worker process of an install shares it and no
 * new setting is needed; the recipient is the associated data, so a sealed body cannot be moved
 * to another address.
 */
const SEAL_VERSION = 'v1'
const keyFor = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'shrutik-email', 'queued-email-v1', 32))

export const sealMessage = (secret: string, to: string, message: SealedMessage): string => {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret), iv)
  cipher.setAAD(Buffer.from(to, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(message), 'utf8'), cipher.final()])
  return [SEAL_VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.')
}

export const openMessage = (secret: string, to: string, sealed: string): SealedMessage => {
  const [version, iv, tag, ciphertext] = sealed.split('.')
  if (version !== SEAL_VERSION || !iv || !tag || ciphertext === undefined) throw new PermanentJobError('The queued email is not in a format this version can read.')
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(to, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    return JSON.parse(plain) as SealedMessage
  } catch {
    // Retrying cannot help: the message was sealed with another PAYLOAD_SECRET, or altered.
    throw new PermanentJobError('The queued email cannot be opened: PAYLOAD_SECRET changed since it was queued, or the job data was altered.')
  }
}

/**
 * Seals and queues one email. With `req`, the job is queued inside that request's transaction (it
 * is sent only if the transaction commits); without it, in a transaction of its own.
 */
export const queueEmail = async (
  payload: Payload,
  message: { to: string; subject: string; text: string; html?: string; headers?: Record<string, string> },
  options: { req?: PayloadRequest; dedupeKey?: string } = {},
) => {
  if (!message.to || !message.to.includes('@')) throw new Error('An email needs a recipient address.')
  const { emailFrom, emailFromName } = settings()
  const sealed = sealMessage(payload.secret, message.to, {
    from: `"${emailFromName.replace(/"/g, '')}" <${emailFrom}>`,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
  })
  return getJobQueue().enqueue(SEND_EMAIL, { to: message.to, sealed }, options)
}

/**
 * Payload's email adapter for Shrutik: nothing is sent inside the request. The message is sealed
 * and queued as a job (its own transaction: Payload's adapter is not given the request) before the
 * request answers, and a worker sends it with nodemailer, retrying while the mail server is unreachable.
 */
export const queuedEmailAdapter =
  ({ fromAddress, fromName }: { fromAddress: string; fromName: string }): EmailAdapter =>
  ({ payload }) => ({
    name: 'shrutik-queued-nodemailer',
    defaultFromAddress: fromAddress,
    defaultFromName: fromName,
    sendEmail: async (message) => {
      const to = addressOf(message.to)
      if (!to) throw new Error('An email needs a recipient.')
      const sealed = sealMessage(payload.secret, to, {
        from: addressOf(message.from) || `"${fromName}" <${fromAddress}>`,
        subject: String(message.subject ?? ''),
        // Every email gets a plain-text part: Payload's own (password reset) come as HTML alone.
        text: typeof message.text === 'string' ? message.text : typeof message.html === 'string' ? textOfHtml(message.html) : undefined,
        html: typeof message.html === 'string' ? message.html : undefined,
        headers: plainHeaders(message.headers),
      })
      return getJobQueue().enqueue(SEND_EMAIL, { to, sealed })
    },
  })

/** The plain-text part of an HTML-only email: paragraphs as lines, tags dropped, entities decoded. */
export const textOfHtml = (html: string): string =>
  html
    .replace(/<(head|style|script|title)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\n{3,}/g, '\n\n')
    .trim()

const plainHeaders = (headers: SendEmailOptions['headers']): Record<string, string> | undefined => {
  if (!headers || Array.isArray(headers)) return undefined
  const entries = Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  return entries.length ? Object.fromEntries(entries) : undefined
}

let transporter: { url: string; transport: Transporter } | undefined

/** Each SMTP step (connect, greeting, any read or write) gives up after this long. @default 20000 */
const smtpTimeoutMs = (): number => Math.max(100, Number(process.env.SMTP_TIMEOUT_MS ?? 20_000))

/** SMTP_URL (smtp://user:pass@host:587, smtps://...) or, when unset, the log: nothing leaves the server. */
export const transport = (): Transporter => {
  const url = process.env.SMTP_URL ?? ''
  const key = `${url} ${smtpTimeoutMs()}`
  if (transporter?.url !== key) {
    const timeout = smtpTimeoutMs()
    // nodemailer's defaults wait minutes on a server that accepts but never answers.
    const smtp = { url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }
    transporter = { url: key, transport: url ? nodemailer.createTransport(smtp) : nodemailer.createTransport({ jsonTransport: true }) }
  }
  return transporter.transport
}

/**
 * Sends one queued email. Retries with backoff (a mail server that is down is not a lost email).
 * An attempt that times out is aborted (its SMTP connection closed before the message is sent), so
 * a slow attempt cannot deliver after its retry has: one email, not two. One that fails for good
 * stays in Admin → Jobs (failed, with the recipient and the last error).
 */
export const sendEmailJob: JobDefinition<typeof SEND_EMAIL> = {
  name: SEND_EMAIL,
  retries: 5,
  backoffMs: 10_000,
  timeoutMs: 90_000,
  onFailed: async ({ data, error, attempts }) => {
    logger.error('an email could not be delivered; it is listed under Admin → Jobs (failed)', { to: data.to, attempts, error: error.message })
  },
  validate: (data) => {
    const message = data as { to?: unknown; sealed?: unknown }
    return typeof message?.to === 'string' && message.to.includes('@') && typeof message.sealed === 'string' ? undefined : 'an email needs "to" and a sealed message'
  },
  async handler({ data, payload, jobId, signal, log }) {
    const message = openMessage(payload.secret, data.to, data.sealed)
    const info = await transport().sendMail({
      from: message.from,
      to: data.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      // The same id on every attempt: a receiving server that did get an earlier try can tell.
      messageId: `<${jobId}@shrutik.email>`,
      // Aborted on the job's timeout or shutdown: nodemailer closes the connection.
      signal,
    })
    if (!process.env.SMTP_URL) {
      // With no mail server, the log is the only way the operator can act on an email: the whole
      // message goes there, links included (a verification, invitation or reset link can be passed
      // on by hand). Set SMTP_URL and the log holds the recipient and message id only.
      logger.warn('SMTP_URL is not set: the email was not sent; here it is in full (set SMTP_URL to deliver mail)', {
        to: data.to,
        subject: message.subject,
        text: message.text ?? '',
        headers: message.headers,
      })
    }
    log('email sent', { to: data.to, messageId: info.messageId })
  },
}
