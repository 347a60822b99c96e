/**
 * A separate worker process for the export jobs only, as `shrutik worker` runs (used by
 * workers.test.ts to share an export between processes and to SIGKILL one mid-export): a test host
 * attached to the suite's database (SHRUTIK_WORKERS_DATABASE_URL), folder (SHRUTIK_WORKERS_FOLDER) and secret (SHRUTIK_WORKERS_SECRET).
 */
export {}

const { startTestHost } = await import('@shrutik/plugin-sdk/testing')
const { workersHostOptions } = await import('./workersHost')

const url = process.env.SHRUTIK_WORKERS_DATABASE_URL
const folder = process.env.SHRUTIK_WORKERS_FOLDER
const secret = process.env.SHRUTIK_WORKERS_SECRET
if (!url || !folder || !secret) throw new Error('worker.ts needs SHRUTIK_WORKERS_DATABASE_URL, SHRUTIK_WORKERS_FOLDER and SHRUTIK_WORKERS_SECRET.')

const host = await startTestHost({ ...workersHostOptions(folder, secret), attach: true, role: 'web', database: { url, stop: async () => undefined } })
const runtime = await host.startWorker({ jobs: (registered) => registered.filter((job) => job.name.startsWith('export.')) })
console.log(JSON.stringify({ message: 'export worker ready', pid: process.pid }))
process.on('SIGTERM', () => {
  void runtime
    .stop(2000)
    .then(() => host.stop())
    .then(() => process.exit(0))
})
