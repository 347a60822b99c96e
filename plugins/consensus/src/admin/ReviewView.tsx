import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import { hasRole } from '@shrutik/plugin-sdk'
import type { AdminViewServerProps } from 'payload'

import { SETTINGS_KEY, type SanitizedConsensusOptions } from '../options'
import { listReviewQueue, recentDecisions, type Judgment, type ReviewItem } from '../review'
import { ReviewActions } from './ReviewActions'

const PAGE_SIZE = 10


const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)} %`)

const cell = { padding: '4px 8px', borderBottom: '1px solid var(--theme-elevation-100)', verticalAlign: 'top' as const, textAlign: 'left' as const }

const STATUS_LABELS: Record<string, string> = {
  'needs-review': 'Needs review',
  pending: 'Undecided',
  accepted: 'Accepted by the crowd (low confidence)',
  rejected: 'Rejected by the crowd (low confidence)',
}

const Judgments = ({ title, rows, render, reliabilityLabel }: { title: string; rows: Judgment[]; render: (row: Judgment) => string; reliabilityLabel?: string }) =>
  rows.length === 0 ? null : (
    <div style={{ marginTop: 8 }}>
      <strong>{title}</strong>
      <table style={{ borderCollapse: 'collapse', width: '100%', fontSize: 13 }}>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td style={{ ...cell, width: '30%' }}>{row.who}</td>
              <td style={cell}>{render(row)}</td>
              {reliabilityLabel ? <td style={{ ...cell, width: '20%', opacity: 0.75 }}>{row.reliability === null ? 'not estimated yet' : `${reliabilityLabel} ${percent(row.reliability)}`}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

const Item = ({ item }: { item: ReviewItem }) => (
  <article
    data-segment-id={item.id}
    aria-labelledby={`segment-${item.id}`}
    style={{ border: '1px solid var(--theme-elevation-150)', borderRadius: 4, padding: 16, marginBottom: 16, display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(220px, 1fr)', gap: 16 }}
  >
    <div>
      <h2 id={`segment-${item.id}`} style={{ fontSize: 16, margin: 0 }}>
        <a href={`/admin/collections/segments/${item.id}`}>Segment {item.id}</a> · {item.kind === 'validation' ? 'validation' : 'transcription'} ·{' '}
        {STATUS_LABELS[item.status] ?? item.status}
      </h2>
      <p style={{ margin: '4px 0', fontSize: 13, opacity: 0.8 }}>
        {(item.durationMs / 1000).toFixed(1)} s · {item.judgments} judgment{item.judgments === 1 ? '' : 's'} · confidence {percent(item.confidence)}
        {item.reports ? ` · ${item.reports} report${item.reports === 1 ? '' : 's'}` : ''}
      </p>
      <audio controls preload="none" src={item.audioUrl} aria-label={`Segment ${item.id}`} style={{ width: '100%', margin: '8px 0' }} />
      {item.expectedText ? (
        <p style={{ margin: '4px 0' }}>
          <span style={{ opacity: 0.7 }}>Prompt: </span>
          {item.expectedText}
        </p>
      ) : null}
      {item.kind === 'transcription' && item.agreedText ? (
        <p style={{ margin: '4px 0' }}>
          <span style={{ opacity: 0.7 }}>Crowd's text: </span>
          {item.agreedText}
        </p>
      ) : null}
      <Judgments title="Votes" rows={item.votes} render={(row) => (row.valid ? 'valid' : `not valid${row.reason ? ` (${row.reason})` : ''}`)} reliabilityLabel="accuracy" />
      <Judgments title="Transcriptions" rows={item.transcriptions} render={(row) => row.text ?? ''} reliabilityLabel="word error" />
      <Judgments title="Skips and reports" rows={item.skips} render={(row) => (row.reason ? `reported: ${row.reason}` : 'skipped')} />
    </div>
    <ReviewActions segmentId={item.id} kind={item.kind} suggestedText={item.kind === 'transcription' ? item.agreedText : item.expectedText} />
  </article>
)

/** Reviewers and admins: segments the crowd could not decide, with audio, prompt, every judgment and one-click decisions. */
export const ReviewView = async ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  const template = { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
  // Custom admin views skip Payload's own admin-access redirect, so this view does it itself.
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent('/admin/review')}`)
  if (!hasRole(req.user, 'admin', 'reviewer')) {
    return (
      <DefaultTemplate {...template}>
        <Gutter>
          <h1>Review queue</h1>
          <p role="alert">Only reviewers and admins can review segments.</p>
        </Gutter>
      </DefaultTemplate>
    )
  }
  const settings = (req.payload.config.custom as Record<string, unknown>)[SETTINGS_KEY] as SanitizedConsensusOptions
  const param = (name: string) => Number(Array.isArray(searchParams?.[name]) ? searchParams[name][0] : searchParams?.[name])
  const page = Number.isInteger(param('page')) && param('page') > 0 ? param('page') : 1
  const languageId = Number.isInteger(param('language')) && param('language') > 0 ? param('language') : undefined
  const [queue, recent, languages] = await Promise.all([
    listReviewQueue(req.payload, settings, { page, limit: PAGE_SIZE, languageId }),
    recentDecisions(req.payload, settings, 10),
    // System read: languages are public anyway; the filter lists them all.
    req.payload.find({ collection: settings.slugs.languages as 'languages', depth: 0, limit: 200, sort: 'name', pagination: false }),
  ])
  const href = (next: { page?: number; language?: number }) => {
    const query = new URLSearchParams()
    if (next.language ?? languageId) query.set('language', String(next.language ?? languageId))
    if (next.page && next.page > 1) query.set('page', String(next.page))
    const text = query.toString()
    return `/admin/review${text ? `?${text}` : ''}`
  }
  return (
    <DefaultTemplate {...template}>
      <Gutter>
        <h1>Review queue</h1>
        <p>
          Segments the crowd sent to review, then the least certain ones. Listen, then accept, reject or type the transcript. Every decision is recorded
          (Consensus → Review decisions) and teaches the reliability estimates. <strong>{queue.totalDocs}</strong> waiting.
        </p>
        {languages.docs.length > 1 ? (
          <nav aria-label="Languages" style={{ display: 'flex', gap: 12, flexWrap: 'wrap', margin: '8px 0 16px' }}>
            {languageId === undefined ? <strong>All languages</strong> : <a href="/admin/review">All languages</a>}
            {languages.docs.map((language) =>
              language.id === languageId ? (
                <strong key={language.id}>{String(language.name)}</strong>
              ) : (
                <a key={language.id} href={href({ language: language.id as number })}>
                  {String(language.name)}
                </a>
              ),
            )}
          </nav>
        ) : null}
        {queue.docs.length === 0 ? <p style={{ opacity: 0.7 }}>Nothing to review right now.</p> : queue.docs.map((item) => <Item key={item.id} item={item} />)}
        {queue.totalPages > 1 ? (
          <nav aria-label="Pages" style={{ display: 'flex', gap: 12, margin: '16px 0' }}>
            {page > 1 ? <a href={href({ page: page - 1 })}>← Previous</a> : null}
            <span>
              Page {page} of {queue.totalPages}
            </span>
            {page < queue.totalPages ? <a href={href({ page: page + 1 })}>Next →</a> : null}
          </nav>
        ) : null}
        {recent.length > 0 ? (
          <section aria-labelledby="recent-decisions" style={{ marginTop: 32 }}>
            <h2 id="recent-decisions" style={{ fontSize: 18 }}>
              Recently decided
            </h2>
            <table style={{ borderCollapse: 'collapse', width: '100%', fontSize: 13 }}>
              <tbody>
                {recent.map((decision) => (
                  <tr key={decision.id}>
                    <td style={cell}>{decision.segment_id ? <a href={`/admin/collections/segments/${decision.segment_id}`}>Segment {decision.segment_id}</a> : 'deleted segment'}</td>
                    <td style={cell}>{decision.decision}</td>
                    <td style={cell}>{decision.text ?? ''}</td>
                    <td style={cell}>{decision.reviewer}</td>
                    <td style={cell}>{new Date(decision.at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </Gutter>
    </DefaultTemplate>
  )
}
