import { APIError, type Endpoint } from 'payload'

import { hasRole } from '../access/roles'
import { settings } from '../lib/env'
import { logger } from '../lib/logger'
import { transport } from './index'
import { localeOrDefault, renderEmail } from './templates'

/**
 * "Send a test email" (Admin → Site settings): sends one message to the signed-in admin at once,
 * through the same transport and timeouts as the queued emails, and answers with what the mail
 * server said, so an operator checks SMTP_URL without waiting for a password reset to go missing.
 * 200 delivered; 409 no SMTP_URL (mail goes to the log); 502 the mail server refused or timed out.
 */
export const testEmailEndpoint: Endpoint = {
  path: '/ops/test-email',
  method: 'post',
  handler: async (req) => {
    if (!req.user) throw new APIError('Sign in as an admin to send a test email.', 401, undefined, true)
    if (!hasRole(req.user, 'admin')) throw new APIError('Only admins can send a test email.', 403, undefined, true)
    const to = String((req.user as { email?: unknown }).email ?? '')
    if (!process.env.SMTP_URL) {
      return Response.json(
        { delivered: false, message: 'SMTP_URL is not set, so emails are written to the server log instead of sent. Set SMTP_URL (and EMAIL_FROM) and restart.' },
        { status: 409 },
      )
    }
    const { emailFrom, emailFromName, serverURL } = settings()
    // In the admin's own language (their account's site language), from the same templates as every email.
    const message = renderEmail('test', localeOrDefault((req.user as { uiLocale?: unknown }).uiLocale), { site: emailFromName, url: serverURL })
    try {
      const info = await transport().sendMail({ from: { name: emailFromName, address: emailFrom }, to, ...message })
      logger.info('test email sent', { to, messageId: info.messageId })
      return Response.json({ delivered: true, to, message: `Sent to ${to}. The mail server answered: ${String(info.response ?? 'OK')}` })
    } catch (error) {
      logger.warn('test email failed', { to, error: (error as Error).message })
      return Response.json({ delivered: false, to, message: `The mail server did not take the email: ${(error as Error).message}` }, { status: 502 })
    }
  },
}
