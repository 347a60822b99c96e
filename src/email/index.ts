import { getJobQueue, type JobDefinition } from '@shrutik/plugin-sdk'
import nodemailer, { type Transporter } from 'nodemailer'
import type { EmailAdapter, SendEmailOptions } from 'payload'

import { logger } from '../lib/logger'

export const SEND_EMAIL = 'email.send'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'email.send': { to: string; from: string; subject: string; text?: string; html?: string }
  }
}

const addressOf = (value: SendEmailOptions['to'] | SendEmailOptions['from']): string => {
  if (!value) return ''
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map((entry) => addressOf(entry as never)).join(', ')
  const { name, address } = value as { name?: string; address: string }
  return name ? `"${name.replace(/"/g, '')}" <${address}>` : address
}

/**
 * Payload's email adapter for Shrutik: nothing is sent inside the request. The message is queued
 * as a job (in the request's transaction when there is one) and a worker sends it with nodemailer,
 * retrying while the mail server is unreachable.
 */
export const queuedEmailAdapter =
  ({ fromAddress, fromName }: { fromAddress: string; fromName: string }): EmailAdapter =>
  () => ({
    name: 'shrutik-queued-nodemailer',
    defaultFromAddress: fromAddress,
    defaultFromName: fromName,
    sendEmail: async (message) => {
      const to = addressOf(message.to)
      if (!to) throw new Error('An email needs a recipient.')
      return getJobQueue().enqueue(SEND_EMAIL, {
        to,
        from: addressOf(message.from) || `"${fromName}" <${fromAddress}>`,
        subject: String(message.subject ?? ''),
        text: typeof message.text === 'string' ? message.text : undefined,
        html: typeof message.html === 'string' ? message.html : undefined,
      })
    },
  })

let transporter: { url: string; transport: Transporter } | undefined

/** SMTP_URL (smtp://user:pass@host:587, smtps://...) or, when unset, the log: nothing leaves the server. */
const transport = (): Transporter => {
  const url = process.env.SMTP_URL ?? ''
  if (transporter?.url !== url) {
    transporter = { url, transport: url ? nodemailer.createTransport(url) : nodemailer.createTransport({ jsonTransport: true }) }
  }
  return transporter.transport
}

/** Sends one queued email. Retries with backoff (a mail server that is down is not a lost email). */
export const sendEmailJob: JobDefinition<typeof SEND_EMAIL> = {
  name: SEND_EMAIL,
  retries: 5,
  backoffMs: 10_000,
  timeoutMs: 60_000,
  validate: (data) => {
    const message = data as { to?: unknown; subject?: unknown }
    return typeof message?.to === 'string' && message.to.includes('@') && typeof message.subject === 'string' ? undefined : 'an email needs "to" and "subject"'
  },
  async handler({ data, log }) {
    const info = await transport().sendMail({ from: data.from, to: data.to, subject: data.subject, text: data.text, html: data.html })
    if (!process.env.SMTP_URL) {
      logger.warn('SMTP_URL is not set: the email was written to the log instead of being sent', { to: data.to, subject: data.subject })
    }
    log('email sent', { to: data.to, messageId: info.messageId })
  },
}
