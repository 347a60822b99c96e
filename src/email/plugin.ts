import { registerJobs } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { extendCollection } from '../lib/extendConfig'
import { Invitations } from './invitations'
import { unsubscribeEndpoints } from './unsubscribe'
import { resendVerificationEndpoint, verifyEmailEndpoint, withEmailVerification } from './verification'
import { WeeklySummaries, weeklySummaryJob } from './weeklySummary'

const NAME = 'The email module (src/email)'

/**
 * Email beyond password resets, installed like a plugin: address verification on sign-up (and the
 * rule that only a confirmed address holds a role), invitations, the opt-in weekly summary with
 * its unsubscribe link. Every email is queued (src/email/index.ts) and written from the templates
 * in src/email/templates.ts, in the account's language.
 */
export const emailModule =
  () =>
  (incoming: Config): Config => {
    let config = extendCollection(incoming, 'users', withEmailVerification, NAME)
    config = {
      ...config,
      collections: [...(config.collections ?? []), Invitations, WeeklySummaries],
      endpoints: [...(config.endpoints ?? []), verifyEmailEndpoint, resendVerificationEndpoint, ...unsubscribeEndpoints],
    }
    return registerJobs(config, [weeklySummaryJob])
  }
