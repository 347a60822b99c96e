import { guardPool as guardPoolWith } from '@shrutik/plugin-sdk/runtime'
import type pg from 'pg'

import { logger } from '../lib/logger'

/** The SDK's `guardPool` (a pool that survives PostgreSQL going away), logging through the host's logger. */
export const guardPool = (pool: pg.Pool, label: string): pg.Pool => guardPoolWith(pool, label, logger)
