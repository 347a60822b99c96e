/**
 * A separate worker process for the export jobs only, as `shrutik worker` runs (used by
 * workers.test.ts to share an export between processes and to SIGKILL one mid-export).
 */
export {}

const { getRegisteredJobs } = await import('@shrutik/plugin-sdk')
const { bootPayload } = await import('../../../src/server/boot')
const { createJobRuntime } = await import('../../../src/jobs/runtime')

const booted = await bootPayload()
const runtime = await createJobRuntime({
  payload: booted.payload,
  databaseUrl: booted.database.url,
  jobs: getRegisteredJobs(booted.payload.config).filter((job) => job.name.startsWith('export.')),
  role: 'worker',
  processEveryMs: 300,
  sweepUnknownJobs: false,
})
console.log(JSON.stringify({ message: 'export worker ready', pid: process.pid }))
process.on('SIGTERM', () => {
  void runtime.stop(2000).then(() => process.exit(0))
})
