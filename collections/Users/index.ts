import { ValidationError, type CollectionConfig } from 'payload'

import {
  fieldIsAdmin,
  fieldIsSelfOrAdmin,
  hasRole,
  isAdmin,
  isSelfOrAdmin,
  anyone,
  ROLES,
} from '../../src/access'

export const AGE_BANDS = ['teens', 'twenties', 'thirties', 'forties', 'fifties', 'sixties', 'seventies', 'eighties', 'nineties'] as const
export const GENDERS = ['female', 'male', 'non-binary', 'other', 'prefer-not-to-say'] as const
export const MIN_PASSWORD_LENGTH = 8
export const PASSWORD_RESET_EXPIRATION_MS = 15 * 60 * 1000

interface UsersOptions {
  /** The site's languages an account may choose for its emails and pages (the site's i18n). */
  uiLocales: { value: string; label: string }[]
  allowSelfRegistration: boolean
  maxLoginAttempts: number
  lockTimeMs: number
  tokenExpirationSeconds: number
  secureCookies: boolean
}

/**
 * Accounts. One auth collection with roles (several auth collections with serial ids invite the
 * payload-preferences IDOR, CVE-2026-25574). Sessions are stored server-side, so logout and
 * deletion revoke tokens at once.
 */
export const createUsers = (options: UsersOptions): CollectionConfig => ({
  slug: 'users',
  admin: {
    useAsTitle: 'email',
    defaultColumns: ['email', 'name', 'roles', 'createdAt'],
    group: 'People',
  },
  auth: {
    maxLoginAttempts: options.maxLoginAttempts,
    lockTime: options.lockTimeMs,
    tokenExpiration: options.tokenExpirationSeconds,
    useAPIKey: true,
    useSessions: true,
    cookies: { sameSite: 'Lax', secure: options.secureCookies },
    forgotPassword: {
      // A reset link is a key to the account sitting in a mailbox: short-lived (OWASP: minutes, not hours).
      // Its email (a link to the site's reset form) comes from the contribution module.
      expiration: PASSWORD_RESET_EXPIRATION_MS,
    },
  },
  access: {
    // Self-registration is open unless ALLOW_SELF_REGISTRATION=false; the roles field below makes
    // sure a registration can never choose its own role.
    create: options.allowSelfRegistration ? anyone : isAdmin,
    read: isSelfOrAdmin,
    update: isSelfOrAdmin,
    delete: isAdmin,
    // Only admins may lift a lockout (the default lets any logged-in user do it: GHSA-jg8r-5jh2-v2xj).
    unlock: isAdmin,
    // Contributors use the public site; the admin UI is for reviewers and admins.
    admin: ({ req }) => hasRole(req.user, 'admin', 'reviewer', 'exporter'),
  },
  hooks: {
    beforeValidate: [
      ({ data }) => {
        // ASVS 6.2.1/6.2.9: at least 8 characters, long passphrases welcome, no composition rules.
        const password = data?.password
        if (typeof password === 'string' && (password.length < MIN_PASSWORD_LENGTH || password.length > 256)) {
          throw new ValidationError({
            collection: 'users',
            errors: [{ path: 'password', message: `Use a password of ${MIN_PASSWORD_LENGTH} to 256 characters; a few words you will remember work well.` }],
          })
        }
        return data
      },
    ],
  },
  fields: [
    {
      name: 'email',
      type: 'email',
      required: true,
      unique: true,
      access: { read: fieldIsSelfOrAdmin },
    },
    { name: 'name', type: 'text', maxLength: 120 },
    {
      name: 'roles',
      type: 'select',
      hasMany: true,
      options: ROLES.map((role) => ({ label: role[0].toUpperCase() + role.slice(1), value: role })),
      defaultValue: ['contributor'],
      required: true,
      saveToJWT: true,
      index: true,
      // Nobody but an admin can set or change a role, including their own on registration.
      access: { create: fieldIsAdmin, update: fieldIsAdmin },
      admin: { position: 'sidebar' },
    },
    {
      name: 'uiLocale',
      type: 'select',
      options: options.uiLocales,
      defaultValue: 'en',
      access: { read: fieldIsSelfOrAdmin },
    },
    {
      name: 'demographics',
      type: 'group',
      admin: { description: 'Opt-in. Shared only with admins, and in exports only if the contributor agreed.' },
      access: { read: fieldIsSelfOrAdmin },
      fields: [
        { name: 'ageBand', type: 'select', options: [...AGE_BANDS] },
        { name: 'gender', type: 'select', options: [...GENDERS] },
        { name: 'accent', type: 'text', maxLength: 120 },
        { name: 'variant', type: 'text', maxLength: 120 },
      ],
    },
    {
      name: 'consent',
      type: 'group',
      access: { read: fieldIsSelfOrAdmin },
      fields: [
        { name: 'termsVersion', type: 'text', maxLength: 40 },
        { name: 'acceptedAt', type: 'date' },
      ],
    },
  ],
  timestamps: true,
})

