import { createJobRuntime as createSdkJobRuntime, type JobRuntime, type JobRuntimeOptions } from '@shrutik/plugin-sdk/runtime'

import { logger, requestContext } from '../lib/logger'
import { jobDuration, jobsFailed, jobsProcessed, registerQueueGauges } from './metrics'

export { failUnknownJobs, type JobRuntime, type JobRuntimeOptions, type ProcessRole } from '@shrutik/plugin-sdk/runtime'

/**
 * The SDK's job runtime (the same code the plugin test kit runs), with the host's logger, its
 * Prometheus metrics and the request id carried from the enqueuing request into the job's logs.
 */
export const createJobRuntime = async (options: JobRuntimeOptions): Promise<JobRuntime> => {
  const runtime = await createSdkJobRuntime({
    logger,
    requestId: () => requestContext.getStore()?.requestId,
    onJobRun: ({ name, outcome, seconds }) => {
      ;(outcome === 'success' ? jobsProcessed : jobsFailed).inc({ name })
      jobDuration.observe({ name, outcome }, seconds)
    },
    ...options,
  })
  registerQueueGauges(runtime.pool)
  return runtime
}
