import type { CollectionConfig } from 'payload'

import { fieldIsAdmin, isAdmin, nobody } from '../../src/access'

/** The largest weekly goal accepted: far above what anyone records in a week, far below overflow. */
export const MAX_WEEKLY_GOAL = 10_000
export const DISPLAY_NAME_MAX = 32

/**
 * A contributor's goals and leaderboard choice: one row per person, keyed like everything the site
 * counts (`u:<user id>` for an account and the browsers linked to it, `c:<client id>` for an
 * anonymous browser). Anonymous contributors may set goals; only accounts may be listed on a
 * leaderboard. Written by the site's `/api/site/me/...` endpoints only (system writes after the
 * person was identified); readable by admins alone, so a display name is public only through the
 * leaderboard, and only while its owner opts in.
 */
export const ContributorProfiles: CollectionConfig = {
  slug: 'contributor-profiles',
  labels: { singular: 'Contributor profile', plural: 'Contributor profiles' },
  admin: {
    group: 'People',
    useAsTitle: 'displayName',
    defaultColumns: ['displayName', 'leaderboardOptIn', 'weeklyRecordedGoal', 'weeklyValidatedGoal', 'updatedAt'],
    description: 'Weekly goals and leaderboard display names chosen on the site.',
  },
  access: { create: nobody, read: isAdmin, update: nobody, delete: isAdmin },
  fields: [
    // Holds an anonymous client id (`c:<id>`): admins only, like every such field.
    { name: 'key', type: 'text', required: true, unique: true, maxLength: 40, access: { read: fieldIsAdmin }, admin: { readOnly: true } },
    { name: 'user', type: 'relationship', relationTo: 'users', unique: true, maxDepth: 0, admin: { readOnly: true } },
    { name: 'weeklyRecordedGoal', type: 'number', min: 0, max: MAX_WEEKLY_GOAL, admin: { readOnly: true } },
    { name: 'weeklyValidatedGoal', type: 'number', min: 0, max: MAX_WEEKLY_GOAL, admin: { readOnly: true } },
    { name: 'leaderboardOptIn', type: 'checkbox', defaultValue: false, index: true, admin: { readOnly: true } },
    { name: 'displayName', type: 'text', maxLength: DISPLAY_NAME_MAX * 4, admin: { readOnly: true } },
    {
      name: 'displayNameKey',
      type: 'text',
      unique: true,
      maxLength: DISPLAY_NAME_MAX * 4,
      admin: { readOnly: true, description: 'The name folded for comparison: unique, so nobody can take a name that looks like another.' },
    },
  ],
  timestamps: true,
}
