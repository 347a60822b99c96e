import { databaseFor, getJobQueue, hasRole, type JudgmentCounter } from '@shrutik/plugin-sdk'
import {
  APIError,
  ValidationError,
  type Access,
  type AfterErrorHook,
  type CollectionAfterChangeHook,
  type CollectionAfterDeleteHook,
  type CollectionBeforeChangeHook,
  type CollectionBeforeDeleteHook,
  type CollectionConfig,
  type Field,
  type PayloadRequest,
  type Where,
} from 'payload'

import { judgesCheckedInHooks, fieldIsAdmin, fieldNobody, isAdmin, isReviewerOrAdmin, contributorOf, nobody, ownJudgmentsOrReviewer } from './access'
import { CONSENSUS_STATUSES } from './core'
import type { Drizzle } from './db'
import { EVALUATE_SEGMENT } from './jobNames'
import { DECISIONS, RELIABILITY, SEGMENT_DECISIONS, SKIPS, VOTES, type SanitizedConsensusOptions } from './options'
import { idOf, segmentFacts, type SegmentFacts } from './segments'

/** Why a clip is not valid (votes), or what is wrong with a segment (reports on skips). */
export const REASONS = [
  { label: 'Does not match the text', value: 'does-not-match' },
  { label: 'Too noisy', value: 'noisy' },
  { label: 'Wrong language', value: 'wrong-language' },
  { label: 'Offensive', value: 'offensive' },
  { label: 'Other', value: 'other' },
] as const

/** SQLSTATE raised by the database trigger that refuses judging one's own recording (see the migration). */
export const OWN_RECORDING_SQLSTATE = 'SH001'

/** Set while a segment's judgments are deleted with it: nothing to re-evaluate then. */
const CASCADE = 'consensusCascade'

type Doc = Record<string, unknown>

const refuseOwnRecording = (what: 'validate' | 'transcribe') =>
  new APIError(`This is your own recording: you cannot ${what} it. Please ${what} other people's recordings.`, 403, undefined, true)

/** The segment a judgment is about, checked: it exists, it is of the right kind, it is not the contributor's own. */
const checkedSegment = async (
  req: PayloadRequest,
  settings: SanitizedConsensusOptions,
  segmentRef: unknown,
  contributor: { userId?: number | null; clientId?: string | null },
  kind: 'vote' | 'transcription' | 'skip',
): Promise<SegmentFacts> => {
  const id = idOf(segmentRef)
  const field = kind === 'transcription' ? 'item' : 'segment'
  if (id === undefined) throw new APIError(`Say which segment this is about ("${field}": a segment id).`, 400, undefined, true)
  // System read inside the request's transaction: the segment's owner decides, whoever asks.
  const segment = await segmentFacts(await databaseFor<Drizzle>(req), settings, id)
  if (!segment) throw new APIError(`Segment ${id} does not exist (it may have been reprocessed or deleted).`, 400, undefined, true)
  if (kind === 'vote' && segment.kind === 'transcription') {
    throw new APIError(`Segment ${id} is part of a long recording: it is transcribed, not voted on.`, 400, undefined, true)
  }
  if (kind === 'skip') return segment
  const browser = (await contributorOf(req, settings).catch(() => undefined))?.clientId
  const own =
    (contributor.userId != null && contributor.userId === segment.ownerId) ||
    (contributor.clientId != null && contributor.clientId === segment.ownerClientId) ||
    // A signed-in contributor who recorded it before signing in still holds the cookie.
    (browser !== undefined && browser === segment.ownerClientId)
  if (own) throw refuseOwnRecording(kind === 'vote' ? 'validate' : 'transcribe')
  return segment
}

/**
 * On create, the contributor is whoever asks: the signed-in user, else the cookie's client id. The
 * fields themselves cannot be written through the API (field access); a system call (seeds,
 * tests) may set them.
 */
const assignContributor =
  (settings: SanitizedConsensusOptions, userField: string, doing: string): CollectionBeforeChangeHook =>
  async ({ data, operation, req }) => {
    if (operation !== 'create') return data
    // System writes (seeds, tests, jobs: Local API without a user) state the contributor themselves.
    if (req.payloadAPI === 'local' && !req.user && (data[userField] || data.clientId)) return data
    const contributor = await contributorOf(req, settings)
    if (contributor && !contributor.consented) {
      throw new APIError(`Accept the current contribution terms before you ${doing}.`, 403, undefined, true)
    }
    if (contributor?.userId !== undefined) {
      data[userField] = contributor.userId
      data.clientId = null
    } else if (contributor?.clientId !== undefined) {
      data[userField] = null
      data.clientId = contributor.clientId
    } else {
      throw new APIError(`Sign in, or accept the contribution terms, before you ${doing}.`, 403, undefined, true)
    }
    return data
  }

