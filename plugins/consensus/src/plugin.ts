import {
  folderOf,
  listen,
  registerCommands,
  registerContributorHandlers,
  registerDecisionSource,
  registerJobs,
  registerJudgmentCounter,
  registerMigrations,
} from '@shrutik/plugin-sdk'
import type { CollectionConfig, Config } from 'payload'

import { decisionsCollection, extendSegments, segmentDecisionsCollection, extendTranscriptions, ownRecordingIsForbidden, reliabilityCollection, skipsCollection, voteCounter, votesCollection } from './collections'
import { aggregateCommand } from './cli'
import { consensusContributorHandlers } from './contributors'
import { decisionSource } from './decisions'
import { consensusEndpoints } from './endpoints'
import { createEstimateReliabilityJob, createEvaluateSegmentJob } from './jobs'
import { migrations } from './migrations'
import { learnTask } from './segments'
import { DECISIONS, RELIABILITY, sanitizeOptions, SEGMENT_DECISIONS, SETTINGS_KEY, SKIPS, VOTES, type ConsensusOptions } from './options'

/** The review queue in the admin UI (components from `@shrutik/plugin-consensus/admin`). */
const reviewAdmin = (admin: Config['admin']): Config['admin'] => ({
  ...admin,
  components: {
    ...admin?.components,
    views: {
      ...admin?.components?.views,
      consensusReview: { Component: '@shrutik/plugin-consensus/admin#ReviewView', path: '/review', exact: true },
    },
    afterNavLinks: [...(admin?.components?.afterNavLinks ?? []), '@shrutik/plugin-consensus/admin#ReviewNavLink'],
  },
})

/**
 * `consensusPlugin(options)`: votes, skips, contributor reliability, each segment's decision and
 * the reviewers' decision log (its own collections; segments show their decision through a join); own-recording checks on votes and transcriptions; the
 * evaluate and estimate jobs; the serving, skip, review and audio endpoints under
 * `/api/consensus/`; the review queue at `/admin/review`. Judges the segments of the
 * audio-processing plugin, listed before it; without that plugin there is no audio to judge and
 * it adds nothing (the platform runs without it). With `enabled: false` only the schema and the
 * integrity checks stay.
 */
export const consensusPlugin =
  (options: ConsensusOptions) =>
  (config: Config): Config => {
    const settings = sanitizeOptions(options)
    const collections = config.collections ?? []
    const { segments, transcriptions } = settings.slugs
    const has = (slug: string) => collections.some((collection) => collection.slug === slug)
    // No segments, no audio to judge: its votes and decisions have nothing to refer to.
    if (!has(segments)) return config
    if (!has(transcriptions)) throw new Error(`consensusPlugin: no "${transcriptions}" collection to aggregate.`)
    const extend = (collection: CollectionConfig): CollectionConfig =>
      collection.slug === segments ? extendSegments(collection) : collection.slug === transcriptions ? extendTranscriptions(collection, settings) : collection
    const segmentsRead = collections.find((collection) => collection.slug === segments)?.access?.read
    const withSchema: Config = {
      ...config,
      custom: { ...config.custom, [SETTINGS_KEY]: settings },
      collections: [
        ...collections.map(extend),
        votesCollection(settings),
        skipsCollection(settings),
        reliabilityCollection(settings),
        decisionsCollection(settings),
        segmentDecisionsCollection(settings, segmentsRead),
      ],
      // The database trigger's refusal of judging one's own recording is a 403, wherever it surfaces.
      hooks: { ...config.hooks, afterError: [...(config.hooks?.afterError ?? []), ownRecordingIsForbidden] },
    }
    // Claims and withdrawals reach votes, skips and reliability even when deciding is off; so does
    // the count of votes a reprocess would delete with their segments.
    // Its tables are created and changed by its own migrations (the join on segments has no column).
    const withMigrations = registerMigrations(withSchema, {
      plugin: 'consensus',
      migrations,
      owns: { collections: [VOTES, SKIPS, RELIABILITY, DECISIONS, SEGMENT_DECISIONS] },
      directory: folderOf(import.meta.url, 'migrations'),
    })
    // `shrutik consensus aggregate` (offline, on a TSV) works whether deciding is on or off.
    // A segment's task comes from the audio plugin's `segment.ready` (schema-level: the serving indexes need it even while deciding is off).
    const withTasks = listen(withMigrations, { plugin: 'consensus', event: 'segment.ready', handler: async ({ payload, data }) => learnTask(payload, data) })
    // Decisions are read by exporters through the SDK whether deciding is on or off (they were made before).
    const withHandlers = registerCommands(
      registerDecisionSource(registerJudgmentCounter(registerContributorHandlers(withTasks, consensusContributorHandlers(settings)), voteCounter), decisionSource),
      'consensus',
      [aggregateCommand],
    )
    if (!settings.enabled) return withHandlers
    return registerJobs(
      {
        ...withHandlers,
        admin: reviewAdmin(withHandlers.admin),
        endpoints: [...(withHandlers.endpoints ?? []), ...consensusEndpoints(settings)],
      },
      [createEvaluateSegmentJob(settings), createEstimateReliabilityJob(settings)],
    )
  }
