import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'
import { getRegisteredJobs, type JobDefinition } from '@shrutik/plugin-sdk'
import { runJobHandler, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { estimateReliability } from '../src/jobs'
import { EVALUATE_SEGMENT } from '../src/jobNames'
import { SETTINGS_KEY, type SanitizedConsensusOptions } from '../src/options'
import type { ReviewItem } from '../src/review'
import { asUser, call, consensusOf, createLanguage, createSentence, json, readyRecording, sqlRows, startConsensusHost, transcribe, vote } from './kit'

/**
 * The review queue and reviewer decisions: what reviewers are shown, who may decide, the audit
 * record each decision leaves, and how decisions become gold labels for reliability. On the SDK's
 * test kit; no job runs by itself here (the suite calls the handlers).
 */

let server: TestHost
let speaker: TestUser
let voters: TestUser[]
let reviewer: TestUser
let contributor: TestUser
let languageId: number
let sentenceId: number
let evaluate: JobDefinition<typeof EVALUATE_SEGMENT>
const SENTENCE = 'Reviewers have the last word.'
const segments: Record<'split' | 'lowConfidence' | 'clear' | 'disputedText' | 'untranscribed', number> = {} as never

/** Votes as listed, then the real evaluate handler (no worker runs in this suite). */
const judged = async (segmentId: number, votes: boolean[]) => {
  for (const [index, valid] of votes.entries()) expect((await vote(server, asUser(voters[index]), segmentId, valid, valid ? undefined : 'noisy')).status).toBe(201)
  await runJobHandler(evaluate, { payload: server.payload, data: { segmentId } })
}

const queue = async (actor = reviewer) => {
  const response = await call(server, 'GET', `/api/consensus/review-queue?limit=100&language=${languageId}`, asUser(actor))
  expect(response.status).toBe(200)
  return (await json(response)).docs as ReviewItem[]
}

const decide = (segmentId: number | string, body: unknown, actor?: TestUser) => call(server, 'POST', `/api/consensus/segments/${segmentId}/decide`, actor ? asUser(actor) : undefined, body)

beforeAll(async () => {
  server = await startConsensusHost()
  evaluate = getRegisteredJobs(server.payload.config).find((job) => job.name === EVALUATE_SEGMENT) as JobDefinition<typeof EVALUATE_SEGMENT>
  ;[speaker, reviewer, contributor, ...voters] = await Promise.all([
    server.createUser('contributor', 'review-speaker'),
    server.createUser('reviewer', 'review-reviewer'),
    server.createUser('contributor', 'review-contributor'),
    ...[0, 1, 2, 3].map((index) => server.createUser('contributor', `review-voter-${index}`)),
  ])
  // The account's display name, a host column (test/kit.ts).
  await sqlRows(server, sql`UPDATE users SET name = 'Voter Zero' WHERE id = ${voters[0].id}`)
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId, SENTENCE)
  const prompt = async () => (await readyRecording(server, speaker, { languageId, sentenceId })).segmentIds[0]
  segments.split = await prompt()
  segments.lowConfidence = await prompt()
  segments.clear = await prompt()
  ;[segments.disputedText, segments.untranscribed] = (await readyRecording(server, speaker, { languageId, mode: 'long', segments: 2 })).segmentIds
  await judged(segments.split, [true, false, true, false])
  await judged(segments.lowConfidence, [true, false, true])
  await judged(segments.clear, [true, true])
  for (const [index, text] of ['the red fox', 'a red box', 'the bed socks'].entries()) {
    expect((await transcribe(server, asUser(voters[index]), segments.disputedText, languageId, text)).status).toBe(201)
  }
  await runJobHandler(evaluate, { payload: server.payload, data: { segmentId: segments.disputedText } })
})

afterAll(async () => {
  await server?.stop()
})

