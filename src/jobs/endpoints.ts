import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { hasRole } from '../access/roles'
import { cancelJob, JOB_STATES, listJobs, retryJob, type JobState } from './admin'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** First lines of every jobs endpoint: admins only. */
const requireAdmin = (req: PayloadRequest): void => {
  if (!req.user) throw new APIError('Sign in as an admin to manage jobs.', 401, undefined, true)
  if (!hasRole(req.user, 'admin')) throw new APIError('Only admins can see and manage jobs.', 403, undefined, true)
}

const poolOf = (req: PayloadRequest) => (req.payload.db as unknown as PostgresAdapter).pool

const jobIdParam = (req: PayloadRequest): string => {
  const id = String(req.routeParams?.id ?? '')
  if (!UUID.test(id)) throw new APIError(`"${id}" is not a job id.`, 400, undefined, true)
  return id
}

/** Admin-only REST endpoints behind the Jobs view: list by state, retry a failed job, cancel a queued one. */
export const jobEndpoints: Endpoint[] = [
  {
    path: '/jobs',
    method: 'get',
    handler: async (req) => {
      requireAdmin(req)
      const state = String(req.searchParams.get('state') ?? 'queued') as JobState
      if (!JOB_STATES.includes(state)) throw new APIError(`state must be one of ${JOB_STATES.join(', ')}.`, 400, undefined, true)
      const limit = Number(req.searchParams.get('limit') ?? 50)
      return Response.json(await listJobs(poolOf(req), state, Number.isFinite(limit) ? limit : 50))
    },
  },
  {
    path: '/jobs/:id/retry',
    method: 'post',
    handler: async (req) => {
      requireAdmin(req)
      const id = jobIdParam(req)
      if (!(await retryJob(poolOf(req), id))) throw new APIError('Only a failed job can be retried; this one is not failed (or does not exist).', 409, undefined, true)
      req.payload.logger.info({ msg: 'job retried by admin', jobId: id, admin: req.user?.id })
      return Response.json({ ok: true, id })
    },
  },
  {
    path: '/jobs/:id/cancel',
    method: 'post',
    handler: async (req) => {
      requireAdmin(req)
      const id = jobIdParam(req)
      if (!(await cancelJob(poolOf(req), id))) throw new APIError('Only a queued job can be cancelled; this one is running, finished or gone.', 409, undefined, true)
      req.payload.logger.info({ msg: 'job cancelled by admin', jobId: id, admin: req.user?.id })
      return Response.json({ ok: true, id })
    },
  },
]
