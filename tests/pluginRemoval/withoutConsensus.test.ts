import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'

import { bootWithout, coreFlows, eventually, exportOnce, get, type Platform } from '../helpers/withoutPlugin'
import { mintAnonymous } from '../helpers/server'

/** Removing the consensus plugin from payload.config.ts leaves a working platform (tests/helpers/withoutPlugin.ts). */
describe('without the consensus plugin', () => {
  let platform: Platform
  beforeAll(async () => {
    platform = await bootWithout('consensus')
  }, 120_000)
  afterAll(async () => platform?.close())

  test('uploads are processed into segments; there is nothing to judge (404s, no consensus jobs)', async () => {
    const recordingId = await coreFlows(platform)
    const recording = await eventually(
      () => platform.server.payload.findByID({ collection: 'recordings', id: recordingId, depth: 0 }) as Promise<Record<string, any>>,
      (doc) => ['ready', 'rejected', 'failed'].includes(doc.audio?.status),
    )
    expect(recording.audio.status).toBe('ready')
    const segments = await platform.server.payload.find({ collection: 'segments', where: { recording: { equals: recordingId } }, depth: 0 })
    expect(segments.totalDocs).toBe(1)
    expect(segments.docs[0]).not.toHaveProperty('consensus')
    const contributor = await mintAnonymous(platform.server)
    expect((await get(platform, `/api/consensus/next-validation?language=${platform.code}`, contributor.headers)).status).toBe(404)
    expect((await get(platform, '/api/votes', platform.admin.headers)).status).toBe(404)
    expect(getRegisteredJobs(platform.server.payload.config).map((job) => job.name).filter((name) => name.startsWith('consensus.'))).toEqual([])
  }, 120_000)

  test('exports label every clip unvalidated: "accepted" is refused with the reason, "all" exports the clip', async () => {
    await eventually(
      () => platform.server.payload.count({ collection: 'segments', where: { 'recording.language': { equals: platform.languageId } } }),
      (count) => count.totalDocs > 0,
    )
    const refused = await exportOnce(platform, 'accepted')
    expect(refused.status).toBe('failed')
    expect(refused.error).toMatch(/no consensus plugin/)
    const all = await exportOnce(platform, 'all')
    expect(all.error ?? null).toBeNull()
    expect(all.status).toBe('done')
    expect(all.clipsTotal).toBe(1)
  }, 200_000)
})