describe('review queue', () => {
  test('lists what needs a person, most urgent first, with every judgment and who gave it (never an email)', async () => {
    const docs = await queue()
    const ids = docs.map((item) => item.id)
    expect(ids[0]).toBe(segments.split)
    expect(ids).toContain(segments.lowConfidence)
    expect(ids).toContain(segments.disputedText)
    expect(ids).not.toContain(segments.clear)
    expect(ids).not.toContain(segments.untranscribed)
    const split = docs[0]
    expect(split).toMatchObject({ kind: 'validation', status: 'needs-review', expectedText: SENTENCE, judgments: 4, audioUrl: `/api/consensus/segments/${segments.split}/audio` })
    expect(split.votes.map((entry) => [entry.who, entry.valid, entry.reason ?? null])).toEqual([
      [`Voter Zero (#${voters[0].id})`, true, null],
      [`Contributor #${voters[1].id}`, false, 'noisy'],
      [`Contributor #${voters[2].id}`, true, null],
      [`Contributor #${voters[3].id}`, false, 'noisy'],
    ])
    const disputed = docs.find((item) => item.id === segments.disputedText)!
    expect(disputed).toMatchObject({ kind: 'transcription', status: 'pending', expectedText: null })
    expect(disputed.transcriptions.map((entry) => entry.text)).toEqual(['the red fox', 'a red box', 'the bed socks'])
    // Lower confidence first after the segments sent to review.
    const rest = docs.slice(1).map((item) => item.confidence!)
    expect([...rest].sort((x, y) => x - y)).toEqual(rest)
    for (const voter of [...voters, speaker]) expect(JSON.stringify(docs)).not.toContain(voter.email)
  })

  test('reviewers and admins only', async () => {
    expect((await call(server, 'GET', '/api/consensus/review-queue')).status).toBe(401)
    expect((await call(server, 'GET', '/api/consensus/review-queue', asUser(contributor))).status).toBe(403)
    expect((await call(server, 'GET', '/api/consensus/review-queue?page=0', asUser(reviewer))).status).toBe(400)
    expect((await call(server, 'GET', '/api/consensus/review-queue?language=x', asUser(reviewer))).status).toBe(400)
    // Without a language filter every language's segments are listed (this suite's among them).
    const all = (await json(await call(server, 'GET', '/api/consensus/review-queue?limit=100', asUser(reviewer)))).docs as ReviewItem[]
    expect(all.map((item) => item.id)).toEqual(expect.arrayContaining([segments.lowConfidence, segments.disputedText]))
  })
})

