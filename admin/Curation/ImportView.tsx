import { Gutter, SetStepNav } from '@payloadcms/ui'
import { redirect } from 'next/navigation'
import type { AdminViewServerProps } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { SentenceImporter } from './SentenceImporter'

import { IMPORT_VIEW_PATH } from './importPaths'

/**
 * Admin → Sentences → Import (admins; reviewers when Site settings allow it): the importer, with a
 * preview of the file and its column mapping. The import itself is a `sentence-imports` document,
 * created through the REST API with the same access checks.
 */
export const ImportView = async ({ initPageResult }: AdminViewServerProps) => {
  // A view of the Sentences collection: Payload renders the admin's frame (navigation) around it.
  const { req, permissions } = initPageResult
  if (!req.user) redirect(`/admin/login?redirect=${encodeURIComponent(`/admin${IMPORT_VIEW_PATH}`)}`)
  if (!permissions?.collections?.['sentence-imports']?.create) redirect('/admin/unauthorized')
  const languages = await req.payload.find({ collection: 'languages', depth: 0, limit: 500, sort: 'name', overrideAccess: false, user: req.user, req })
  return (
    <>
      <SetStepNav nav={[{ label: 'Sentences', url: '/admin/collections/sentences' }, { label: 'Import' }]} />
      <Gutter>
        <h1>Import sentences</h1>
        <SentenceImporter
          languages={languages.docs.map((doc) => ({ id: Number(doc.id), code: String(doc.code), name: String(doc.name) }))}
          mayApprove={hasRole(req.user, 'admin')}
        />
      </Gutter>
    </>
  )
}
