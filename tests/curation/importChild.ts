/**
 * A worker that starts an import and stops mid-file (it hangs once its first batch is staged and
 * prints "staged"), so tests/curation.test.ts can kill it with SIGKILL as a crashed worker.
 * Usage: node --import tsx tests/curation/importChild.ts IMPORT_ID
 */
const { bootPayload } = await import('../../src/server/boot')
const { runImport } = await import('../../src/curation/import')

const booted = await bootPayload()
await runImport(booted.payload, Number(process.argv[2]), {
  onProgress: async ({ phase, lines }) => {
    if (phase === 'reading' && lines > 0) {
      process.stdout.write('staged\n')
      await new Promise(() => undefined)
    }
  },
})
process.stdout.write('finished\n')
process.exit(0)
export {}
