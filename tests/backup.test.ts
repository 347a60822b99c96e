import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { getRegisteredJobs } from '@shrutik/plugin-sdk'
import pg from 'pg'
import tar from 'tar-stream'

import type { JobRuntime } from '../src/jobs/runtime'
import { mediaDir } from '../src/lib/env'
import { sineWav } from './helpers/audio'
import { root } from './helpers/cliServer'
import { createUser, json, mintAnonymous, startTestServer, startWorker, type TestServer } from './helpers/server'
import { asUser, call, createLanguage, createSentence, eventually } from './helpers/fixtures'
import { hasPlugin } from './helpers/plugins'
import { backupDir, lastScheduledSlot, runBackupScheduleJob } from '../src/backup/jobs'
import { SKIPPED_TABLES } from '../src/backup/format'

/**
 * The restore drill on the real CLI: a running instance with processed uploads is backed up while
 * it runs, restored into an empty database and a new data folder, and compared table by table and
 * file by file; then the ways a restore must refuse (damaged, foreign, newer, into a non-empty target).
 */

const BIN = path.join(root, 'bin/shrutik.mjs')
let server: TestServer
let worker: JobRuntime
let scratch: string
let admin: pg.Client

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', ...env } as NodeJS.ProcessEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    // A restore that hangs is a failure with what it printed, not a test timeout.
    const timer = setTimeout(() => {
      stderr += `\n[killed after 150 s: ${args.join(' ')}]`
      child.kill('SIGKILL')
    }, 150_000)
    child.on('exit', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })

