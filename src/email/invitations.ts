import { sql } from '@payloadcms/db-postgres'
import { idOf } from '@shrutik/plugin-sdk'
import { APIError, commitTransaction, initTransaction, killTransaction, ValidationError, type CollectionConfig, type Payload, type PayloadRequest } from 'payload'
import { generatePayloadCookie } from 'payload/shared'

import { fieldNobody, hasRole, isAdmin } from '../access'
import { databaseFor } from '../db/transaction'
import { REAL_LOCALES, localeName } from '../site/i18n'
import { queueEmail } from './index'
import { localeOrDefault, renderEmail } from './templates'
import { hashToken, newToken } from './tokens'
import { siteName } from './verification'

/** An invitation link works for 7 days, once. */
export const INVITATION_EXPIRATION_MS = 7 * 24 * 60 * 60 * 1000
export const INVITABLE_ROLES = ['reviewer', 'exporter', 'admin'] as const

/** Where beforeChange leaves the new link for afterChange (a string key: Payload copies the context without symbols). */
const TOKEN_TO_SEND = 'shrutikInvitationToSend'

interface InvitationRow {
  id: number
  email: string
  role: string
  locale: string
  expires_at: string | Date
  accepted_at: string | Date | null
}

export const invitationLink = (serverURL: string, locale: string, token: string): string => `${serverURL}/${locale}/invite?token=${encodeURIComponent(token)}`

const normaliseEmail = (value: unknown): string => String(value ?? '').trim().toLowerCase()

const sendInvitation = async (
  payload: Payload,
  invitation: { email: string; role: string; locale?: unknown },
  inviter: string,
  token: string,
  req?: PayloadRequest,
) => {
  const locale = localeOrDefault(invitation.locale)
  const message = renderEmail('invitation', locale, { site: siteName(), inviter, role: invitation.role, link: invitationLink(payload.config.serverURL ?? '', locale, token) })
  await queueEmail(payload, { to: invitation.email, ...message }, { req })
}

const inviterName = (user: unknown): string => {
  const { name, email } = (user ?? {}) as { name?: string | null; email?: string }
  return name ? `${name} (${email ?? ''})` : (email ?? 'An admin')
}

const refuse = (path: string, message: string) => new ValidationError({ collection: 'invitations', errors: [{ path, message }] })

/**
 * Invitations: an admin enters an email address and a role; the person gets a link, chooses their
 * own password and lands in the admin with that role (and a confirmed address). Only the token's
 * SHA-256 is stored; it expires after 7 days and is cleared when used.
 */