const checkVote =
  (settings: SanitizedConsensusOptions): CollectionBeforeChangeHook =>
  async ({ data, originalDoc, operation, req }) => {
    const merged = { ...(originalDoc as Doc | undefined), ...data }
    if (typeof merged.valid !== 'boolean') {
      throw new ValidationError({ collection: VOTES, errors: [{ path: 'valid', message: 'Say whether the recording is valid ("valid": true or false).' }] }, req.t)
    }
    if (merged.valid) data.reason = null
    else if (!merged.reason) {
      throw new ValidationError(
        { collection: VOTES, errors: [{ path: 'reason', message: `Say why the recording is not valid ("reason": one of ${REASONS.map((reason) => reason.value).join(', ')}).` }] },
        req.t,
      )
    }
    if (operation === 'create' || idOf(data.segment) !== idOf((originalDoc as Doc | undefined)?.segment)) {
      await checkedSegment(req, settings, merged.segment, { userId: idOf(merged.voter), clientId: merged.clientId as string | null }, 'vote')
    }
    return data
  }

const checkSkip =
  (settings: SanitizedConsensusOptions): CollectionBeforeChangeHook =>
  async ({ data, originalDoc, operation, req }) => {
    const merged = { ...(originalDoc as Doc | undefined), ...data }
    if (operation === 'create' || idOf(data.segment) !== idOf((originalDoc as Doc | undefined)?.segment)) {
      await checkedSegment(req, settings, merged.segment, {}, 'skip')
    }
    return data
  }

/** Transcriptions (core collection): not of one's own recording. Runs after core's hook has set the author. */
const checkTranscription =
  (settings: SanitizedConsensusOptions): CollectionBeforeChangeHook =>
  async ({ data, originalDoc, operation, req }) => {
    const original = originalDoc as Doc | undefined
    if (operation === 'create' || (data.item !== undefined && idOf(data.item) !== idOf(original?.item))) {
      const merged = { ...original, ...data }
      await checkedSegment(req, settings, merged.item, { userId: idOf(merged.author), clientId: merged.clientId as string | null }, 'transcription')
    }
    return data
  }

const enqueueEvaluation = async (req: PayloadRequest, ids: (number | undefined)[]) => {
  for (const segmentId of new Set(ids.filter((id): id is number => id !== undefined))) {
    await getJobQueue(req.payload).enqueue(EVALUATE_SEGMENT, { segmentId }, { req, dedupeKey: `segment-${segmentId}` })
  }
}

/** A new or changed judgment re-decides its segment, in the request's own transaction. */
const evaluateAfterChange =
  (segmentField: string, relevant: (doc: Doc, previous: Doc | undefined) => boolean): CollectionAfterChangeHook =>
  async ({ doc, previousDoc, operation, req }) => {
    const previous = operation === 'update' ? (previousDoc as Doc) : undefined
    if (!relevant(doc, previous)) return doc
    await enqueueEvaluation(req, [idOf(doc[segmentField]), idOf(previous?.[segmentField])])
    return doc
  }

const evaluateAfterDelete =
  (segmentField: string): CollectionAfterDeleteHook =>
  async ({ doc, req, context }) => {
    if (context?.[CASCADE]) return doc
    await enqueueEvaluation(req, [idOf((doc as Doc)[segmentField])])
    return doc
  }

/** Turns the database's "already exists" into a sentence for the person who tried. */
const friendlyDuplicate =
  (message: string): AfterErrorHook =>
  ({ error, req }) => {
    if (!(error instanceof ValidationError)) return
    const unique = req.t ? req.t('error:valueMustBeUnique') : 'Value must be unique'
    const errors = (error.data as { errors?: { message: string }[] } | undefined)?.errors ?? []
    if (!errors.some((entry) => entry.message === unique)) return
    return { status: 400, response: { errors: [{ name: 'ValidationError', message }] } }
  }

const contributorFields = (settings: SanitizedConsensusOptions, userField: string, label: string): Field[] => [
  {
    name: userField,
    label,
    type: 'relationship',
    relationTo: settings.slugs.users,
    index: true,
    maxDepth: 0,
    access: { create: fieldNobody, update: fieldNobody },
    admin: { readOnly: true, position: 'sidebar' },
  },
  {
    name: 'clientId',
    type: 'text',
    index: true,
    access: { read: fieldIsAdmin, create: fieldNobody, update: fieldNobody },
    admin: { readOnly: true, position: 'sidebar', description: 'Anonymous contributor id (cookie).' },
  },
]