const databaseUrl = (name: string): string => {
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${name}`
  return url.toString()
}

const newDatabase = async (): Promise<string> => {
  const name = `restore_${randomBytes(4).toString('hex')}`
  await admin.query(`CREATE DATABASE ${name}`)
  return name
}

const tableCounts = async (url: string, tables: string[]): Promise<Record<string, number>> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const counts: Record<string, number> = {}
    for (const table of tables) counts[table] = Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n)
    return counts
  } finally {
    await client.end()
  }
}

const tableQuery = async <Row>(url: string, text: string, values: unknown[]): Promise<Row[]> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values)).rows as Row[]
  } finally {
    await client.end()
  }
}

const tableNames = async (url: string): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const result = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
    return result.rows.map((row) => row.tablename as string)
  } finally {
    await client.end()
  }
}

const checksums = (folder: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (dir: string, prefix: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative)
      else out[relative] = createHash('sha256').update(fs.readFileSync(path.join(dir, entry.name))).digest('hex')
    }
  }
  walk(folder, '')
  return out
}

/** Rewrites a backup archive entry by entry (to forge a newer or damaged one). */
const rewrite = async (from: string, to: string, change: (name: string, content: Buffer) => Buffer | undefined): Promise<void> => {
  const extract = tar.extract()
  const pack = tar.pack()
  const writing = pipeline(pack, fs.createWriteStream(to))
  const reading = pipeline(fs.createReadStream(from), extract)
  for await (const entry of extract) {
    const chunks: Buffer[] = []
    for await (const chunk of entry) chunks.push(chunk as Buffer)
    const content = change(entry.header.name, Buffer.concat(chunks))
    if (content) await new Promise<void>((resolve, reject) => pack.entry({ ...entry.header, size: content.length }, content, (error) => (error ? reject(error) : resolve())))
  }
  await reading
  pack.finalize()
  await writing
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(process.env.SHRUTIK_TEST_ROOT ?? root, 'backup-'))
  server = await startTestServer()
  worker = await startWorker(server)
  admin = new pg.Client({ connectionString: databaseUrl('postgres') })
  await admin.connect()
})

afterAll(async () => {
  await admin?.end()
  await worker?.stop(1000)
  await server?.close()
})

describe('restore drill', () => {
  let backupFile: string
  // Set before any test, so a later test never writes its backup to a path made of `undefined`.
  beforeAll(() => {
    backupFile = path.join(scratch, 'instance.tar')
  })
  let restoredUrl: string
  let restoredData: string
  let contributorCookie: Record<string, string>

  test('a running instance is backed up, restored into a fresh folder and database, and matches', async () => {
    // Something worth keeping: an account, an anonymous contributor and processed uploads (left
    // pending, with no processed copy, when SHRUTIK_TEST_WITHOUT leaves the audio plugin out).
    const processing = hasPlugin('audio-processing')
    const languageId = await createLanguage(server)
    const sentence = await createSentence(server, languageId)
    await createUser(server, 'reviewer', 'backup-reviewer')
    const person = await mintAnonymous(server)
    contributorCookie = person.headers
    for (let take = 0; take < 2; take++) {
      const form = new FormData()
      form.append('file', new Blob([sineWav(2)], { type: 'audio/wav' }), 'take.wav')
      form.append('_payload', JSON.stringify({ language: languageId, mode: 'prompt', sentence }))
      const response = await fetch(`${server.url}/api/recordings?depth=0`, { method: 'POST', headers: person.headers, body: form })
      expect(response.status).toBe(201)
      const id = (await json(response)).doc.id as number
      if (processing) {
        await eventually(
          () => server.payload.findByID({ collection: 'recordings', id, depth: 0 }) as Promise<Record<string, any>>,
          (doc) => doc.audio?.status === 'ready',
          30_000,
        )
      }
    }
    // Nothing may run between the backup and the comparison below: wait until none of this worker's
    // jobs is running or due (a worker that just started picks up what other suites left due, such
    // as a scheduled re-estimate of the consensus plugin, which writes rows).
    const names = getRegisteredJobs(server.payload.config).map((job) => job.name)
    await eventually(
      () => tableQuery<{ n: string }>(process.env.DATABASE_URL!, 'SELECT count(*) AS n FROM agenda_jobs WHERE name = ANY($1) AND (locked_at IS NOT NULL OR next_run_at <= now())', [names]),
      (rows) => Number(rows[0].n) === 0,
      60_000,
    )

    const backup = await cli(['backup', '--out', backupFile])
    expect(backup.stderr).toContain('backup: done')
    expect(backup.status).toBe(0)
    const summary = JSON.parse(backup.stdout.trim().split('\n').pop()!)
    expect(summary).toMatchObject({ file: backupFile, tables: expect.any(Number), rows: expect.any(Number), files: expect.any(Number) })
    expect(summary.files).toBeGreaterThanOrEqual(processing ? 4 : 2) // two uploads, each with its processed copy
    expect(summary.sha256).toBe(createHash('sha256').update(fs.readFileSync(backupFile)).digest('hex'))
    expect(fs.statSync(backupFile).mode & 0o077).toBe(0) // the backup holds personal data: owner only

    restoredData = path.join(scratch, 'restored')
    restoredUrl = databaseUrl(await newDatabase())
    const restore = await cli(['restore', backupFile, '--data-dir', restoredData], { DATABASE_URL: restoredUrl })
    // Same PAYLOAD_SECRET in the environment: no warning about it. The job suites' own fixture
    // tables (not Shrutik's schema) are named as not restored when an earlier suite made them.
    expect(restore.stderr).not.toMatch(/warning: .*PAYLOAD_SECRET/)
    expect({ status: restore.status, stderr: restore.status === 0 ? '' : restore.stderr.slice(-2000) }).toEqual({ status: 0, stderr: '' })
    const restored = JSON.parse(restore.stdout.trim().split('\n').pop()!)
    expect(restored).toMatchObject({ tables: summary.tables, rows: summary.rows, files: summary.files })

    // Every table has the same rows as the instance (nothing ran in between: no worker job was pending).
    const restoredTables = await tableNames(restoredUrl)
    const skipped = (JSON.parse(restore.stdout.trim().split('\n').pop()!) as { skippedTables: string[] }).skippedTables
    expect(skipped.every((table) => table.startsWith('job_test_'))).toBe(true)
    for (const table of skipped) expect(restore.stderr).toContain(`Table ${table} is not part of Shrutik's schema`)
    // Tables never backed up (counters, staging rows, the dashboard's rollup which its job rewrites every minute) are left out.
    // Dedupe keys are the queue's transient bookkeeping: they clear as jobs (this suite's, or delayed
    // ones other suites left in the shared database) finish, at any moment.
    const tables = (await tableNames(process.env.DATABASE_URL!)).filter((table) => !SKIPPED_TABLES.has(table) && !skipped.includes(table) && table !== 'agenda_dedupe_keys')
    expect(restoredTables).toEqual(expect.arrayContaining(tables))
    expect(await tableCounts(restoredUrl, tables)).toEqual(await tableCounts(process.env.DATABASE_URL!, tables))
    // Every media file, byte for byte.
    const original = checksums(mediaDir())
    expect(Object.keys(original).length).toBeGreaterThanOrEqual(processing ? 4 : 2)
    expect(checksums(path.join(restoredData, 'media'))).toEqual(original)
  }, 180_000)

  test('the restored instance starts, keeps its accounts and recognises contributors from before', async () => {
    // A fresh process on the restored folder and database: boots, runs any newer migrations, serves.
    const check = await cli(['migrate'], { DATABASE_URL: restoredUrl, SHRUTIK_DATA_DIR: restoredData })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
    const client = new pg.Client({ connectionString: restoredUrl })
    await client.connect()
    try {
      // Sequences continue after the restored ids: a new row never collides with a restored one.
      const next = await client.query(`SELECT nextval('recordings_id_seq') AS id, (SELECT max(id) FROM recordings) AS max`)
      expect(Number(next.rows[0].id)).toBeGreaterThan(Number(next.rows[0].max))
      // The contributor's signed browser id from before is still known there (same secret, same row).
      const clientId = /shrutik_cid=v1\.([0-9a-f-]+)\./.exec(contributorCookie.Cookie)?.[1]
      expect(clientId).toBeTruthy()
      const known = await client.query('SELECT count(*)::int AS n FROM contributors WHERE client_id = $1', [clientId])
      expect(known.rows[0].n).toBe(1)
    } finally {
      await client.end()
    }
  }, 120_000)

  test('a backup is refused where it would overwrite, and without --out', async () => {
    const again = await cli(['backup', '--out', backupFile])
    expect(again.status).toBe(73)
    expect(again.stderr).toMatch(/already exists/)
    const usage = await cli(['backup'])
    expect(usage.status).toBe(64)
    expect(usage.stderr).toMatch(/--out FILE/)
  }, 60_000)

  test('a restore into a folder or database that is not empty is refused, and changes nothing', async () => {
    const intoData = await cli(['restore', backupFile, '--data-dir', restoredData], { DATABASE_URL: databaseUrl(await newDatabase()) })
    expect({ status: intoData.status, stderr: intoData.status === 73 ? '' : intoData.stderr.slice(-2000) }).toEqual({ status: 73, stderr: '' })
    expect(intoData.stderr).toMatch(/already holds an instance/)
    const intoDatabase = await cli(['restore', backupFile, '--data-dir', path.join(scratch, 'other')], { DATABASE_URL: restoredUrl })
    expect(intoDatabase.status).toBe(73)
    expect(intoDatabase.stderr).toMatch(/already has tables/)
    expect(fs.existsSync(path.join(scratch, 'other', 'media'))).toBe(false)
  }, 60_000)

  test('a damaged, cut-short, foreign or newer backup is refused and leaves the target empty', async () => {
    const cases: { name: string; make: (to: string) => Promise<void>; message: RegExp }[] = [
      {
        name: 'truncated',
        make: async (to) => fs.writeFileSync(to, fs.readFileSync(backupFile).subarray(0, Math.floor(fs.statSync(backupFile).size * 0.8))),
        message: /cut short|damaged|does not match|lacks/,
      },
      {
        // Right after a file's 512-byte header: the archive ends where that file's bytes should be.
        name: 'cut after a file header',
        make: async (to) => {
          const whole = fs.readFileSync(backupFile)
          const header = whole.indexOf('files/data/media/recordings/')
          expect(header % 512).toBe(0)
          fs.writeFileSync(to, whole.subarray(0, header + 512))
        },
        message: /damaged or cut short/,
      },
      {
        name: 'a flipped byte in a media file',
        make: (to) =>
          rewrite(backupFile, to, (name, content) => {
            if (!name.startsWith('files/data/media/recordings/') || content.length === 0) return content
            const copy = Buffer.from(content)
            copy[copy.length - 1] ^= 0xff
            return copy
          }),
        message: /does not match its checksum/,
      },
      {
        name: 'a newer Shrutik',
        make: (to) =>
          rewrite(backupFile, to, (name, content) => {
            if (name !== 'shrutik-backup.json') return content
            const header = JSON.parse(content.toString())
            header.migrations.push('29991231_000000_from_the_future')
            return Buffer.from(JSON.stringify(header))
          }),
        message: /newer Shrutik/,
      },
      { name: 'not a backup', make: async (to) => fs.writeFileSync(to, 'just some text\n'.repeat(100)), message: /not a Shrutik backup|damaged/ },
    ]
    for (const { name, make, message } of cases) {
      const file = path.join(scratch, `${name.replace(/\W+/g, '-')}.tar`)
      await make(file)
      const target = path.join(scratch, `target-${name.replace(/\W+/g, '-')}`)
      const url = databaseUrl(await newDatabase())
      const result = await cli(['restore', file, '--data-dir', target], { DATABASE_URL: url, LOG_LEVEL: 'warn' })
      expect({ name, status: result.status, stderr: result.status === 65 ? '' : result.stderr.slice(-2000) }).toEqual({ name, status: 65, stderr: '' })
      expect(result.stderr).toMatch(message)
      // Nothing half-restored: no tables, no files; the same restore can simply be run again.
      expect({ name, tables: await tableNames(url) }).toEqual({ name, tables: [] })
      expect({ name, files: fs.existsSync(target) ? fs.readdirSync(target) : [] }).toEqual({ name, files: [] })
    }
  }, 400_000)
})

