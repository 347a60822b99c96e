import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { corpusCoverage, HISTOGRAM_TOP } from '../../src/curation/coverage'

const cell = { padding: '4px 10px', borderBottom: '1px solid var(--theme-elevation-100)', textAlign: 'left' as const }

/** Recordings per approved sentence as bars (an SVG, so it needs no chart library). */
const Histogram = ({ counts }: { counts: number[] }) => {
  const max = Math.max(1, ...counts)
  const width = 36
  const height = 140
  return (
    <svg role="img" aria-label="Approved sentences by number of recordings" width={counts.length * (width + 6)} height={height + 40}>
      {counts.map((count, bucket) => {
        const barHeight = Math.round((count / max) * height)
        const x = bucket * (width + 6)
        return (
          <g key={bucket}>
            <rect x={x} y={height - barHeight + 14} width={width} height={barHeight} fill="var(--theme-success-500)" />
            <text x={x + width / 2} y={10 + height - barHeight} fontSize="10" textAnchor="middle" fill="currentColor">
              {count}
            </text>
            <text x={x + width / 2} y={height + 30} fontSize="11" textAnchor="middle" fill="currentColor">
              {bucket === HISTOGRAM_TOP ? `${bucket}+` : bucket}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

/** Admin → Coverage: one language's corpus in numbers (reviewers and admins). */
export const CoverageView = async ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  const template = { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/coverage')}`)
  if (!hasRole(req.user, 'admin', 'reviewer')) redirect('/admin/unauthorized')
  // Languages are public data; the view itself is for admins and reviewers only (checked above).
  const languages = await req.payload.find({ collection: 'languages', depth: 0, limit: 100, sort: 'name', req })
  const wanted = typeof searchParams?.language === 'string' ? searchParams.language : String(languages.docs[0]?.code ?? '')
  const language = languages.docs.find((doc) => doc.code === wanted) ?? languages.docs[0]
  const coverage = language ? await corpusCoverage(req.payload, Number(language.id)) : undefined
  return (
    <DefaultTemplate {...template}>
      <Gutter>
        <h1>Corpus coverage</h1>
        <form method="get" style={{ marginBottom: 16 }}>
          <label>
            Language{' '}
            <select name="language" defaultValue={String(language?.code ?? '')}>
              {languages.docs.map((doc) => (
                <option key={doc.id} value={String(doc.code)}>
                  {String(doc.name)}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="submit" className="btn btn--style-secondary btn--size-small" style={{ margin: 0 }}>
            Show
          </button>
        </form>
        {!coverage ? (
          <p>No languages yet.</p>
        ) : (
          <>
            <table>
              <tbody>
                {(['approved', 'pending', 'rejected', 'retired'] as const).map((status) => (
                  <tr key={status}>
                    <th style={cell}>{status[0].toUpperCase() + status.slice(1)}</th>
                    <td style={cell}>{coverage.sentences[status].toLocaleString('en')}</td>
                  </tr>
                ))}
                <tr>
                  <th style={cell}>Approved, never recorded</th>
                  <td style={cell}>{coverage.neverRecorded.toLocaleString('en')}</td>
                </tr>
                <tr>
                  <th style={cell}>Hours still to be had at {coverage.language.recordingsPerSentence} recording(s) per sentence</th>
                  <td style={cell}>{coverage.hoursStillAvailable.toLocaleString('en')}</td>
                </tr>
              </tbody>
            </table>
            <h2>Recordings per approved sentence</h2>
            <Histogram counts={coverage.recordingsHistogram} />
            {([
              ['By domain', coverage.byDomain.map((row) => ({ key: row.domain, ...row }))],
              ['By source', coverage.bySource.map((row) => ({ key: row.source, ...row }))],
            ] as const).map(([title, rows]) => (
              <section key={title}>
                <h2>{title}</h2>
                <table>
                  <thead>
                    <tr>
                      <th style={cell} />
                      <th style={cell}>Approved</th>
                      <th style={cell}>Pending</th>
                      <th style={cell}>Never recorded</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.key}>
                        <td style={cell}>{row.key || '—'}</td>
                        <td style={cell}>{row.approved}</td>
                        <td style={cell}>{row.pending}</td>
                        <td style={cell}>{row.neverRecorded}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ))}
            {hasRole(req.user, 'admin') ? (
              <p style={{ marginTop: 24 }}>
                Download: <a href={`/api/curation/corpus/validated_sentences.tsv?language=${coverage.language.code}`}>validated_sentences.tsv</a> ·{' '}
                <a href={`/api/curation/corpus/unvalidated_sentences.tsv?language=${coverage.language.code}`}>unvalidated_sentences.tsv</a>
              </p>
            ) : null}
          </>
        )}
      </Gutter>
    </DefaultTemplate>
  )
}

/** "Coverage" in the admin navigation, for reviewers and admins. */
export const CoverageNavLink = ({ user }: { user?: unknown }) => {
  if (!hasRole(user, 'admin', 'reviewer')) return null
  return (
    <a className="nav__link" href="/admin/coverage" id="nav-coverage" style={{ display: 'block', padding: '4px 0' }}>
      <span className="nav__link-label">Coverage</span>
    </a>
  )
}
