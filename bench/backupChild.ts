/**
 * One side of bench:backup in its own process, so its peak memory is its own (not the bench's
 * booted Payload): `backup OUT` or `restore FILE` against DATABASE_URL. Prints one JSON line.
 */
const [mode, file] = process.argv.slice(2)
const started = performance.now()
let summary: unknown
if (mode === 'backup') {
  const { createBackup } = await import('../src/backup/backup')
  summary = await createBackup({ databaseUrl: process.env.DATABASE_URL!, out: file, shrutikVersion: 'bench' })
} else {
  const { prepareSchemaWithPayload, restoreBackup } = await import('../src/backup/restore')
  const { expectedMigrationNames } = await import('../src/db/migrate')
  summary = await restoreBackup({
    file,
    databaseUrl: process.env.DATABASE_URL!,
    knownMigrations: await expectedMigrationNames(),
    prepareSchema: prepareSchemaWithPayload,
  })
}
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, summary }))
process.exit(0)

export {}