export const Invitations: CollectionConfig = {
  slug: 'invitations',
  admin: {
    group: 'People',
    useAsTitle: 'email',
    defaultColumns: ['email', 'role', 'expiresAt', 'acceptedAt', 'invitedBy'],
    description: 'Invite a reviewer, exporter or admin: they get an email with a link, choose their own password and land in the admin. The link works once, for 7 days; "Resend" sends a new one.',
  },
  access: { create: isAdmin, read: isAdmin, update: isAdmin, delete: isAdmin },
  fields: [
    { name: 'email', type: 'email', required: true, index: true, access: { update: fieldNobody } },
    { name: 'role', type: 'select', required: true, defaultValue: 'reviewer', options: INVITABLE_ROLES.map((role) => ({ label: role[0].toUpperCase() + role.slice(1), value: role })) },
    {
      name: 'locale',
      type: 'select',
      label: 'Email language',
      defaultValue: 'en',
      required: true,
      options: REAL_LOCALES.map((locale) => ({ value: locale, label: localeName(locale) })),
    },
    { name: 'tokenHash', type: 'text', hidden: true, index: true, access: { create: fieldNobody, update: fieldNobody } },
    { name: 'expiresAt', type: 'date', access: { create: fieldNobody, update: fieldNobody }, admin: { readOnly: true, position: 'sidebar', date: { pickerAppearance: 'dayAndTime' } } },
    { name: 'invitedBy', type: 'relationship', relationTo: 'users', maxDepth: 0, access: { create: fieldNobody, update: fieldNobody }, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'acceptedAt', type: 'date', access: { create: fieldNobody, update: fieldNobody }, admin: { readOnly: true, position: 'sidebar', date: { pickerAppearance: 'dayAndTime' } } },
    { name: 'user', type: 'relationship', relationTo: 'users', maxDepth: 0, access: { create: fieldNobody, update: fieldNobody }, admin: { readOnly: true, position: 'sidebar', description: 'The account created when the invitation was accepted.' } },
    { name: 'resend', type: 'ui', admin: { position: 'sidebar', components: { Field: '/admin/Email/ResendInvitationButton#ResendInvitationButton' } } },
  ],
  hooks: {
    beforeChange: [
      async ({ data, operation, req }) => {
        if (operation !== 'create') return data
        const email = normaliseEmail(data.email)
        data.email = email
        // System reads: whether the address already has an account or a pending invitation.
        const { totalDocs: accounts } = await req.payload.count({ collection: 'users', where: { email: { equals: email } }, req })
        if (accounts > 0) throw refuse('email', 'An account with this email address already exists: open it under People → Users to change its role (its address must be confirmed).')
        const { totalDocs: pending } = await req.payload.count({
          collection: 'invitations',
          where: { and: [{ email: { equals: email } }, { acceptedAt: { exists: false } }, { expiresAt: { greater_than: new Date().toISOString() } }] },
          req,
        })
        if (pending > 0) throw refuse('email', 'This address already has a pending invitation: open it and use "Resend invitation", or delete it first.')
        const { token, hash } = newToken()
        data.tokenHash = hash
        data.expiresAt = new Date(Date.now() + INVITATION_EXPIRATION_MS).toISOString()
        data.invitedBy = req.user?.id ?? null
        req.context[TOKEN_TO_SEND] = token
        return data
      },
    ],
    afterChange: [
      async ({ doc, req }) => {
        const context = req.context
        const token = context[TOKEN_TO_SEND]
        if (typeof token === 'string') {
          delete context[TOKEN_TO_SEND]
          // In the invitation's transaction: no email for an invitation that was not saved.
          await sendInvitation(req.payload, doc as { email: string; role: string; locale?: string }, inviterName(req.user), token, req)
        }
        return doc
      },
    ],
  },
  endpoints: [
    {
      // A new link (the old one stops working), 7 more days. Admins only.
      path: '/:id/resend',
      method: 'post',
      handler: async (req) => {
        if (!req.user) throw new APIError('Sign in as an admin to resend an invitation.', 401, undefined, true)
        if (!hasRole(req.user, 'admin')) throw new APIError('Only admins can send invitations.', 403, undefined, true)
        const id = Number(req.routeParams?.id)
        if (!Number.isInteger(id) || id <= 0) throw new APIError('No such invitation.', 404, undefined, true)
        const { token, hash } = newToken()
        const db = await databaseFor(req)
        const { rows } = (await db.execute(sql`
          UPDATE invitations SET token_hash = ${hash}, expires_at = ${new Date(Date.now() + INVITATION_EXPIRATION_MS).toISOString()}
           WHERE id = ${id} AND accepted_at IS NULL
           RETURNING id, email, role, locale`)) as unknown as { rows: InvitationRow[] }
        if (rows.length === 0) throw new APIError('This invitation does not exist or was already accepted.', 409, undefined, true)
        await sendInvitation(req.payload, rows[0], inviterName(req.user), token)
        return Response.json({ sent: true, message: `A new invitation link was sent to ${rows[0].email}; it works for 7 days.` })
      },
    },
    {
      // What the invitation page shows before the password is chosen.
      path: '/lookup',
      method: 'get',
      handler: async (req) => {
        const invitation = await liveInvitation(req, req.searchParams.get('token'))
        return Response.json({ email: invitation.email, role: invitation.role, locale: invitation.locale })
      },
    },
    {
      path: '/accept',
      method: 'post',
      handler: acceptInvitation,
    },
  ],
  timestamps: true,
}

