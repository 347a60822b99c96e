import client from 'prom-client'

/** One registry for the process; `/metrics` renders it in Prometheus text format. */
export const registry = new client.Registry()
client.collectDefaultMetrics({ register: registry })

export const httpRequestDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration in seconds, by method, route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
})

export interface GaugeRegistration {
  name: string
  help: string
  labelNames?: string[]
  /** Called on every scrape; set the gauge's values here. Keep it cheap (one indexed query at most). */
  collect: (gauge: client.Gauge<string>) => void | Promise<void>
}

/**
 * The hook other modules (jobs, plugins) use to publish a gauge on `/metrics`. Registering the same
 * name twice returns the existing gauge rather than failing, so hot reloads are harmless.
 */
export const registerGauge = ({ name, help, labelNames = [], collect }: GaugeRegistration): client.Gauge<string> => {
  const existing = registry.getSingleMetric(name)
  if (existing) return existing as client.Gauge<string>
  return new client.Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      await collect(this)
    },
  })
}

/**
 * Route label for the HTTP histogram. Paths are folded into a small fixed set so that ids and
 * file names never explode the number of series.
 */
export const routeLabel = (pathname: string, apiSlugs: ReadonlySet<string>): string => {
  if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname
  if (pathname.startsWith('/api/')) {
    const [, , slug, second] = pathname.split('/')
    if (!slug || !apiSlugs.has(slug)) return '/api/other'
    if (second === undefined || second === '') return `/api/${slug}`
    if (['login', 'logout', 'me', 'refresh-token', 'forgot-password', 'reset-password', 'first-register', 'unlock', 'init'].includes(second)) {
      return `/api/${slug}/${second}`
    }
    if (second === 'file') return `/api/${slug}/file/:name`
    return `/api/${slug}/:id`
  }
  if (pathname === '/admin' || pathname.startsWith('/admin/')) return '/admin'
  if (pathname.startsWith('/_next/')) return '/_next'
  return 'site'
}
