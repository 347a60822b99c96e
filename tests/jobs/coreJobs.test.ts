import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import { runJobHandler } from '@shrutik/plugin-sdk/testing'
import pg from 'pg'

import { pruneFinishedJobs } from '../../src/jobs/coreJobs'
import { ensureJobSchema } from '../../src/jobs/schema'
import { bootPayload, type Booted } from '../../src/server/boot'

let booted: Booted
let db: pg.Pool
beforeAll(async () => {
  booted = await bootPayload()
  db = new pg.Pool({ connectionString: booted.database.url, max: 2 })
  await ensureJobSchema(db)
})
afterAll(async () => {
  await db?.end()
})

test('the prune job is registered by the core config, hourly', () => {
  const registered = getRegisteredJobs(booted.payload.config).find((job) => job.name === 'jobs.prune-finished')
  expect(registered?.every).toBe('1 hour')
})

test('pruning removes finished jobs past retention and keeps recent, queued and running ones', async () => {
  const insert = async (values: string) =>
    (await db.query(`INSERT INTO agenda_jobs (name, next_run_at, locked_at, last_finished_at, failed_at, type, data) VALUES ${values} RETURNING id`)).rows[0].id as string
  const old = await insert(`('prune-test.old', NULL, NULL, now() - interval '30 days', NULL, 'normal', '{}')`)
  const oldFailed = await insert(`('prune-test.old-failed', NULL, NULL, NULL, now() - interval '30 days', 'normal', '{}')`)
  const recent = await insert(`('prune-test.recent', NULL, NULL, now() - interval '1 day', NULL, 'normal', '{}')`)
  const queued = await insert(`('prune-test.queued', now() + interval '1 day', NULL, now() - interval '30 days', NULL, 'normal', '{}')`)
  const running = await insert(`('prune-test.running', NULL, now(), now() - interval '30 days', NULL, 'normal', '{}')`)
  await runJobHandler(pruneFinishedJobs, { payload: booted.payload, data: {} })
  const { rows } = await db.query('SELECT id FROM agenda_jobs WHERE id = ANY($1::uuid[])', [[old, oldFailed, recent, queued, running]])
  expect(rows.map((row) => row.id).sort()).toEqual([recent, queued, running].sort())
})