const segmentField = (settings: SanitizedConsensusOptions, required: boolean): Field => ({
  name: 'segment',
  type: 'relationship',
  relationTo: settings.slugs.segments,
  required,
  index: true,
  maxDepth: 0,
})

export const votesCollection = (settings: SanitizedConsensusOptions): CollectionConfig => ({
  slug: VOTES,
  labels: { singular: 'Vote', plural: 'Votes' },
  admin: { group: 'Consensus', defaultColumns: ['segment', 'valid', 'reason', 'voter', 'createdAt'], description: 'Validation votes on prompt recordings.' },
  access: {
    // Signed in, or anonymous with the consent cookie. Voting on one's own clip is refused by a hook and by a database trigger.
    create: judgesCheckedInHooks,
    read: ownJudgmentsOrReviewer(settings, 'voter'),
    update: isAdmin,
    delete: isAdmin,
  },
  indexes: [
    { fields: ['segment', 'voter'], unique: true },
    { fields: ['segment', 'clientId'], unique: true },
  ],
  hooks: {
    beforeChange: [assignContributor(settings, 'voter', 'validate recordings'), checkVote(settings)],
    ...(settings.enabled
      ? {
          afterChange: [evaluateAfterChange('segment', (doc, previous) => !previous || previous.valid !== doc.valid || idOf(previous.segment) !== idOf(doc.segment))],
          afterDelete: [evaluateAfterDelete('segment')],
        }
      : {}),
    afterError: [friendlyDuplicate('You have already voted on this clip: one vote per clip and person.')],
  },
  fields: [
    segmentField(settings, true),
    ...contributorFields(settings, 'voter', 'Voter'),
    { name: 'valid', type: 'checkbox', required: true, admin: { description: 'Does the recording match its sentence and is it usable?' } },
    {
      name: 'reason',
      type: 'select',
      options: [...REASONS],
      admin: { condition: (data) => data?.valid === false, description: 'Required when the recording is not valid.' },
    },
  ],
  timestamps: true,
})

export const skipsCollection = (settings: SanitizedConsensusOptions): CollectionConfig => ({
  slug: SKIPS,
  labels: { singular: 'Skip', plural: 'Skips and reports' },
  admin: { group: 'Consensus', defaultColumns: ['segment', 'reason', 'contributor', 'createdAt'], description: 'Segments contributors passed on, with an optional problem report.' },
  access: {
    create: judgesCheckedInHooks,
    read: ownJudgmentsOrReviewer(settings, 'contributor'),
    update: isAdmin,
    delete: isAdmin,
  },
  indexes: [
    { fields: ['segment', 'contributor'], unique: true },
    { fields: ['segment', 'clientId'], unique: true },
  ],
  hooks: {
    beforeChange: [assignContributor(settings, 'contributor', 'skip or report recordings'), checkSkip(settings)],
    // A report counts towards sending the segment to a reviewer.
    ...(settings.enabled ? { afterChange: [evaluateAfterChange('segment', (doc, previous) => Boolean(doc.reason) && doc.reason !== previous?.reason)] } : {}),
    afterError: [friendlyDuplicate('You have already skipped this segment.')],
  },
  fields: [
    segmentField(settings, true),
    ...contributorFields(settings, 'contributor', 'Contributor'),
    { name: 'reason', type: 'select', options: [...REASONS], admin: { description: 'Optional: what is wrong with the segment (a report).' } },
  ],
  timestamps: true,
})

export const reliabilityCollection = (settings: SanitizedConsensusOptions): CollectionConfig => ({
  slug: RELIABILITY,
  labels: { singular: 'Contributor reliability', plural: 'Contributor reliability' },
  admin: {
    group: 'Consensus',
    defaultColumns: ['contributor', 'voteAccuracy', 'transcriptErrorRate', 'itemsJudged', 'updatedAt'],
    description: 'Estimated by the consensus.estimate-reliability job from everyone\'s judgments and reviewer decisions.',
  },
  // Reviewers and admins only; written by the estimation job alone.
  access: { read: isReviewerOrAdmin, create: nobody, update: nobody, delete: isAdmin },
  fields: [
    { name: 'contributor', type: 'relationship', relationTo: settings.slugs.users, unique: true, maxDepth: 0, admin: { readOnly: true } },
    { name: 'clientId', type: 'text', unique: true, access: { read: fieldIsAdmin }, admin: { readOnly: true, description: 'Anonymous contributor id (cookie).' } },
    { name: 'votes', type: 'number', defaultValue: 0, admin: { readOnly: true, description: 'Validation votes counted.' } },
    { name: 'voteAccuracy', type: 'number', admin: { readOnly: true, description: 'Estimated chance that a vote of theirs is right (Dawid–Skene).' } },
    { name: 'voteWeight', type: 'number', admin: { readOnly: true, description: 'Log-odds of the accuracy: the weight of a vote.' } },
    { name: 'transcriptions', type: 'number', defaultValue: 0, admin: { readOnly: true, description: 'Transcriptions counted.' } },
    { name: 'transcriptErrorRate', type: 'number', admin: { readOnly: true, description: 'Smoothed share of words they get wrong against the others (or reviewers).' } },
    { name: 'transcriptWeight', type: 'number', admin: { readOnly: true, description: 'Weight of their transcription in the text vote.' } },
    { name: 'itemsJudged', type: 'number', defaultValue: 0, admin: { readOnly: true } },
  ],
  timestamps: true,
})

