/**
 * A real worker process for the crash and drain tests: boots Payload, runs the job runtime with the
 * fixture job named in FIXTURE_JOB, prints "ready" once taking jobs, and on SIGTERM drains for
 * SHUTDOWN_TIMEOUT_MS like `shrutik worker` does.
 */
import { createJobRuntime } from '../../src/jobs/runtime'
import { bootPayload } from '../../src/server/boot'
import { closeFixturePool, slowOutputJob } from './fixtures'

const booted = await bootPayload()
const runtime = await createJobRuntime({
  payload: booted.payload,
  databaseUrl: booted.database.url,
  role: 'worker',
  processEveryMs: Number(process.env.FIXTURE_PROCESS_EVERY_MS ?? 200),
  sweepUnknownJobs: false,
  jobs: [slowOutputJob(process.env.FIXTURE_JOB!, Number(process.env.FIXTURE_WORK_MS), Number(process.env.FIXTURE_LOCK_MS))],
})
process.stdout.write('ready\n')
process.once('SIGTERM', async () => {
  await runtime.stop(Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000))
  await closeFixturePool()
  process.exit(0)
})
