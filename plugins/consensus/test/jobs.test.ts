import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { sql } from '@payloadcms/db-postgres'
import { getRegisteredJobs, type JobDefinition } from '@shrutik/plugin-sdk'
import { constant, runJobHandler, uploadRecording, wav, type TestHost, type TestUser } from '@shrutik/plugin-sdk/testing'

import { ESTIMATE_RELIABILITY, EVALUATE_SEGMENT } from '../src/jobNames'
import { asUser, call, consensusOf, createLanguage, createSentence, eventually, sqlRows, startConsensusHost, transcribe, vote } from './kit'

/**
 * Upload → real audio job → segments → votes and transcriptions over REST → the consensus jobs on
 * the real job runtime (Agenda on PostgreSQL) decide. Also: reliability weights change decisions,
 * reports send segments to review, the handlers are idempotent. On the SDK's test kit, with the
 * audio-processing plugin making the segments; every job runs in this process.
 */

let server: TestHost
let speaker: TestUser
let voters: TestUser[]
let admin: TestUser
let languageId: number
let sentenceId: number
const SENTENCE = 'Consensus is what the crowd hears.'

const upload = async (mode: 'prompt' | 'long') => {
  // Long takes stay under 2 s: the audio job's segment muxer splits an uncut span at its 2 s default (reported).
  const uploaded = await uploadRecording(server.payload, {
    audio: wav(constant(mode === 'long' ? 1.5 : 2, 'tone')),
    language: languageId,
    mode,
    ...(mode === 'prompt' ? { sentence: sentenceId } : { scriptText: 'Hello world, read slowly.' }),
    user: speaker.user,
  })
  const id = Number(uploaded.id)
  const recording = await eventually(
    () => server.payload.findByID({ collection: 'recordings' as never, id, depth: 0 }) as Promise<Record<string, any>>,
    (doc) => ['ready', 'rejected', 'failed'].includes(doc.audio?.status),
    30_000,
  )
  expect(recording.audio.status).toBe('ready')
  const segments = await server.payload.find({ collection: 'segments' as never, where: { recording: { equals: id } }, depth: 0 })
  expect(segments.docs).toHaveLength(1)
  return segments.docs[0].id as number
}

/** Waits until no segment evaluation is queued or running (then whatever later judgments would do has been done). */
const drain = async () => {
  await new Promise((resolve) => setTimeout(resolve, 300))
  await eventually(
    () => sqlRows<{ n: number }>(server, sql`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = ${EVALUATE_SEGMENT} AND (locked_at IS NOT NULL OR next_run_at IS NOT NULL)`),
    (rows) => rows[0].n === 0,
    20_000,
  )
}

const settled = (segmentId: number, check: (consensus: Record<string, any>) => boolean) => eventually(() => consensusOf(server, segmentId), check, 20_000)

beforeAll(async () => {
  // Every job runs in this process, as `npm start` runs them: audio processing and consensus.
  server = await startConsensusHost({ role: 'all' })
  ;[speaker, admin, ...voters] = await Promise.all([
    server.createUser('contributor', 'jobs-speaker'),
    server.createUser('admin', 'jobs-admin'),
    ...[0, 1, 2, 3].map((index) => server.createUser('contributor', `jobs-voter-${index}`)),
  ])
  languageId = await createLanguage(server)
  sentenceId = await createSentence(server, languageId, SENTENCE)
}, 60_000)

afterAll(async () => {
  await server?.stop()
})