/** A reviewer accepts, rejects, or reopens a decided segment for the crowd (the only way a decided segment opens again). */
export const DECISION_VALUES = ['accepted', 'rejected', 'reopened'] as const

export const decisionsCollection = (settings: SanitizedConsensusOptions): CollectionConfig => ({
  slug: DECISIONS,
  labels: { singular: 'Review decision', plural: 'Review decisions' },
  admin: { group: 'Consensus', defaultColumns: ['segment', 'decision', 'text', 'reviewer', 'createdAt'], description: 'Audit log of reviewer decisions (append-only).' },
  // Append-only: written by POST /api/consensus/segments/:id/decide, never changed or removed.
  access: { read: isReviewerOrAdmin, create: nobody, update: nobody, delete: nobody },
  fields: [
    // Not required: the record outlives a deleted segment (the reference becomes empty).
    { ...segmentField(settings, false), admin: { readOnly: true } } as Field,
    { name: 'reviewer', type: 'relationship', relationTo: settings.slugs.users, index: true, maxDepth: 0, admin: { readOnly: true } },
    { name: 'decision', type: 'select', options: [...DECISION_VALUES], required: true, admin: { readOnly: true } },
    { name: 'text', type: 'textarea', admin: { readOnly: true, description: 'The transcript the reviewer set or confirmed.' } },
    { name: 'previousStatus', type: 'select', options: [...CONSENSUS_STATUSES], admin: { readOnly: true } },
    { name: 'previousText', type: 'textarea', admin: { readOnly: true } },
  ],
  timestamps: true,
})

/**
 * Each segment's decision, one row per segment (unique `segment`): this plugin's own table, published
 * read-only as the view `consensus_segments` (README "Read API"). A row is made when the plugin
 * learns of the segment (`segment.ready`) or first judges it, and goes with its segment (the
 * migration's ON DELETE CASCADE). Written by the system only (jobs and the review endpoint);
 * readable by whoever may read the segment.
 */
export const segmentDecisionsCollection = (settings: SanitizedConsensusOptions, segmentsRead: Access | undefined): CollectionConfig => ({
  slug: SEGMENT_DECISIONS,
  labels: { singular: 'Segment decision', plural: 'Segment decisions' },
  admin: {
    group: 'Consensus',
    defaultColumns: ['segment', 'status', 'agreedText', 'confidence', 'judgments', 'decidedBy', 'changedAt'],
    description: 'Decided by the consensus plugin from votes and transcriptions (or by a reviewer).',
  },
  access: { read: throughSegment(segmentsRead), create: nobody, update: nobody, delete: nobody },
  fields: [
    { ...segmentField(settings, true), unique: true, admin: { readOnly: true } } as Field,
    // What the segment asks of people, learnt from the audio plugin's `segment.ready` (its kind); the serving indexes need it here.
    { name: 'task', type: 'select', options: ['validation', 'transcription'], admin: { readOnly: true } },
    { name: 'status', type: 'select', options: [...CONSENSUS_STATUSES], defaultValue: 'pending', index: true, admin: { readOnly: true } },
    { name: 'agreedText', type: 'textarea', admin: { readOnly: true } },
    { name: 'confidence', type: 'number', admin: { readOnly: true } },
    { name: 'judgments', type: 'number', defaultValue: 0, admin: { readOnly: true } },
    { name: 'reports', type: 'number', defaultValue: 0, admin: { readOnly: true } },
    { name: 'method', type: 'text', admin: { readOnly: true } },
    { name: 'decidedBy', type: 'select', options: ['crowd', 'reviewer'], admin: { readOnly: true } },
    { name: 'decidedAt', type: 'date', admin: { readOnly: true } },
    // When any of the above last changed (the dashboard refreshes the days it touches).
    { name: 'changedAt', type: 'date', index: true, admin: { readOnly: true } },
  ],
  timestamps: true,
})

