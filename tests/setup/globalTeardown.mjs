import fs from 'node:fs'

export default async function globalTeardown() {
  // The database a run without some plugins made on DATABASE_URL's server (globalSetup).
  if (process.env.SHRUTIK_TEST_FRESH_DATABASE && process.env.SHRUTIK_TEST_SERVER_URL) {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: process.env.SHRUTIK_TEST_SERVER_URL })
    await client.connect()
    try {
      await client.query(`DROP DATABASE IF EXISTS "${process.env.SHRUTIK_TEST_FRESH_DATABASE}" WITH (FORCE)`)
    } finally {
      await client.end()
    }
  }
  await globalThis.__SHRUTIK_PG__?.stop()
  if (process.env.SHRUTIK_TEST_ROOT) fs.rmSync(process.env.SHRUTIK_TEST_ROOT, { recursive: true, force: true })
  if (process.env.SHRUTIK_TEST_POSTGRES_HOME) fs.rmSync(process.env.SHRUTIK_TEST_POSTGRES_HOME, { recursive: true, force: true })
}
