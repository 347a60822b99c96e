import { sql } from '@payloadcms/db-postgres'
import { APIError, ValidationError, type CollectionConfig, type Endpoint, type Field, type Payload, type PayloadRequest } from 'payload'

import { fieldIsSelfOrAdmin, fieldNobody } from '../access'
import { databaseFor } from '../db/transaction'
import { settings } from '../lib/env'
import { appendHooks } from '../lib/extendConfig'
import { queueEmail } from './index'
import { localeOrDefault, renderEmail } from './templates'
import { hashToken, newToken } from './tokens'

/** A verification link works for 48 hours, once. */
export const VERIFICATION_EXPIRATION_MS = 48 * 60 * 60 * 1000

/** Where beforeChange leaves the new link for afterChange (a string key: Payload copies the context without symbols). */
const TOKEN_TO_SEND = 'shrutikVerificationToSend'

/** The site's name in emails (EMAIL_FROM_NAME). */
export const siteName = (): string => settings().emailFromName

export const verificationLink = (serverURL: string, locale: string, token: string): string =>
  `${serverURL}/${locale}/profile/verify?token=${encodeURIComponent(token)}`

/** Queues the verification email (inside `req`'s transaction when given). */
export const sendVerificationEmail = async (payload: Payload, user: { email: string; uiLocale?: unknown }, token: string, req?: PayloadRequest) => {
  const locale = localeOrDefault(user.uiLocale)
  const message = renderEmail('verification', locale, { site: siteName(), link: verificationLink(payload.config.serverURL ?? '', locale, token) })
  await queueEmail(payload, { to: user.email, ...message }, { req })
}

/** The fields verification and the weekly summary add to accounts. */
export const verificationFields: Field[] = [
  {
    name: 'emailVerified',
    type: 'checkbox',
    defaultValue: false,
    index: true,
    // Set by the server alone: the verification link, an invitation, or an operator's own account.
    access: { read: fieldIsSelfOrAdmin, create: fieldNobody, update: fieldNobody },
    admin: {
      position: 'sidebar',
      readOnly: true,
      description: 'Confirmed from the link in the verification email, or vouched for (invited, or created on the server). Roles other than contributor need a confirmed address.',
    },
  },
  // Only the SHA-256 of the link's token, cleared once used.
  { name: 'verificationTokenHash', type: 'text', hidden: true, index: true, access: { create: fieldNobody, update: fieldNobody } },
  { name: 'verificationExpiresAt', type: 'date', hidden: true, access: { create: fieldNobody, update: fieldNobody } },
  {
    name: 'weeklySummary',
    type: 'checkbox',
    defaultValue: false,
    access: { read: fieldIsSelfOrAdmin, update: fieldIsSelfOrAdmin },
    admin: { position: 'sidebar', description: 'Opted in to the weekly summary email (each one has an unsubscribe link).' },
  },
]

const ROLE_NEEDS_VERIFICATION =
  'This account’s email address is not confirmed yet, so it cannot be given a role. Ask the person to open the link in their verification email (they can ask for a new one from their profile), or delete the account and send an invitation (People → Invitations) instead.'

/**
 * Accounts start unverified and get a verification email when they sign up (or change their email
 * address). Only a confirmed address can hold a role beyond contributor: an admin giving a role to
 * an existing unverified account is refused; whoever creates an account with a role (an admin in
 * the admin, the first-admin setup, the CLI, seeds, an accepted invitation) vouches for it.
 */