describe('backups from the admin', () => {
  const waitDone = (id: number) =>
    eventually(
      () => server.payload.findByID({ collection: 'backups', id, depth: 0, overrideAccess: true }) as Promise<Record<string, any>>,
      (doc) => doc.status === 'done' || doc.status === 'failed',
      60_000,
    )

  test('an admin backs up now; reviewers and contributors can neither start nor see backups', async () => {
    const [adminUser, reviewer] = await Promise.all([createUser(server, 'admin', 'backup-admin'), createUser(server, 'reviewer', 'backup-peer')])
    expect((await call(server, 'POST', '/api/backups', asUser(reviewer), { note: 'mine' })).status).toBe(403)
    expect((await call(server, 'POST', '/api/backups', undefined, {})).status).toBe(403)
    const created = await call(server, 'POST', '/api/backups', asUser(adminUser), { note: 'before the upgrade', status: 'done', trigger: 'schedule', file: '../../etc/passwd' })
    expect(created.status).toBe(201)
    const doc = await waitDone((await json(created)).doc.id)
    // What the admin may not set was ignored; the job wrote a real, complete backup.
    expect(doc).toMatchObject({ status: 'done', trigger: 'manual', note: 'before the upgrade', progress: 100 })
    expect(doc.file).toMatch(/^shrutik-backup-.*\.tar$/)
    const file = path.join(backupDir(), doc.file)
    expect(fs.statSync(file).size).toBe(Number(doc.bytes))
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(doc.sha256)
    expect((await call(server, 'GET', `/api/backups/${doc.id}`, asUser(reviewer))).status).toBe(403)
    expect((await call(server, 'GET', '/api/globals/backup-settings', asUser(reviewer))).status).toBe(403)
    // Deleting the document deletes the file.
    expect((await call(server, 'DELETE', `/api/backups/${doc.id}`, asUser(adminUser))).status).toBe(200)
    expect(fs.existsSync(file)).toBe(false)
  }, 120_000)

  test('the schedule starts one backup per slot, and only the newest ones are kept', async () => {
    const now = new Date()
    await server.payload.updateGlobal({ slug: 'backup-settings', data: { schedule: 'daily', hour: now.getUTCHours(), keep: 2 }, overrideAccess: true })
    const context = { payload: server.payload, log: () => undefined } as unknown as Parameters<typeof runBackupScheduleJob.handler>[0]
    await runBackupScheduleJob.handler(context)
    await runBackupScheduleJob.handler(context) // the same slot: no second backup
    const scheduled = await server.payload.find({ collection: 'backups', where: { trigger: { equals: 'schedule' } }, depth: 0, overrideAccess: true })
    expect(scheduled.totalDocs).toBe(1)
    await waitDone(scheduled.docs[0].id as number)
    // Two more by hand: three finished, two kept (the oldest deleted with its file).
    for (let index = 0; index < 2; index++) {
      const made = await server.payload.create({ collection: 'backups', data: { note: `manual ${index}` }, overrideAccess: true })
      await waitDone(made.id as number)
    }
    const remaining = await server.payload.find({ collection: 'backups', where: { status: { equals: 'done' } }, sort: '-createdAt', depth: 0, overrideAccess: true })
    expect(remaining.docs.map((doc) => doc.note)).toEqual(['manual 1', 'manual 0'])
    expect(fs.readdirSync(backupDir()).filter((name) => name.endsWith('.tar')).sort()).toEqual(remaining.docs.map((doc) => doc.file).sort())
    await server.payload.updateGlobal({ slug: 'backup-settings', data: { schedule: 'off' }, overrideAccess: true })
  }, 180_000)

  test('scheduled slots: daily and weekly, in UTC', () => {
    const at = new Date('2026-11-29T10:30:00Z') // a Sunday
    expect(lastScheduledSlot({ schedule: 'off' }, at)).toBeUndefined()
    expect(lastScheduledSlot({ schedule: 'daily', hour: 3 }, at)?.toISOString()).toBe('2026-11-29T03:00:00.000Z')
    expect(lastScheduledSlot({ schedule: 'daily', hour: 11 }, at)?.toISOString()).toBe('2026-11-28T11:00:00.000Z')
    expect(lastScheduledSlot({ schedule: 'weekly', hour: 3, weekday: '1' }, at)?.toISOString()).toBe('2026-11-23T03:00:00.000Z')
    expect(lastScheduledSlot({ schedule: 'weekly', hour: 3, weekday: '0' }, at)?.toISOString()).toBe('2026-11-29T03:00:00.000Z')
    expect(lastScheduledSlot({ schedule: 'weekly', hour: 11, weekday: '0' }, at)?.toISOString()).toBe('2026-11-22T11:00:00.000Z')
  })
})
