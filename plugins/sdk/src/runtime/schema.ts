import { getCreateIndexesSQL, getCreateTableSQL, getUpdateTimestampTriggerSQL } from '@agendajs/postgres-backend'
import type pg from 'pg'

import { DEDUPE_TABLE, JOBS_TABLE } from './constants'

export { DEDUPE_TABLE, JOBS_CHANNEL, JOBS_TABLE } from './constants'

/**
 * Agenda's table, indexes and trigger (its own SQL; Agenda's own unlocked schema setup races when
 * several processes start together, so it is switched off in the runtime) plus our dedupe keys: one row per pending
 * job that has a dedupe key, unique by key, deleted when the job starts. Idempotent; run by every
 * process at boot so a web process can enqueue before any worker has started. Both tables are
 * outside Payload's schema (`tablesFilter: ['!agenda_*']`).
 */
export const ensureJobSchema = async (pool: pg.Pool): Promise<void> => {
  const client = await pool.connect()
  try {
    // Serialise concurrent boots: CREATE ... IF NOT EXISTS can still collide on the catalog.
    await client.query('SELECT pg_advisory_lock(727002)')
    await client.query(getCreateTableSQL(JOBS_TABLE))
    for (const statement of getCreateIndexesSQL(JOBS_TABLE)) await client.query(statement)
    await client.query(getUpdateTimestampTriggerSQL(JOBS_TABLE))
    await client.query(`CREATE TABLE IF NOT EXISTS ${DEDUPE_TABLE} (
      key text PRIMARY KEY,
      job_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`)
    await client.query(`CREATE INDEX IF NOT EXISTS ${DEDUPE_TABLE}_job_id_idx ON ${DEDUPE_TABLE} (job_id)`)
    // The admin dashboard counts failures by job name without reading the finished rows.
    await client.query(`CREATE INDEX IF NOT EXISTS ${JOBS_TABLE}_failed_at_idx ON ${JOBS_TABLE} (failed_at) WHERE failed_at IS NOT NULL`)
  } finally {
    await client.query('SELECT pg_advisory_unlock(727002)').catch(() => undefined)
    client.release()
  }
}
