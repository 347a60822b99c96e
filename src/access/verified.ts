/**
 * True when the account confirmed its email address (or was vouched for: an invitation, an account
 * created by the operator, or one that existed before verification was introduced). Unverified
 * accounts contribute like any other, but are not listed on leaderboards and cannot hold a role.
 */
export const isVerified = (user: unknown): boolean => (user as { emailVerified?: unknown } | null | undefined)?.emailVerified === true
