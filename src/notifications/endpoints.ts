import { APIError, type Endpoint, type PayloadRequest } from 'payload'

import { hasRole } from '../access/roles'
import { unreadNotificationCount } from './unread'

/** First lines of every notifications endpoint: admins only. */
const requireAdmin = (req: PayloadRequest): void => {
  if (!req.user) throw new APIError('Sign in as an admin to see notifications.', 401, undefined, true)
  if (!hasRole(req.user, 'admin')) throw new APIError('Only admins can see and manage notifications.', 403, undefined, true)
}

const idParam = (req: PayloadRequest): number => {
  const id = Number(req.routeParams?.id)
  if (!Number.isInteger(id) || id < 1) throw new APIError('The notification id must be a number.', 400, undefined, true)
  return id
}

const mark = (field: 'readAt' | 'dismissedAt'): Endpoint['handler'] =>
  async (req) => {
    requireAdmin(req)
    const id = idParam(req)
    const now = new Date().toISOString()
    // As the admin, under the collection's own access rules (only readAt and dismissedAt are writable).
    const doc = await req.payload
      .update({ collection: 'admin-notifications', id, data: field === 'dismissedAt' ? { dismissedAt: now, readAt: now } : { readAt: now }, user: req.user, overrideAccess: false, depth: 0, req })
      .catch(() => null)
    if (!doc) throw new APIError(`Notification ${id} does not exist.`, 404, undefined, true)
    return Response.json({ ok: true, unread: await unreadNotificationCount(req.payload) }, { headers: { 'Cache-Control': 'no-store' } })
  }

/** Admin-only: the badge's count, mark one read, dismiss one, mark all read. */
export const notificationEndpoints: Endpoint[] = [
  {
    path: '/notifications/summary',
    method: 'get',
    handler: async (req) => {
      requireAdmin(req)
      return Response.json({ unread: await unreadNotificationCount(req.payload) }, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  { path: '/notifications/:id/read', method: 'post', handler: mark('readAt') },
  { path: '/notifications/:id/dismiss', method: 'post', handler: mark('dismissedAt') },
  {
    path: '/notifications/read-all',
    method: 'post',
    handler: async (req) => {
      requireAdmin(req)
      await req.payload.update({
        collection: 'admin-notifications',
        where: { readAt: { exists: false } },
        data: { readAt: new Date().toISOString() },
        user: req.user,
        overrideAccess: false,
        depth: 0,
        req,
      })
      return Response.json({ ok: true, unread: await unreadNotificationCount(req.payload) }, { headers: { 'Cache-Control': 'no-store' } })
    },
  },
]
