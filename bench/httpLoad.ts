/**
 * Closed-loop HTTP/1.1 load generator for the benchmarks, in its own process so its CPU does not
 * count against the server measured: `connections` keep-alive connections, each sending its next
 * request as soon as the previous answer is in, for `seconds`. Receives the job over IPC, replies
 * with { latencies, errors, seconds }.
 *
 * It speaks HTTP on raw sockets (prepared request bytes, a minimal response parser for
 * Content-Length and chunked bodies) rather than through `http.request`: on a 2-core machine the
 * generator shares the CPU with the server and PostgreSQL, and Node's client costs several times
 * more per request, which would show up as the server's latency.
 */
import net from 'node:net'

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

const CRLF2 = Buffer.from('\r\n\r\n')
const CHUNKED_END = Buffer.from('0\r\n\r\n')

/** Where the response in `buffer` ends, its status, or undefined while incomplete. */
const parseResponse = (buffer: Buffer): { end: number; status: number } | undefined => {
  const headerEnd = buffer.indexOf(CRLF2)
  if (headerEnd === -1) return undefined
  const head = buffer.toString('latin1', 0, headerEnd)
  const status = Number(head.slice(9, 12))
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  if (length) {
    const end = headerEnd + 4 + Number(length[1])
    return buffer.length >= end ? { end, status } : undefined
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buffer.indexOf(CHUNKED_END, headerEnd + 4)
    return last === -1 ? undefined : { end: last + CHUNKED_END.length, status }
  }
  return { end: headerEnd + 4, status }
}

process.once('message', async (job: LoadJob) => {
  const { hostname, port, host } = new URL(job.origin)
  // Every (path, cookie) request prepared once; a request is then one write of ready bytes.
  const requests: Buffer[] = []
  for (const path of job.paths) {
    const cookies = job.cookies && job.cookieName ? job.cookies.map((value) => `Cookie: ${job.cookieName}=${value}\r\n`) : ['']
    for (const cookie of cookies) requests.push(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${cookie}Connection: keep-alive\r\n\r\n`, 'latin1'))
  }
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + job.seconds * 1000

  const connection = () =>
    new Promise<void>((resolve) => {
      let socket: net.Socket
      let pending: Buffer = Buffer.alloc(0)
      let started = 0
      const send = () => {
        if (performance.now() >= deadline) {
          socket.destroy()
          resolve()
          return
        }
        started = performance.now()
        socket.write(requests[Math.floor(Math.random() * requests.length)])
      }
      const open = () => {
        pending = Buffer.alloc(0)
        socket = net.connect({ host: hostname, port: Number(port) }, send)
        socket.setNoDelay(true)
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
          const response = parseResponse(pending)
          if (!response) return
          if (response.status === 200) latencies.push(performance.now() - started)
          else errors++
          pending = pending.subarray(response.end)
          send()
        })
        socket.on('error', () => undefined)
        socket.on('close', () => {
          // Closed by the server mid-run: count it and reconnect.
          if (performance.now() < deadline) {
            errors++
            open()
          } else resolve()
        })
      }
      open()
    })

  const started = performance.now()
  await Promise.all(Array.from({ length: job.connections }, connection))
  process.send!({ latencies, errors, seconds: (performance.now() - started) / 1000 }, () => process.exit(0))
})