describe('POST /api/consensus/segments/:id/decide', () => {
  test('refuses everyone but reviewers and admins, and bad input with a message', async () => {
    expect((await decide(segments.split, { decision: 'accepted' })).status).toBe(401)
    expect((await decide(segments.split, { decision: 'accepted' }, contributor)).status).toBe(403)
    expect((await decide(segments.split, { decision: 'accepted' }, voters[0])).status).toBe(403)
    const cases: [number | string, unknown, number, RegExp][] = [
      [segments.split, { decision: 'maybe' }, 400, /"decision"/],
      [segments.split, {}, 400, /"decision"/],
      [segments.split, 'not json', 400, /JSON/],
      [segments.split, { decision: 'rejected', text: 'words' }, 400, /leave "text" out/],
      [segments.split, { decision: 'accepted', text: '   ' }, 400, /empty/],
      [segments.split, { decision: 'accepted', text: 42 }, 400, /string/],
      [segments.untranscribed, { decision: 'accepted' }, 400, /type the transcript/],
      [999_999_999, { decision: 'accepted' }, 404, /does not exist/],
      ['abc', { decision: 'accepted' }, 400, /segment id/],
    ]
    for (const [id, body, status, message] of cases) {
      const response = await decide(id, body, reviewer)
      expect(response.status).toBe(status)
      expect((await json(response)).errors[0].message).toMatch(message)
    }
    // Nothing above changed the segment or left an audit record.
    expect((await consensusOf(server, segments.split)).status).toBe('needs-review')
    const [{ n }] = await sqlRows<{ n: number }>(server, sql`SELECT count(*)::int AS n FROM consensus_decisions WHERE segment_id IN (${segments.split}, ${segments.untranscribed})`)
    expect(n).toBe(0)
  })

  test('a decision changes the segment, is audited, leaves the queue, and outranks later crowd votes', async () => {
    const response = await decide(segments.split, { decision: 'accept' }, reviewer)
    expect(response.status).toBe(200)
    const { decision } = await json(response)
    const consensus = await consensusOf(server, segments.split)
    expect(consensus).toMatchObject({ status: 'accepted', agreedText: SENTENCE, confidence: 1, decidedBy: 'reviewer', method: 'reviewer' })
    expect((await consensusOf(server, segments.split)).status).toBe('accepted')
    const audit = await server.payload.findByID({ collection: 'consensus-decisions' as never, id: decision, depth: 0 })
    expect(audit).toMatchObject({ segment: segments.split, reviewer: reviewer.id, decision: 'accepted', text: SENTENCE, previousStatus: 'needs-review' })
    expect(Date.now() - new Date(audit.createdAt as string).getTime()).toBeLessThan(60_000)
    expect((await queue()).map((item) => item.id)).not.toContain(segments.split)
    // A late crowd judgment does not overturn a reviewer.
    await sqlRows(server, sql`INSERT INTO votes (segment_id, voter_id, valid, reason) VALUES (${segments.split}, ${contributor.id}, false, 'noisy')`)
    const rerun = await runJobHandler(evaluate, { payload: server.payload, data: { segmentId: segments.split } })
    expect(rerun.logs[0].message).toMatch(/reviewer/)
    expect((await consensusOf(server, segments.split)).status).toBe('accepted')
    // Reliability is re-estimated soon after reviews (one queued run for a burst of decisions).
    const [queued] = await sqlRows<{ key: string }>(server, sql`SELECT key FROM agenda_dedupe_keys WHERE key = 'consensus.estimate-reliability:after-review'`)
    expect(queued).toBeDefined()
  })

  test('setting the transcript of a disputed segment; deciding again is audited again', async () => {
    const typed = await decide(segments.disputedText, { decision: 'accepted', text: '  The  red fox ' }, reviewer)
    expect(typed.status).toBe(200)
    expect(await consensusOf(server, segments.disputedText)).toMatchObject({ status: 'accepted', agreedText: 'The red fox', decidedBy: 'reviewer' })
    expect((await decide(segments.disputedText, { decision: 'rejected' }, reviewer)).status).toBe(200)
    expect(await consensusOf(server, segments.disputedText)).toMatchObject({ status: 'rejected', agreedText: null })
    const log = await server.payload.find({ collection: 'consensus-decisions' as never, where: { segment: { equals: segments.disputedText } }, sort: 'createdAt', depth: 0 })
    expect(log.docs.map((entry) => [entry.decision, entry.text ?? null, entry.previousStatus, entry.previousText ?? null])).toEqual([
      ['accepted', 'The red fox', 'pending', expect.any(String)],
      ['rejected', null, 'accepted', 'The red fox'],
    ])
  })
})

describe('decisions as gold labels', () => {
  test('reviewer rejections teach reliability which of two disagreeing voters to trust', async () => {
    const settings = (server.payload.config.custom as Record<string, unknown>)[SETTINGS_KEY] as SanitizedConsensusOptions
    const [yesSayer, careful] = await Promise.all([server.createUser('contributor', 'yes-sayer'), server.createUser('contributor', 'careful')])
    const clips: number[] = []
    for (let index = 0; index < 4; index++) {
      const segmentId = (await readyRecording(server, speaker, { languageId, sentenceId })).segmentIds[0]
      expect((await vote(server, asUser(yesSayer), segmentId, true)).status).toBe(201)
      expect((await vote(server, asUser(careful), segmentId, false, 'does-not-match')).status).toBe(201)
      clips.push(segmentId)
    }
    const accuracy = async () => {
      await estimateReliability(server.payload, settings)
      const rows = await sqlRows<{ contributor_id: number; vote_accuracy: string }>(
        server,
        sql`SELECT contributor_id, vote_accuracy FROM contributor_reliability WHERE contributor_id IN (${yesSayer.id}, ${careful.id})`,
      )
      return Object.fromEntries(rows.map((row) => [row.contributor_id === yesSayer.id ? 'yesSayer' : 'careful', Number(row.vote_accuracy)]))
    }
    // Without gold, the crowd's leaning (most clips judged in this suite are valid) favours the yes-sayer.
    const before = await accuracy()
    for (const segmentId of clips) expect((await decide(segmentId, { decision: 'rejected' }, reviewer)).status).toBe(200)
    const after = await accuracy()
    expect(after.careful).toBeGreaterThan(after.yesSayer + 0.3)
    expect(after.careful).toBeGreaterThan(before.careful)
    expect(after.yesSayer).toBeLessThan(before.yesSayer)
    // Running it again over the same data stores the same numbers (idempotent).
    expect(await accuracy()).toEqual(after)
  })
})