describe('consensus.evaluate-segment on the real job runtime', () => {
  test('two valid votes accept a clip: status, agreed text, confidence, judgments, decidedAt; the published view says so', async () => {
    const segmentId = await upload('prompt')
    expect(await consensusOf(server, segmentId)).toMatchObject({ status: 'pending', judgments: 0 })
    expect((await vote(server, asUser(voters[0]), segmentId, true)).status).toBe(201)
    await settled(segmentId, (consensus) => consensus.judgments === 1)
    expect((await consensusOf(server, segmentId)).status).toBe('pending')
    expect((await vote(server, asUser(voters[1]), segmentId, true)).status).toBe(201)
    const consensus = await settled(segmentId, (value) => value.status !== 'pending')
    expect(consensus).toMatchObject({ status: 'accepted', agreedText: SENTENCE, confidence: 1, judgments: 2, decidedBy: 'crowd', method: 'common-voice' })
    expect(Date.now() - new Date(consensus.decidedAt).getTime()).toBeLessThan(60_000)
    expect((await consensusOf(server, segmentId)).status).toBe('accepted')
  })

  test('a decided clip is not reopened by later votes: they are recorded, the decision stands', async () => {
    const segmentId = await upload('prompt')
    const votes: [number, boolean, string?][] = [
      [0, true],
      [1, false, 'noisy'],
      [2, true],
    ]
    for (const [voter, valid, reason] of votes) expect((await vote(server, asUser(voters[voter]), segmentId, valid, reason)).status).toBe(201)
    const decided = await settled(segmentId, (value) => value.judgments === 3)
    expect(decided).toMatchObject({ status: 'accepted', judgments: 3, decidedBy: 'crowd' })
    expect((await vote(server, asUser(voters[3]), segmentId, false, 'does-not-match')).status).toBe(201)
    await drain()
    expect(await sqlRows(server, sql`SELECT count(*)::int AS n FROM votes WHERE segment_id = ${segmentId}`)).toEqual([{ n: 4 }])
    expect(await consensusOf(server, segmentId)).toMatchObject({ status: 'accepted', judgments: 3 })
  })

  test('current reliability weights decide: two "valid" votes from poorly calibrated voters are not enough', async () => {
    const segmentId = await upload('prompt')
    for (const voter of voters.slice(0, 2)) {
      await sqlRows(
        server,
        sql`INSERT INTO contributor_reliability (contributor_id, votes, vote_accuracy) VALUES (${voter.id}, 40, 0.6)
            ON CONFLICT (contributor_id) DO UPDATE SET votes = 40, vote_accuracy = 0.6`,
      )
    }
    try {
      for (const voter of voters.slice(0, 2)) expect((await vote(server, asUser(voter), segmentId, true)).status).toBe(201)
      const consensus = await settled(segmentId, (value) => value.judgments === 2)
      expect(consensus).toMatchObject({ status: 'pending', method: 'dawid-skene' })
      expect(consensus.confidence).toBeGreaterThan(0.6)
      expect(consensus.confidence).toBeLessThan(0.95)
    } finally {
      await sqlRows(server, sql`DELETE FROM contributor_reliability WHERE contributor_id IN (${voters[0].id}, ${voters[1].id})`)
    }
  })

  test('two matching transcriptions of a long recording agree on its text (one alone is pending); a third is recorded and changes nothing', async () => {
    const segmentId = await upload('long')
    expect((await vote(server, asUser(voters[0]), segmentId, true)).status).toBe(400)
    expect((await transcribe(server, asUser(voters[0]), segmentId, languageId, 'Hello, world!')).status).toBe(201)
    expect(await settled(segmentId, (value) => value.judgments === 1)).toMatchObject({ status: 'pending', agreedText: 'hello world' })
    expect((await transcribe(server, asUser(voters[1]), segmentId, languageId, 'hello world')).status).toBe(201)
    const consensus = await settled(segmentId, (value) => value.judgments === 2)
    expect(consensus).toMatchObject({ status: 'accepted', agreedText: 'hello world', confidence: 1, method: 'reliability', decidedBy: 'crowd' })
    expect((await transcribe(server, asUser(voters[2]), segmentId, languageId, 'Hello word.')).status).toBe(201)
    // An author correcting their text later changes the row, not the decision (decided is decided).
    const [mine] = (await server.payload.find({ collection: 'transcriptions' as never, where: { item: { equals: segmentId }, author: { equals: voters[0].id } } })).docs
    expect((await call(server, 'PATCH', `/api/transcriptions/${mine.id}`, asUser(voters[0]), { text: 'yellow world' })).status).toBe(200)
    await drain()
    expect(await consensusOf(server, segmentId)).toMatchObject({ status: 'accepted', agreedText: 'hello world', confidence: 1, judgments: 2 })
  })

  test('problem reports from two people send an open clip to review, whatever the votes; a decided clip stays decided', async () => {
    const segmentId = await upload('prompt')
    expect((await vote(server, asUser(voters[0]), segmentId, true)).status).toBe(201)
    for (const voter of voters.slice(2, 4)) {
      expect((await call(server, 'POST', '/api/consensus/skip', asUser(voter), { segment: segmentId, reason: 'offensive' })).status).toBe(201)
    }
    expect(await settled(segmentId, (value) => value.status === 'needs-review')).toMatchObject({ reports: 2, judgments: 1 })

    const decided = await upload('prompt')
    for (const voter of voters.slice(0, 2)) expect((await vote(server, asUser(voter), decided, true)).status).toBe(201)
    await settled(decided, (value) => value.status === 'accepted')
    for (const voter of voters.slice(2, 4)) {
      expect((await call(server, 'POST', '/api/consensus/skip', asUser(voter), { segment: decided, reason: 'offensive' })).status).toBe(201)
    }
    await drain()
    expect(await consensusOf(server, decided)).toMatchObject({ status: 'accepted' })
  })

  test('the handler is idempotent and harmless on a segment that is gone', async () => {
    const definition = getRegisteredJobs(server.payload.config).find((job) => job.name === EVALUATE_SEGMENT) as JobDefinition<typeof EVALUATE_SEGMENT>
    const segmentId = await upload('prompt')
    for (const voter of voters.slice(0, 2)) expect((await vote(server, asUser(voter), segmentId, true)).status).toBe(201)
    const decided = await settled(segmentId, (value) => value.status === 'accepted')
    const again = await runJobHandler(definition, { payload: server.payload, data: { segmentId } })
    expect(again.logs.map((entry) => entry.message)).toEqual(['segment unchanged'])
    expect(await consensusOf(server, segmentId)).toEqual(decided)
    const gone = await runJobHandler(definition, { payload: server.payload, data: { segmentId: 999_999_999 } })
    expect(gone.logs[0].message).toMatch(/gone/)
    await expect(runJobHandler(definition, { payload: server.payload, data: { segmentId: 'x' as never } })).rejects.toThrow(/segmentId/)
  })
})

