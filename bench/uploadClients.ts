/**
 * Load generator for bench/audio.ts part c, in its own process so the clients' CPU does not count
 * against the server being measured. Receives { url, clip, uploaders, uploadsEach, languageId,
 * sentenceIds } over IPC, replies { latencies, ids, failed }.
 */
import fs from 'node:fs'

interface Job {
  url: string
  clip: string
  uploaders: number
  uploadsEach: number
  languageId: number | string
  sentenceIds: (number | string)[]
  cookieName: string
  /** Signed client-id cookie values, one per client (minted by the bench). */
  cookies: string[]
  /** Pause before each next upload (a contributor records the next sentence). 0 = back to back. */
  thinkMs: number
}

process.once('message', async (job: Job) => {
  const clip = fs.readFileSync(job.clip)
  const latencies: number[] = []
  const ids: number[] = []
  let failed = 0
  await Promise.all(
    Array.from({ length: job.uploaders }, async (_, client) => {
      // An id the server issued (the bench minted one per client), as a browser holds after consent.
      const cookie = `${job.cookieName}=${job.cookies[client % job.cookies.length]}`
      // Contributors do not start in lockstep.
      if (job.thinkMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * job.thinkMs))
      for (let i = 0; i < job.uploadsEach; i++) {
        if (i > 0 && job.thinkMs) await new Promise((resolve) => setTimeout(resolve, job.thinkMs * (0.8 + 0.4 * Math.random())))
        const form = new FormData()
        form.append('file', new Blob([clip], { type: 'audio/webm' }), 'take.webm')
        form.append('_payload', JSON.stringify({ language: job.languageId, mode: 'prompt', sentence: job.sentenceIds[(client * job.uploadsEach + i) % job.sentenceIds.length] }))
        const started = performance.now()
        try {
          const response = await fetch(job.url, { method: 'POST', headers: { Cookie: cookie }, body: form })
          const body = (await response.json()) as { doc?: { id: number } }
          latencies.push(performance.now() - started)
          if (response.status === 201 && body.doc) ids.push(body.doc.id)
          else failed++
        } catch {
          latencies.push(performance.now() - started)
          failed++
        }
      }
    }),
  )
  process.send!({ latencies, ids, failed }, () => process.exit(0))
})
