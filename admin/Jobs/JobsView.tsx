import type { PostgresAdapter } from '@payloadcms/db-postgres'
import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { JOB_STATES, listJobs, type JobState, type JobSummary } from '../../src/jobs/admin'
import { AutoRefresh, JobActions } from './JobActions'

const TITLES: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  failed: 'Failed',
  completed: 'Completed in the last 24 hours',
}

const when = (value: string | null): string => (value ? new Date(value).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '—')

const took = (job: JobSummary): string => {
  if (!job.lastRunAt || !job.lastFinishedAt) return '—'
  const ms = new Date(job.lastFinishedAt).getTime() - new Date(job.lastRunAt).getTime()
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

const cell = { padding: '6px 10px', borderBottom: '1px solid var(--theme-elevation-100)', verticalAlign: 'top' as const, textAlign: 'left' as const }

/** Admin-only: every job by state, with attempts, last error and timings; retry failed, cancel queued. */
export const JobsView = async ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  const template = { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
  // Custom admin views skip Payload's own admin-access redirect, so this view does it itself.
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/jobs')}`)
  if (!hasRole(req.user, 'admin', 'reviewer')) redirect('/admin/unauthorized')
  if (!hasRole(req.user, 'admin')) {
    return (
      <DefaultTemplate {...template}>
        <Gutter>
          <h1>Jobs</h1>
          <p role="alert">Only admins can see background jobs.</p>
        </Gutter>
      </DefaultTemplate>
    )
  }
  const pool = (req.payload.db as unknown as PostgresAdapter).pool
  const sections = await Promise.all(JOB_STATES.map(async (state) => ({ state, ...(await listJobs(pool, state, 50)) })))
  return (
    <DefaultTemplate {...template}>
      <Gutter>
        <h1>Jobs</h1>
        <p>
          Background work (audio processing, consensus, exports, email). The page refreshes every 5 seconds. <AutoRefresh seconds={5} />
        </p>
        {sections.map(({ state, jobs, total }) => (
          <section key={state} aria-labelledby={`jobs-${state}`} style={{ marginTop: 32 }}>
            <h2 id={`jobs-${state}`}>
              {TITLES[state]} <span style={{ opacity: 0.6 }}>({total})</span>
            </h2>
            {jobs.length === 0 ? (
              <p style={{ opacity: 0.7 }}>None.</p>
            ) : (
              <div style={{ overflowX: 'auto' }}>
                <table style={{ borderCollapse: 'collapse', width: '100%', fontSize: 14 }}>
                  <thead>
                    <tr>
                      {['Job', 'Attempts', state === 'queued' ? 'Runs at' : 'Started', state === 'running' ? 'Progress' : 'Took', 'Last error', ''].map((heading) => (
                        <th key={heading} style={cell} scope="col">
                          {heading}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {jobs.map((job) => (
                      <tr key={job.id} data-job-id={job.id}>
                        <td style={cell}>
                          <strong>{job.name}</strong>
                          <div style={{ fontSize: 12, opacity: 0.7 }}>
                            {job.id}
                            {job.repeatInterval ? ` · every ${job.repeatInterval}` : ''}
                          </div>
                        </td>
                        <td style={cell}>{job.attempts}</td>
                        <td style={cell}>{when(state === 'queued' ? job.nextRunAt : job.lastRunAt)}</td>
                        <td style={cell}>{state === 'running' ? (job.progress !== null ? `${Math.round(job.progress)} %` : '—') : took(job)}</td>
                        <td style={{ ...cell, maxWidth: 420, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{job.lastError ?? '—'}</td>
                        <td style={cell}>
                          <JobActions id={job.id} state={state} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        ))}
      </Gutter>
    </DefaultTemplate>
  )
}
