/**
 * Goals, streaks and leaderboard rules as pure functions (no I/O): what a weekly goal may be, what a
 * display name may be, and how days of activity become a streak.
 *
 * Days and weeks are UTC days and ISO weeks (Monday 00:00 UTC), the same as the admin dashboard:
 * one site serves contributors in many time zones, and a day that moved with each browser's clock
 * could be stretched or replayed by changing it. For Bangladesh (UTC+6) a day ends at 06:00 local.
 */

import { DISPLAY_NAME_MAX, MAX_WEEKLY_GOAL } from '../../collections/ContributorProfiles'

export { DISPLAY_NAME_MAX, MAX_WEEKLY_GOAL }
/** Goals when a contributor has not chosen any. */
export const DEFAULT_GOALS = { recorded: 20, validated: 20 } as const
/** Streaks are counted over at most this many days back (a longer one shows as this many). */
export const STREAK_MAX_DAYS = 366

export const DISPLAY_NAME_MIN = 2

export interface WeeklyGoals {
  recorded: number
  validated: number
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

/** A weekly goal: a whole number from 0 (no goal) to MAX_WEEKLY_GOAL. */
export const checkGoal = (value: unknown, what: string): Checked<number> => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_WEEKLY_GOAL) {
    return { ok: false, message: `${what} must be a whole number from 0 to ${MAX_WEEKLY_GOAL}.` }
  }
  return { ok: true, value }
}

/** Zero-width (non-)joiners are part of Bengali spelling (র‍্য); every other format character is refused. */
const CONTROL_OR_INVISIBLE = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u
/** Letters (any script, with their combining marks), digits, spaces and a little punctuation. */
const ALLOWED = /^(?:[\p{L}\p{M}\p{N} ._'-]|\u200C|\u200D)+$/u
const LOOKS_LIKE_ADDRESS = /(@|:\/\/|www\.|\.(com|org|net|info|io|ly|me|xyz|bd|in|co|app|link|site|online|ru|cn)\b)/iu

/** Names that would pass for the site's own staff. */
const RESERVED = new Set(['admin', 'administrator', 'moderator', 'mod', 'shrutik', 'staff', 'support', 'system', 'reviewer', 'anonymous'])

/**
 * The form a display name is compared in: NFKC (full-width and compatibility forms fold), case-folded,
 * spaces and punctuation removed. Two names with the same key are the same name ("Rina Das" and
 * "rina.das" cannot both exist), so nobody can pose as someone listed.
 */
export const displayNameKey = (name: string): string =>
  name
    .normalize('NFKC')
    .toLocaleLowerCase('und')
    .replace(/(?:[ ._'-]|\u200C|\u200D)+/gu, '')

/**
 * A display name shown on public leaderboards: 2–32 characters after trimming, letters of any script
 * with digits, spaces and . _ ' - only; no control or invisible characters, no e-mail addresses or
 * links. Returned normalised (NFC, runs of spaces collapsed).
 */
export const checkDisplayName = (value: unknown): Checked<string> => {
  if (typeof value !== 'string') return { ok: false, message: 'The display name must be text.' }
  if (CONTROL_OR_INVISIBLE.test(value)) return { ok: false, message: 'The display name may not contain control or invisible characters.' }
  const name = value.normalize('NFC').trim().replace(/ {2,}/g, ' ')
  const length = [...name].length
  if (length < DISPLAY_NAME_MIN || length > DISPLAY_NAME_MAX) {
    return { ok: false, message: `The display name must be ${DISPLAY_NAME_MIN} to ${DISPLAY_NAME_MAX} characters long.` }
  }
  if (LOOKS_LIKE_ADDRESS.test(name)) return { ok: false, message: 'The display name may not be an e-mail address or a web address.' }
  if (!ALLOWED.test(name)) return { ok: false, message: "Use letters, digits, spaces and . _ ' - only in the display name." }
  if (displayNameKey(name).length < DISPLAY_NAME_MIN) return { ok: false, message: 'The display name needs at least two letters or digits.' }
  if (RESERVED.has(displayNameKey(name))) return { ok: false, message: 'This display name is kept for the site itself. Choose another.' }
  return { ok: true, value: name }
}

/** Midnight UTC of the day `now` falls in. */
export const utcDayStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))

/** Monday 00:00 UTC of the ISO week `now` falls in. */
export const weekStart = (now: Date): Date => {
  const day = utcDayStart(now)
  const sinceMonday = (day.getUTCDay() + 6) % 7
  return new Date(day.getTime() - sinceMonday * 86_400_000)
}

const dayKey = (date: Date): string => date.toISOString().slice(0, 10)

export interface Streak {
  /** Consecutive UTC days with at least one contribution, ending today or yesterday. */
  days: number
  /** Whether today already counts (if not, contributing today keeps the streak going). */
  today: boolean
}

/**
 * The streak ending today, or yesterday when nothing was done yet today (the streak is still alive
 * until the day is over). `activeDays` are UTC days as `YYYY-MM-DD`, in any order.
 */
export const streakOf = (activeDays: Iterable<string>, now: Date): Streak => {
  const days = new Set(activeDays)
  const today = utcDayStart(now)
  const doneToday = days.has(dayKey(today))
  let cursor = doneToday ? today : new Date(today.getTime() - 86_400_000)
  let count = 0
  while (days.has(dayKey(cursor)) && count < STREAK_MAX_DAYS) {
    count++
    cursor = new Date(cursor.getTime() - 86_400_000)
  }
  return { days: count, today: doneToday }
}
