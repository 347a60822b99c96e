import { Button } from '@payloadcms/ui'
import type { SanitizedPermissions } from 'payload'

import { hasRole } from '@shrutik/plugin-sdk'
import { EstimatedCount } from './EstimatedCount'
import { IMPORT_VIEW_PATH, REPORTS_VIEW_PATH, REVIEW_VIEW_PATH } from './importPaths'

/**
 * Above the Sentences list: Import (for whoever may import), the review and report queues (reviewers
 * and admins), and "about N" when the list's count is an estimate (src/db/estimatedCount.ts).
 */
export const SentenceListTools = ({ permissions, user }: { permissions?: SanitizedPermissions; user?: unknown }) => {
  const curator = hasRole(user, 'admin', 'reviewer')
  const mayImport = Boolean(permissions?.collections?.['sentence-imports']?.create)
  return (
    <div className="sentence-list-tools" style={{ marginBottom: 16 }}>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        {mayImport ? (
          <Button el="link" to={`/admin${IMPORT_VIEW_PATH}`} buttonStyle="primary" size="small" id="sentences-import" margin={false}>
            Import
          </Button>
        ) : null}
        {curator ? (
          <>
            <Button el="link" to={`/admin${REVIEW_VIEW_PATH}`} buttonStyle="secondary" size="small" id="sentences-review" margin={false}>
              Review pending sentences
            </Button>
            <Button el="link" to={`/admin${REPORTS_VIEW_PATH}`} buttonStyle="secondary" size="small" id="sentences-reports" margin={false}>
              Reported sentences
            </Button>
          </>
        ) : null}
      </div>
      <EstimatedCount />
    </div>
  )
}
