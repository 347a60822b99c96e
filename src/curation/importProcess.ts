/**
 * One import in a lean process of its own (no Payload, no Next): what the import job runs, so a
 * file of any size is parsed in a small, bounded heap beside the worker. Reports on stdout, one JSON
 * object a line: {"progress": {...}} while it reads, then {"counts": {...}} or {"inputError": "..."}.
 * Usage: node --import tsx src/curation/importProcess.ts IMPORT_ID   (DATABASE_URL in the environment)
 */
import pg from 'pg'

import { ImportInputError, runImport } from './import'

const importId = Number(process.argv[2])
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 })
const say = (message: object) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()))

try {
  const counts = await runImport(pool, importId, { onProgress: (progress) => say({ progress }) })
  await say({ counts })
  await pool.end()
  process.exit(0)
} catch (error) {
  if (error instanceof ImportInputError) {
    await say({ inputError: error.message })
    await pool.end()
    process.exit(3)
  }
  await say({ error: (error as Error).message })
  process.exit(1)
}
