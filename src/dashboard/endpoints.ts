import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { hasRole, type RoleHolder } from '../access/roles'
import { DASHBOARD_TABLES, dashboardCsv, dashboardData, UnknownLanguageError, type DashboardTable } from './data'

/** First lines of every dashboard endpoint: admins and reviewers only. */
const requireReviewer = (req: PayloadRequest): void => {
  if (!req.user) throw new APIError('Sign in as an admin or reviewer to see the dashboard.', 401, undefined, true)
  if (!hasRole(req.user as unknown as RoleHolder, 'admin', 'reviewer')) throw new APIError('Only admins and reviewers can see the dashboard.', 403, undefined, true)
}

/** `?language=CODE` narrows the daily, weekly and rejection figures; absent or empty means every language. */
const languageParam = (req: PayloadRequest): string | null => {
  const value = req.searchParams.get('language')
  if (!value) return null
  if (value.length > 35) throw new APIError('"language" must be a language code.', 400, undefined, true)
  return value
}

const load = async (req: PayloadRequest) => {
  try {
    return await dashboardData(req.payload, { language: languageParam(req) })
  } catch (error) {
    if (error instanceof UnknownLanguageError) throw new APIError(error.message, 400, undefined, true)
    throw error
  }
}

const PRIVATE = { 'Cache-Control': 'private, no-store' }

/** The admin dashboard's data (`GET /api/dashboard`) and each of its tables as CSV (`GET /api/dashboard/TABLE.csv`). */
export const dashboardEndpoints: Endpoint[] = [
  {
    path: '/dashboard',
    method: 'get',
    handler: async (req) => {
      requireReviewer(req)
      return Response.json(await load(req), { headers: PRIVATE })
    },
  },
  {
    path: '/dashboard/:file',
    method: 'get',
    handler: async (req) => {
      requireReviewer(req)
      const file = String(req.routeParams?.file ?? '')
      const table = file.replace(/\.csv$/u, '') as DashboardTable
      if (!file.endsWith('.csv') || !DASHBOARD_TABLES.includes(table)) {
        throw new APIError(`Unknown table "${file}". The dashboard's tables are ${DASHBOARD_TABLES.map((name) => `${name}.csv`).join(', ')}.`, 404, undefined, true)
      }
      const data = await load(req)
      const name = `shrutik-${table}${data.language ? `-${data.language.replace(/[^A-Za-z0-9-]/gu, '')}` : ''}.csv`
      return new Response(dashboardCsv(data, table), {
        headers: { ...PRIVATE, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"`, 'X-Content-Type-Options': 'nosniff' },
      })
    },
  },
]