/** The segments collection's read rule, applied to decisions: a Where on segments becomes one on `segment.*`. */
const throughSegment =
  (rule: Access | undefined): Access =>
  async (args) => {
    if (hasRole(args.req.user, 'admin', 'reviewer')) return true
    const result = rule ? await rule(args) : false
    return typeof result === 'boolean' ? result : prefixWhere(result, 'segment')
  }

const prefixWhere = (where: Where, prefix: string): Where =>
  Object.fromEntries(
    Object.entries(where).map(([key, value]) =>
      key === 'and' || key === 'or' ? [key, (value as Where[]).map((inner) => prefixWhere(inner, prefix))] : [`${prefix}.${key}`, value],
    ),
  )

/** On a segment, its decision (read-only, from this plugin's collection; no column on segments). */
export const consensusJoin: Field = {
  name: 'consensus',
  type: 'join',
  label: 'Consensus',
  collection: SEGMENT_DECISIONS as 'votes',
  on: 'segment',
  maxDepth: 0,
  admin: {
    allowCreate: false,
    defaultColumns: ['status', 'agreedText', 'confidence', 'judgments', 'decidedBy', 'decidedAt'],
    description: 'Decided by the consensus plugin from votes and transcriptions (or by a reviewer).',
  },
}

/** A segment's votes and skips go with it (decisions stay, as an audit trail without the segment). */
export const deleteJudgmentsOf: CollectionBeforeDeleteHook = async ({ id, req }) => {
  // System cleanup inside the delete's transaction.
  for (const collection of [VOTES, SKIPS]) {
    // Cascade after an allowed delete: a system call (default overrideAccess) inside the same transaction.
    await req.payload.delete({ collection: collection as 'votes', where: { segment: { equals: id } }, req, context: { [CASCADE]: true } })
  }
}

/**
 * The votes and reviewer decisions on segments, counted from the rows themselves at the moment of
 * asking (not the decision's `judgments`, which the evaluate job fills a little later): what a
 * reprocess that deletes these segments would take with it (`registerJudgmentCounter`).
 * Transcriptions are a core collection; their owner counts them.
 */
export const voteCounter: JudgmentCounter = {
  name: 'consensus',
  count: async ({ payload, segmentIds, req }) => {
    const counts = new Map<number | string, number>()
    if (segmentIds.length === 0) return counts
    for (const collection of [VOTES, DECISIONS]) {
      // System read inside the caller's transaction.
      const { docs } = await payload.db.find({ collection: collection as 'votes', where: { segment: { in: segmentIds } }, pagination: false, limit: 0, req })
      for (const row of docs as { segment?: unknown }[]) {
        const segment = idOf(row.segment)
        if (segment !== undefined) counts.set(segment, (counts.get(segment) ?? 0) + 1)
      }
    }
    return counts
  },
}

/** Transcriptions (core) get the own-recording check always, and re-evaluation when enabled. */
export const extendTranscriptions = (collection: CollectionConfig, settings: SanitizedConsensusOptions): CollectionConfig => ({
  ...collection,
  hooks: {
    ...collection.hooks,
    beforeChange: [...(collection.hooks?.beforeChange ?? []), checkTranscription(settings)],
    afterChange: [
      ...(collection.hooks?.afterChange ?? []),
      ...(settings.enabled ? [evaluateAfterChange('item', (doc, previous) => !previous || previous.text !== doc.text || idOf(previous.item) !== idOf(doc.item))] : []),
    ],
    afterDelete: [...(collection.hooks?.afterDelete ?? []), ...(settings.enabled ? [evaluateAfterDelete('item')] : [])],
  },
})

/** Segments show their decision and lose their judgments with them. */
export const extendSegments = (collection: CollectionConfig): CollectionConfig => ({
  ...collection,
  fields: [...collection.fields, consensusJoin],
  hooks: { ...collection.hooks, beforeDelete: [...(collection.hooks?.beforeDelete ?? []), deleteJudgmentsOf] },
})

/** The trigger's refusal (raised in the database) answered as a 403 with its message, never a 500. */
export const ownRecordingIsForbidden: AfterErrorHook = ({ error }) => {
  let current = error as { code?: unknown; cause?: unknown; message?: string } | undefined
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code === OWN_RECORDING_SQLSTATE) {
      return { status: 403, response: { errors: [{ name: 'Forbidden', message: current.message ?? 'You cannot judge your own recording.' }] } }
    }
    current = current.cause as typeof current
  }
  return undefined
}
