/**
 * Who may appear on a public leaderboard: THE one place this is decided. Every leaderboard query
 * filters with this condition, and every cached leaderboard is re-checked against it before it is
 * served, so a change here (or an opt-out) takes effect on the next request.
 *
 * An account (never an anonymous browser: one person can mint many of those) with a confirmed email
 * address (`isVerified` in src/access/verified.ts: one mailbox per listed name) that opted in and
 * chose a display name. `profile` and `user` are the SQL aliases of `contributor_profiles` and
 * `users` in the caller's query.
 */
export const listableOnLeaderboard = (profile: string, user: string): string =>
  `(${profile}.leaderboard_opt_in = true AND ${profile}.display_name IS NOT NULL AND ${profile}.user_id IS NOT NULL AND ${user}.id = ${profile}.user_id AND ${user}.email_verified = true)`
