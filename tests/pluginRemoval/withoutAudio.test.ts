import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import type pg from 'pg'

import { bootWithout, coreFlows, exportOnce, get, type Platform } from '../helpers/withoutPlugin'
import { mintAnonymous } from '../helpers/server'

/** Removing the audio-processing plugin from payload.config.ts leaves a working platform (tests/helpers/withoutPlugin.ts). */
describe('without the audio-processing plugin', () => {
  let platform: Platform
  beforeAll(async () => {
    platform = await bootWithout('audio-processing')
  }, 120_000)
  afterAll(async () => platform?.close())

  test('uploads stay pending; no segments, no judging endpoints, no processing or consensus jobs', async () => {
    const recordingId = await coreFlows(platform)
    const recording = (await platform.server.payload.findByID({ collection: 'recordings', id: recordingId, depth: 0 })) as Record<string, any>
    expect(recording).not.toHaveProperty('audio')
    // The column the audio plugin would fill keeps its default (the host's migrations made it).
    const pool = (platform.server.payload.db as unknown as { pool: pg.Pool }).pool
    expect((await pool.query('SELECT audio_status FROM recordings WHERE id = $1', [recordingId])).rows[0].audio_status).toBe('pending')
    const names = getRegisteredJobs(platform.server.payload.config).map((job) => job.name)
    expect(names.filter((name) => name.startsWith('audio-processing.') || name.startsWith('consensus.'))).toEqual([])
    expect(platform.server.payload.collections).not.toHaveProperty('segments')
    const contributor = await mintAnonymous(platform.server)
    expect((await get(platform, `/api/consensus/next-validation?language=${platform.code}`, contributor.headers)).status).toBe(404)
    expect((await get(platform, '/api/segments', platform.admin.headers)).status).toBe(404)
  }, 120_000)

  test('an export says there are no clips without the audio-processing plugin', async () => {
    const result = await exportOnce(platform, 'all')
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(/no audio-processing plugin/)
  }, 120_000)
})