describe('consensus.estimate-reliability on the real job runtime', () => {
  test('admins enqueue it; it stores every voter’s reliability; contributors cannot trigger it', async () => {
    expect((await call(server, 'POST', '/api/consensus/estimate-reliability', asUser(voters[0]))).status).toBe(403)
    expect((await call(server, 'POST', '/api/consensus/estimate-reliability')).status).toBe(401)
    const queued = await call(server, 'POST', '/api/consensus/estimate-reliability', asUser(admin))
    expect(queued.status).toBe(200)
    const rows = await eventually(
      () => sqlRows<{ contributor_id: number; votes: string; vote_accuracy: string | null; transcriptions: string }>(server, sql`SELECT contributor_id, votes, vote_accuracy, transcriptions FROM contributor_reliability WHERE contributor_id IN (${voters[0].id}, ${voters[1].id}, ${voters[2].id}, ${voters[3].id})`),
      (found) => found.length === 4,
      20_000,
    )
    for (const row of rows) {
      expect(Number(row.votes)).toBeGreaterThan(0)
      expect(Number(row.vote_accuracy)).toBeGreaterThan(0)
      expect(Number(row.vote_accuracy)).toBeLessThan(1)
    }
    // Voters 0–2 transcribed the long recording.
    expect(rows.filter((row) => Number(row.transcriptions) > 0)).toHaveLength(3)
    // It is also scheduled (hourly by default): one repeating job for the whole cluster.
    const [scheduled] = await sqlRows<{ repeat_interval: string }>(server, sql`SELECT repeat_interval FROM agenda_jobs WHERE name = ${ESTIMATE_RELIABILITY} AND type = 'single'`)
    expect(scheduled?.repeat_interval).toBe('1 hour')
  })

  test('it opens segments made while the plugin was left out (their segment.ready reached nobody)', async () => {
    const segmentId = await upload('prompt')
    expect(await consensusOf(server, segmentId)).toMatchObject({ status: 'pending' })
    // As if consensus had not been installed when the audio plugin made this segment: no decision row.
    await sqlRows(server, sql`DELETE FROM segment_decisions WHERE segment_id = ${segmentId}`)
    const [unknown] = await sqlRows<{ n: number }>(server, sql`SELECT count(*)::int AS n FROM consensus_segments WHERE segment_id = ${segmentId}`)
    expect(unknown.n).toBe(0)
    const definition = getRegisteredJobs(server.payload.config).find((job) => job.name === ESTIMATE_RELIABILITY) as JobDefinition<typeof ESTIMATE_RELIABILITY>
    const { logs } = await runJobHandler(definition, { payload: server.payload, data: {} })
    expect(logs.find((line) => line.message.startsWith('segments this plugin had not heard of'))?.meta).toEqual({ segments: 1 })
    const [opened] = await sqlRows<{ status: string; task: string }>(server, sql`SELECT status, task FROM consensus_segments WHERE segment_id = ${segmentId}`)
    expect(opened).toEqual({ status: 'pending', task: 'validation' })
    // Idempotent: a second run makes nothing.
    const again = await runJobHandler(definition, { payload: server.payload, data: {} })
    expect(again.logs.some((line) => line.message.startsWith('segments this plugin had not heard of'))).toBe(false)
  })
})
