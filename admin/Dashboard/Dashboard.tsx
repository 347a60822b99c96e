import type { ServerProps } from 'payload'

import { hasRole, type RoleHolder } from '../../src/access/roles'
import { dashboardData } from '../../src/dashboard/data'
import { DashboardPanel } from './DashboardPanel'
import { dashboardLanguage, dashboardStrings, fill } from './strings'

/**
 * The admin's landing view: the campaign dashboard above Payload's collection cards, for admins
 * and reviewers (nobody else sees anything here). The first figures are read on the server; the
 * language filter then reads GET /api/dashboard.
 */
export const Dashboard = async ({ user, payload, i18n }: ServerProps) => {
  if (!hasRole(user as unknown as RoleHolder, 'admin', 'reviewer')) return null
  const language = dashboardLanguage(i18n?.language)
  try {
    const [data, languages] = await Promise.all([
      dashboardData(payload),
      // Languages are public data; the dashboard's filter lists them all.
      payload.find({ collection: 'languages', depth: 0, limit: 500, sort: 'name', pagination: false, user, overrideAccess: false }),
    ])
    return <DashboardPanel initial={data} language={language} languages={languages.docs.map((doc) => ({ code: String(doc.code), name: String(doc.name) }))} />
  } catch (error) {
    payload.logger.error({ msg: 'dashboard failed', err: error })
    return <p role="alert">{fill(dashboardStrings(language).loadFailed, { error: (error as Error).message })}</p>
  }
}
