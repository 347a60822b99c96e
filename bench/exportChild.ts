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
// Phase timings and the highest RSS seen in each phase on stderr, to see where an export spends its time and memory.
let phase = 'starting'
const peakByPhase = new Map<string, number>()
const sample = () => peakByPhase.set(phase, Math.max(peakByPhase.get(phase) ?? 0, process.memoryUsage().rss / 1048576))
const sampler = setInterval(sample, 25)
const summary = await runExport(booted.payload, request, {
  out,
  onProgress: (progress) => {
    if (progress.phase === phase) return
    sample()
    phase = progress.phase
    console.error(`[exportChild] ${((performance.now() - started) / 1000).toFixed(1)} s: ${phase}`)
  },
})
const ms = performance.now() - started
sample()
clearInterval(sampler)
console.error(`[exportChild] peak RSS by phase (MB): ${[...peakByPhase].map(([name, mb]) => `${name} ${mb.toFixed(0)}`).join(', ')}; heap used now ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`)
console.log(JSON.stringify({ ms, rssAfterBootMb, maxRssMb: process.resourceUsage().maxRSS / 1024, ...summary }))
process.exit(0)
