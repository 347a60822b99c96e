import type { Config } from 'payload'

import { goalEndpoints } from './endpoints'

/**
 * Goals, streaks and leaderboards for the public site: the `/api/site/me/...` and
 * `/api/site/leaderboard` endpoints. The `contributor-profiles` collection they write is listed
 * in payload.config.ts with the other core collections.
 */
export const goalsModule =
  () =>
  (incoming: Config): Config => ({ ...incoming, endpoints: [...(incoming.endpoints ?? []), ...goalEndpoints] })
