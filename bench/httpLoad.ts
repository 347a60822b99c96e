/**
 * Closed-loop HTTP load generator for the benchmarks, in its own process so its CPU does not count
 * against the server measured: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer is in, for `seconds`. Receives the job over IPC, replies with
 * { latencies, errors, seconds }.
 */
import http from 'node:http'

interface LoadJob {
  /** Paths (with query) on `origin`, picked at random per request. */
  paths: string[]
  origin: string
  connections: number
  seconds: number
  /** Per-request cookie values for `cookieName` (a random contributor per request). */
  cookieName?: string
  cookies?: string[]
}

process.once('message', async (job: LoadJob) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections })
  const { hostname, port } = new URL(job.origin)
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + job.seconds * 1000
  const once = () =>
    new Promise<void>((resolve) => {
      const path = job.paths[Math.floor(Math.random() * job.paths.length)]
      const cookie = job.cookies && job.cookieName ? `${job.cookieName}=${job.cookies[Math.floor(Math.random() * job.cookies.length)]}` : undefined
      const started = performance.now()
      const request = http.get({ hostname, port, path, agent, headers: cookie ? { Cookie: cookie } : {} }, (response) => {
        response.resume()
        response.on('end', () => {
          if (response.statusCode === 200) latencies.push(performance.now() - started)
          else errors++
          resolve()
        })
      })
      request.on('error', () => {
        errors++
        resolve()
      })
    })
  const started = performance.now()
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (performance.now() < deadline) await once()
    }),
  )
  process.send!({ latencies, errors, seconds: (performance.now() - started) / 1000 }, () => process.exit(0))
})
