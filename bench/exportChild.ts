export {}

/**
 * One export in its own process for `npm run bench:export`: boots Payload on the bench database,
 * runs the plugin's `runExport` (what `shrutik export` runs), prints one JSON line with the time
 * of the export alone, the process's peak RSS, and the summary.
 */
const { request, out } = JSON.parse(process.argv[2]) as { request: import('../plugins/export/src/run').ExportRequest; out: string }
const { bootPayload } = await import('../src/server/boot')
const booted = await bootPayload()
const { runExport } = await import('../plugins/export/src/run')
const rssAfterBootMb = process.memoryUsage().rss / 1048576
const started = performance.now()
// Phase timings on stderr, to see where an export spends its time.
let phase = ''
const summary = await runExport(booted.payload, request, {
  out,
  onProgress: (progress) => {
    if (progress.phase === phase) return
    phase = progress.phase
    console.error(`[exportChild] ${((performance.now() - started) / 1000).toFixed(1)} s: ${phase}`)
  },
})
const ms = performance.now() - started
console.log(JSON.stringify({ ms, rssAfterBootMb, maxRssMb: process.resourceUsage().maxRSS / 1024, ...summary }))
process.exit(0)
