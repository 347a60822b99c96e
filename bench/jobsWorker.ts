/**
 * The worker side of bench/jobs.ts: a real `worker`-role process (Payload + Agenda on PostgreSQL)
 * with two no-op jobs. Reports each pickup latency (enqueue → handler start, wall clock shared by
 * both processes) over IPC.
 */
import type { JobDefinition } from '@shrutik/plugin-sdk'

import { createJobRuntime } from '../src/jobs/runtime'
import { bootPayload } from '../src/server/boot'

const now = () => performance.timeOrigin + performance.now()

const booted = await bootPayload()
const latencies: number[] = []
const jobs: JobDefinition[] = [
  {
    name: 'bench.pickup',
    concurrency: 20,
    async handler({ data }) {
      latencies.push(now() - (data as { sentAt: number }).sentAt)
    },
  },
  { name: 'bench.noop', concurrency: 50, async handler() {} },
]
const runtime = await createJobRuntime({ payload: booted.payload, databaseUrl: booted.database.url, role: 'worker', jobs, sweepUnknownJobs: false })
process.send!({ type: 'ready' })
process.on('message', async (message: { type: string }) => {
  if (message.type === 'latencies') process.send!({ type: 'latencies', latencies: latencies.splice(0) })
  if (message.type === 'stop') {
    await runtime.stop(5000)
    await booted.close()
    process.exit(0)
  }
})
