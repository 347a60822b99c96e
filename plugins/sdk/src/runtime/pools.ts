import type pg from 'pg'

import { consoleLogger, type RuntimeLogger } from './logger'

const guarded = new WeakSet<object>()

/**
 * Makes a pool survive PostgreSQL going away. `pg` emits 'error' on a client whose connection dies;
 * the pool listens only while the client is idle, so a client checked out at that moment (a
 * transaction, a held lock, a LISTEN) would throw an uncaught 'error' event and kill the process.
 * Every client the pool creates gets a listener that logs; the query in flight still fails (and
 * answers 503), and the pool replaces the dead connection.
 */
export const guardPool = (pool: pg.Pool, label: string, logger: RuntimeLogger = consoleLogger): pg.Pool => {
  if (guarded.has(pool)) return pool
  guarded.add(pool)
  pool.on('error', (error) => logger.log('warn', `${label}: idle database connection lost`, { error: error.message }))
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.log('warn', `${label}: database connection lost`, { error: error.message }))
  })
  return pool
}
