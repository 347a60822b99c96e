/**
 * A web process for `npm run soak`: the real Express app and Payload REST (Next's pages left out,
 * so no build is needed) with a web-role job runtime, on PORT. Prints "ready" once listening.
 */
import { getRegisteredJobs } from '@shrutik/plugin-sdk'

import { createJobRuntime } from '../src/jobs/runtime'
import { settings as readSettings } from '../src/lib/env'
import { createApp } from '../src/server/app'
import { bootPayload } from '../src/server/boot'
import { createRateLimiters } from '../src/server/rateLimits'

const booted = await bootPayload()
const settings = { ...readSettings(), rateLimitStore: 'memory' as const }
const limiters = await createRateLimiters(settings, undefined)
await createJobRuntime({ payload: booted.payload, databaseUrl: booted.database.url, jobs: getRegisteredJobs(booted.payload.config), role: 'web' })
const app = createApp({ payload: booted.payload, config: booted.config, settings, limiters })
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'))
