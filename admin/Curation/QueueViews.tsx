import { DefaultTemplate } from '@payloadcms/next/templates'
import { Gutter, SetStepNav } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps, PayloadRequest } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { REPORTS_VIEW_PATH, REVIEW_VIEW_PATH } from './importPaths'
import { ReportQueue } from './ReportQueue'
import { SentenceReviewer } from './SentenceReviewer'

/** Reviewers and admins only; anyone else is sent to sign in, or told they may not. */
const curatorPage = (initPageResult: AdminViewServerProps['initPageResult'], path: string): PayloadRequest => {
  const { req } = initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent(`/admin${path}`)}`)
  if (!hasRole(req.user, 'admin', 'reviewer')) redirect('/admin/unauthorized')
  return req
}

const languagesOf = async (req: PayloadRequest) =>
  (await req.payload.find({ collection: 'languages', depth: 0, limit: 500, sort: 'name', overrideAccess: false, user: req.user, req })).docs

const templateProps = ({ initPageResult, params, searchParams }: AdminViewServerProps) => {
  const { req, permissions, visibleEntities, locale } = initPageResult
  return { i18n: req.i18n, locale, params, payload: req.payload, permissions, searchParams, user: req.user ?? undefined, visibleEntities }
}

/** Admin → Review sentences: pending sentences, approved or rejected by reviewers and admins. */
export const ReviewView = async (props: AdminViewServerProps) => {
  const req = curatorPage(props.initPageResult, REVIEW_VIEW_PATH)
  const languages = await languagesOf(req)
  return (
    <DefaultTemplate {...templateProps(props)}>
      <SetStepNav nav={[{ label: 'Sentences', url: '/admin/collections/sentences' }, { label: 'Review' }]} />
      <Gutter>
        <h1>Review sentences</h1>
        <SentenceReviewer
          languages={languages.map((doc) => ({ id: Number(doc.id), code: String(doc.code), name: String(doc.name) }))}
          approvalsNeeded={Object.fromEntries(languages.map((doc) => [String(doc.code), Number((doc as { approvalsNeeded?: number }).approvalsNeeded ?? 2)]))}
        />
      </Gutter>
    </DefaultTemplate>
  )
}

/** Admin → Reported sentences: the report queue (retire or keep). */
export const ReportsView = async (props: AdminViewServerProps) => {
  const req = curatorPage(props.initPageResult, REPORTS_VIEW_PATH)
  const languages = await languagesOf(req)
  return (
    <DefaultTemplate {...templateProps(props)}>
      <SetStepNav nav={[{ label: 'Sentences', url: '/admin/collections/sentences' }, { label: 'Reported' }]} />
      <Gutter>
        <h1>Reported sentences</h1>
        <ReportQueue languages={languages.map((doc) => ({ id: Number(doc.id), code: String(doc.code), name: String(doc.name) }))} />
      </Gutter>
    </DefaultTemplate>
  )
}

/** "Review sentences" and "Reported sentences" in the admin navigation, for reviewers and admins. */
export const CurationNavLinks = ({ user }: { user?: unknown }) => {
  if (!hasRole(user, 'admin', 'reviewer')) return null
  return (
    <>
      <a className="nav__link" href={`/admin${REVIEW_VIEW_PATH}`} id="nav-sentence-review" style={{ display: 'block', padding: '4px 0' }}>
        <span className="nav__link-label">Review sentences</span>
      </a>
      <a className="nav__link" href={`/admin${REPORTS_VIEW_PATH}`} id="nav-sentence-reports" style={{ display: 'block', padding: '4px 0' }}>
        <span className="nav__link-label">Reported sentences</span>
      </a>
    </>
  )
}
