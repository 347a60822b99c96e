import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import pg from 'pg'

import { createUser, json, startTestServer, type TestServer, type TestUser } from '../helpers/server'

let server: TestServer
let db: pg.Pool
let admin: TestUser
let reviewer: TestUser
let contributor: TestUser

const insertJob = async (state: 'queued' | 'failed', name = `admin-view-${state}.job`): Promise<string> => {
  const sql =
    state === 'queued'
      ? `INSERT INTO agenda_jobs (name, next_run_at, type, data) VALUES ($1, now() + interval '1 hour', 'normal', '{}') RETURNING id`
      : `INSERT INTO agenda_jobs (name, next_run_at, type, data, failed_at, fail_count, fail_reason, last_run_at, last_finished_at)
         VALUES ($1, NULL, 'normal', '{"__shrutik":{"attempts":4}}', now(), 4, 'ffmpeg exited with code 1', now(), now()) RETURNING id`
  return (await db.query(sql, [name])).rows[0].id
}

beforeAll(async () => {
  server = await startTestServer()
  db = new pg.Pool({ connectionString: server.booted.database.url, max: 2 })
  // The job tables exist once any process has started the job runtime; make sure they do here.
  const { ensureJobSchema } = await import('../../src/jobs/schema')
  await ensureJobSchema(db)
  ;[admin, reviewer, contributor] = await Promise.all([createUser(server, 'admin'), createUser(server, 'reviewer'), createUser(server, 'contributor')])
})
afterAll(async () => {
  await db?.end()
  await server?.close()
})

const call = (method: string, path: string, user?: TestUser) => fetch(`${server.url}${path}`, { method, headers: user?.headers ?? {} })

describe('jobs endpoints are for admins only', () => {
  test('anonymous 401, contributor and reviewer 403, on list, retry and cancel', async () => {
    const failed = await insertJob('failed')
    const queued = await insertJob('queued')
    for (const [method, path] of [
      ['GET', '/api/jobs?state=failed'],
      ['POST', `/api/jobs/${failed}/retry`],
      ['POST', `/api/jobs/${queued}/cancel`],
    ]) {
      expect((await call(method, path)).status).toBe(401)
      for (const user of [contributor, reviewer]) {
        const response = await call(method, path, user)
        expect(response.status).toBe(403)
        expect((await json(response)).errors[0].message).toMatch(/Only admins/)
      }
    }
    // Nothing changed.
    expect((await db.query('SELECT fail_count FROM agenda_jobs WHERE id = $1', [failed])).rows[0].fail_count).toBe(4)
    expect((await db.query('SELECT 1 FROM agenda_jobs WHERE id = $1', [queued])).rowCount).toBe(1)
  })

  test('an admin lists jobs by state with attempts, last error and timings', async () => {
    const failed = await insertJob('failed', 'admin-list.failed-job')
    const response = await call('GET', '/api/jobs?state=failed&limit=200', admin)
    expect(response.status).toBe(200)
    const body = await json(response)
    const job = body.jobs.find((entry: { id: string }) => entry.id === failed)
    expect(job).toMatchObject({ name: 'admin-list.failed-job', state: 'failed', attempts: 4, lastError: 'ffmpeg exited with code 1' })
    expect(job.failedAt).toMatch(/^\d{4}-/)
    expect((await call('GET', '/api/jobs?state=bogus', admin)).status).toBe(400)
  })

  test('an admin retries a failed job (it becomes queued) and cancels a queued one (it is gone)', async () => {
    const failed = await insertJob('failed')
    const retried = await call('POST', `/api/jobs/${failed}/retry`, admin)
    expect(retried.status).toBe(200)
    const row = (await db.query('SELECT next_run_at, fail_count, failed_at FROM agenda_jobs WHERE id = $1', [failed])).rows[0]
    expect(row.next_run_at).not.toBeNull()
    expect(row.fail_count).toBe(0)
    // Retrying it again is refused: it is no longer failed.
    expect((await call('POST', `/api/jobs/${failed}/retry`, admin)).status).toBe(409)

    const queued = await insertJob('queued')
    expect((await call('POST', `/api/jobs/${queued}/cancel`, admin)).status).toBe(200)
    expect((await db.query('SELECT 1 FROM agenda_jobs WHERE id = $1', [queued])).rowCount).toBe(0)
    expect((await call('POST', `/api/jobs/${queued}/cancel`, admin)).status).toBe(409)
    expect((await call('POST', '/api/jobs/not-a-uuid/cancel', admin)).status).toBe(400)
  })
})