/** The invitation a token opens, or a 4xx that says what to do. */
const liveInvitation = async (req: PayloadRequest, token: unknown): Promise<InvitationRow> => {
  if (typeof token !== 'string' || token.length < 10 || token.length > 200) {
    throw new APIError('The invitation link is incomplete: copy the whole link from the email.', 400, undefined, true)
  }
  const db = await databaseFor(req)
  const { rows } = (await db.execute(sql`SELECT id, email, role, locale, expires_at, accepted_at FROM invitations WHERE token_hash = ${hashToken(token)}`)) as unknown as {
    rows: InvitationRow[]
  }
  const invitation = rows[0]
  if (!invitation) {
    throw new APIError('This invitation link is not valid: it was already used, replaced by a newer one, or mistyped. Ask the admin who invited you to send it again.', 400, undefined, true)
  }
  if (invitation.accepted_at) throw new APIError('This invitation was already accepted. Sign in with the password you chose.', 410, undefined, true)
  if (new Date(invitation.expires_at).getTime() <= Date.now()) {
    throw new APIError('This invitation has expired. Ask the admin who invited you to send a new one.', 410, undefined, true)
  }
  return invitation
}

/**
 * `POST /api/invitations/accept` `{ token, password, name? }`: creates the account with the
 * invited role and a confirmed address, uses the invitation up, and signs the person in.
 */
async function acceptInvitation(req: PayloadRequest): Promise<Response> {
  const body = ((await req.json?.().catch(() => ({}))) ?? {}) as { token?: unknown; password?: unknown; name?: unknown }
  if (typeof body.password !== 'string') throw new APIError('Choose a password.', 400, undefined, true)
  const name = typeof body.name === 'string' ? body.name.trim().slice(0, 120) : ''
  const ownTransaction = await initTransaction(req)
  let email: string
  try {
    const invitation = await liveInvitation(req, body.token)
    email = invitation.email
    const db = await databaseFor(req)
    // Used up in the same transaction as the account: two clicks at once make one account.
    const { rows } = (await db.execute(sql`UPDATE invitations SET accepted_at = now(), token_hash = NULL WHERE id = ${invitation.id} AND accepted_at IS NULL RETURNING id`)) as unknown as {
      rows: unknown[]
    }
    if (rows.length === 0) throw new APIError('This invitation was already accepted. Sign in with the password you chose.', 410, undefined, true)
    const { totalDocs } = await req.payload.count({ collection: 'users', where: { email: { equals: email } }, req })
    if (totalDocs > 0) throw new APIError('An account with this email address already exists. Sign in instead (or use "Forgot your password?").', 409, undefined, true)
    // System write: the invitation vouches for the address and grants the role an admin chose.
    const user = await req.payload.create({
      collection: 'users',
      data: { email, password: body.password, roles: [invitation.role as 'reviewer'], uiLocale: localeOrDefault(invitation.locale), emailVerified: true, ...(name ? { name } : {}) },
      req,
      overrideAccess: true,
    })
    await db.execute(sql`UPDATE invitations SET user_id = ${idOf(user.id) ?? null} WHERE id = ${invitation.id}`)
    if (ownTransaction) await commitTransaction(req)
  } catch (error) {
    if (ownTransaction) await killTransaction(req)
    throw error
  }
  // Signed in at once, like the reset form does, and sent to the admin.
  const { token } = await req.payload.login({ collection: 'users', data: { email, password: body.password } })
  const users = req.payload.collections.users.config
  const cookie = generatePayloadCookie({ collectionAuthConfig: users.auth, cookiePrefix: req.payload.config.cookiePrefix, token: token ?? '' })
  return Response.json({ accepted: true, redirect: '/admin' }, { headers: { 'Set-Cookie': cookie, 'Cache-Control': 'no-store' } })
}