export const withEmailVerification = (users: CollectionConfig): CollectionConfig =>
  appendHooks(
    {
      ...users,
      // The list shows who confirmed their address: the ones a role can be given to.
      admin: { ...users.admin, defaultColumns: [...(users.admin?.defaultColumns ?? ['email']), 'emailVerified'] },
      fields: [...users.fields, ...verificationFields],
    },
    {
      beforeChange: [
        ({ data, originalDoc, operation, req }) => {
          const roles = ((data.roles ?? originalDoc?.roles ?? []) as string[]).filter(Boolean)
          const elevated = roles.some((role) => role !== 'contributor')
          const emailChanged =
            operation === 'update' && typeof data.email === 'string' && data.email.trim().toLowerCase() !== String(originalDoc?.email ?? '').trim().toLowerCase()
          let verified = typeof data.emailVerified === 'boolean' ? data.emailVerified : operation === 'update' && originalDoc?.emailVerified === true
          // A contributor who changes address confirms the new one; an account with a role keeps its standing.
          if (emailChanged && !elevated) verified = false
          if (elevated && !verified) {
            // Created with a role (only an admin or the server can set one): whoever created it vouches,
            // as for an invitation. An existing, unconfirmed account is not promoted.
            if (operation === 'create' || !req.user) verified = true
            else if (Array.isArray(data.roles)) throw new ValidationError({ collection: 'users', errors: [{ path: 'roles', message: ROLE_NEEDS_VERIFICATION }] })
          }
          data.emailVerified = verified
          if (verified) {
            data.verificationTokenHash = null
            data.verificationExpiresAt = null
          } else if ((operation === 'create' && req.payloadAPI !== 'local') || emailChanged) {
            // A sign-up (REST or the admin form) or a new address: a link to confirm it.
            const { token, hash } = newToken()
            data.verificationTokenHash = hash
            data.verificationExpiresAt = new Date(Date.now() + VERIFICATION_EXPIRATION_MS).toISOString()
            // The address and language as written: the document afterChange sees is already cut to what the caller may read.
            const to = String(data.email ?? originalDoc?.email ?? '')
            req.context[TOKEN_TO_SEND] = { token, to, locale: data.uiLocale ?? originalDoc?.uiLocale }
          }
          return data
        },
      ],
      afterChange: [
        async ({ doc, req }) => {
          const context = req.context
          const pending = context[TOKEN_TO_SEND] as { token: string; to: string; locale: unknown } | undefined
          if (pending) {
            delete context[TOKEN_TO_SEND]
            // In the account's transaction: no email for an account that was not created.
            await sendVerificationEmail(req.payload, { email: pending.to, uiLocale: pending.locale }, pending.token, req)
          }
          return doc
        },
      ],
    },
  )

const tokenFrom = async (req: PayloadRequest): Promise<string> => {
  const body = (await req.json?.().catch(() => ({}))) as { token?: unknown } | undefined
  const token = body?.token
  if (typeof token !== 'string' || token.length < 10 || token.length > 200) {
    throw new APIError('The verification link is incomplete: copy the whole link from the email.', 400, undefined, true)
  }
  return token
}

/** `POST /api/email/verify` `{ token }`: confirms the address the link was sent to (once). */
export const verifyEmailEndpoint: Endpoint = {
  path: '/email/verify',
  method: 'post',
  handler: async (req) => {
    const hash = hashToken(await tokenFrom(req))
    const db = await databaseFor(req)
    // One statement: a link used twice at once confirms once.
    const { rows } = (await db.execute(sql`
      UPDATE users SET email_verified = true, verification_token_hash = NULL, verification_expires_at = NULL
       WHERE verification_token_hash = ${hash} AND verification_expires_at > now()
       RETURNING id`)) as unknown as { rows: { id: number }[] }
    if (rows.length === 1) return Response.json({ verified: true })
    const { rows: expired } = (await db.execute(sql`SELECT 1 FROM users WHERE verification_token_hash = ${hash}`)) as unknown as { rows: unknown[] }
    if (expired.length > 0) {
      throw new APIError('This verification link has expired. Sign in and ask for a new one from your profile.', 410, undefined, true)
    }
    throw new APIError('This verification link is not valid: it was already used, replaced by a newer one, or mistyped. Sign in to see whether your address is confirmed, and ask for a new link from your profile if not.', 400, undefined, true)
  },
}

/** `POST /api/email/resend-verification`: a new link for the signed-in account (rate-limited by the server). */
export const resendVerificationEndpoint: Endpoint = {
  path: '/email/resend-verification',
  method: 'post',
  handler: async (req) => {
    if (!req.user || req.user.collection !== 'users') throw new APIError('Sign in to ask for a new verification link.', 401, undefined, true)
    const user = req.user as unknown as { id: number; email: string; uiLocale?: unknown; emailVerified?: boolean }
    if (user.emailVerified === true) throw new APIError('Your email address is already confirmed.', 409, undefined, true)
    const { token, hash } = newToken()
    const db = await databaseFor(req)
    await db.execute(sql`UPDATE users SET verification_token_hash = ${hash}, verification_expires_at = ${new Date(Date.now() + VERIFICATION_EXPIRATION_MS).toISOString()} WHERE id = ${user.id}`)
    await sendVerificationEmail(req.payload, user, token)
    return Response.json({ sent: true, message: 'A new verification link is on its way.' })
  },
}
