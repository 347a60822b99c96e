import fs from 'node:fs'

export default async function globalTeardown() {
  await globalThis.__SHRUTIK_PG__?.stop()
  if (process.env.SHRUTIK_TEST_ROOT) fs.rmSync(process.env.SHRUTIK_TEST_ROOT, { recursive: true, force: true })
  if (process.env.SHRUTIK_TEST_POSTGRES_HOME) fs.rmSync(process.env.SHRUTIK_TEST_POSTGRES_HOME, { recursive: true, force: true })
}
