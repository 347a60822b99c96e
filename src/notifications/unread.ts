import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type pg from 'pg'

/** Unread notifications (not read, not dismissed): the admin navigation's badge. */
export const unreadNotificationCount = async (payload: Payload): Promise<number> => {
  const pool = (payload.db as unknown as PostgresAdapter).pool as unknown as pg.Pool
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM admin_notifications WHERE read_at IS NULL AND dismissed_at IS NULL`)
  return rows[0].n
}
