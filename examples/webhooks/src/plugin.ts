import { randomUUID } from 'node:crypto'

import {
  CommandError,
  folderOf,
  getJobQueue,
  hasRole,
  listen,
  PermanentJobError,
  registerCommands,
  registerJobs,
  registerMigrations,
  type EventContext,
  type JobDefinition,
  type PluginCommand,
} from '@shrutik/plugin-sdk'
import type { CollectionConfig, Config, Payload } from 'payload'

import { deliver } from './deliver'
import { migrations } from './migrations'
import { sanitizeOptions, WEBHOOK_EVENTS, type SanitizedWebhooksOptions, type WebhookEvent, type WebhooksOptions } from './options'

export const DELIVERIES = 'webhook-deliveries'
export const DELIVER = 'webhooks.deliver'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'webhooks.deliver': { deliveryId: string }
  }
}

type Delivery = {
  id: number | string
  deliveryId: string
  event: string
  target: number
  status: 'pending' | 'delivered' | 'failed' | 'refused'
  attempts?: number | null
  payload: Record<string, unknown>
}

/** One row per (event, receiver): what was sent, how it went. Admins read it; only the jobs write it. */
const deliveriesCollection: CollectionConfig = {
  slug: DELIVERIES,
  admin: {
    group: 'Integrations',
    useAsTitle: 'deliveryId',
    defaultColumns: ['event', 'receiver', 'status', 'attempts', 'responseStatus', 'createdAt'],
    description: 'Webhook deliveries: each event sent to each configured receiver, with its outcome. Written by the webhooks plugin.',
  },
  access: {
    read: ({ req }) => hasRole(req.user, 'admin'),
    create: () => false,
    update: () => false,
    delete: ({ req }) => hasRole(req.user, 'admin'),
  },
  fields: [
    { name: 'deliveryId', type: 'text', required: true, unique: true, admin: { description: 'Sent as X-Shrutik-Delivery; the same on every attempt.' } },
    { name: 'event', type: 'select', options: [...WEBHOOK_EVENTS], required: true, index: true },
    { name: 'target', type: 'number', required: true, admin: { description: 'Which configured URL (0 = the first).' } },
    { name: 'receiver', type: 'text', required: true, admin: { description: 'The receiver’s origin (the path may hold a token and is not stored).' } },
    { name: 'status', type: 'select', options: ['pending', 'delivered', 'failed', 'refused'], defaultValue: 'pending', required: true, index: true },
    { name: 'attempts', type: 'number', defaultValue: 0 },
    { name: 'responseStatus', type: 'number' },
    { name: 'error', type: 'text' },
    { name: 'payload', type: 'json', required: true },
    { name: 'deliveredAt', type: 'date' },
  ],
  timestamps: true,
}

const bodyOf = (delivery: Delivery): string =>
  JSON.stringify({ id: delivery.deliveryId, event: delivery.event, data: delivery.payload.data, emittedAt: delivery.payload.emittedAt })

/** `webhooks.deliver`: one attempt of one delivery; failures worth retrying are thrown (the runtime backs off). */
const deliverJob = (settings: SanitizedWebhooksOptions): JobDefinition<'webhooks.deliver'> => ({
  name: DELIVER,
  retries: settings.retries,
  backoffMs: 60_000,
  validate: (data) => (typeof (data as { deliveryId?: unknown })?.deliveryId === 'string' ? undefined : 'deliveryId must be a string'),
  async handler({ data, payload, signal }) {
    // System job: reads and writes its own collection.
    const found = await payload.find({ collection: DELIVERIES as never, where: { deliveryId: { equals: data.deliveryId } }, limit: 1, depth: 0 })
    const delivery = found.docs[0] as unknown as Delivery | undefined
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'refused') return
    const url = settings.urls[delivery.target]
    if (!url) throw new PermanentJobError(`Receiver ${delivery.target} is no longer configured.`)
    const attempts = (delivery.attempts ?? 0) + 1
    const result = await deliver({
      url,
      deliveryId: delivery.deliveryId,
      event: delivery.event,
      body: bodyOf(delivery),
      secret: settings.secret,
      allowPrivateAddresses: settings.allowPrivateAddresses,
      timeoutMs: settings.timeoutMs,
      signal,
    })
    const update = (fields: Record<string, unknown>) => payload.update({ collection: DELIVERIES as never, id: delivery.id, data: { attempts, ...fields } as never, depth: 0 })
    if (result.outcome === 'delivered') {
      await update({ status: 'delivered', responseStatus: result.status, error: null, deliveredAt: new Date().toISOString() })
      return
    }
    await update({ status: result.outcome === 'refused' ? 'refused' : 'pending', responseStatus: result.status ?? null, error: result.error })
    if (result.outcome === 'refused') throw new PermanentJobError(result.error)
    throw new Error(result.error)
  },
  async onFailed({ data, payload, error }) {
    // System job: marks its own delivery row failed.
    const found = await payload.find({ collection: DELIVERIES as never, where: { deliveryId: { equals: data.deliveryId } }, limit: 1, depth: 0 })
    const delivery = found.docs[0] as unknown as Delivery | undefined
    if (delivery && delivery.status === 'pending') {
      await payload.update({ collection: DELIVERIES as never, id: delivery.id, data: { status: 'failed', error: error.message } as never, depth: 0 })
    }
  },
})

/**
 * An event reached this plugin (after its commit, as a job): one delivery row per receiver, each
 * sent by a job of its own so one slow receiver never holds back another. The row ids derive from
 * the event job's id, so a repeated event job makes no second delivery.
 */
const onEvent =
  (settings: SanitizedWebhooksOptions) =>
  async ({ event, data, emittedAt, payload, jobId }: EventContext<WebhookEvent>): Promise<void> => {
    // System job (the event's delivery): reads and writes only this plugin's collection.
    for (const [target, url] of settings.urls.entries()) {
      const deliveryId = `${jobId}-${target}`
      const existing = await payload.find({ collection: DELIVERIES as never, where: { deliveryId: { equals: deliveryId } }, limit: 1, depth: 0 })
      if (existing.docs.length === 0) {
        await payload.create({ collection: DELIVERIES as never, data: { deliveryId, event, target, receiver: url.origin, status: 'pending', attempts: 0, payload: { data, emittedAt } } as never })
      }
      await getJobQueue(payload).enqueue(DELIVER, { deliveryId }, { dedupeKey: deliveryId })
    }
  }

/** `shrutik webhooks ping`: a signed test POST to every receiver, now, with the outcome of each. */
const pingCommand = (settings: SanitizedWebhooksOptions): PluginCommand => ({
  name: 'ping',
  help: `
  Send a signed test event ("ping") to every configured receiver and print how each answered;
  exit 1 if any did not accept it.`,
  async run(args) {
    if (args.length > 0) throw new CommandError('webhooks ping takes no arguments.')
    if (settings.urls.length === 0) throw new CommandError('No webhook receivers are configured (WEBHOOK_URLS).', 78)
    let failed = 0
    for (const url of settings.urls) {
      const deliveryId = randomUUID()
      const body = JSON.stringify({ id: deliveryId, event: 'ping', data: {}, emittedAt: Date.now() })
      const result = await deliver({ url, deliveryId, event: 'ping', body, secret: settings.secret, allowPrivateAddresses: settings.allowPrivateAddresses, timeoutMs: settings.timeoutMs })
      if (result.outcome !== 'delivered') failed++
      console.log(`${url.origin}: ${result.outcome}${'status' in result && result.status ? ` (${result.status})` : ''}${'error' in result ? ` — ${result.error}` : ''}`)
    }
    return failed > 0 ? 1 : 0
  },
})

/**
 * `webhooksPlugin(options)`: signed HTTPS POSTs to other systems when something happens here
 * (by default when a segment is decided), each delivery retried with backoff and recorded in the
 * `webhook-deliveries` collection; `shrutik webhooks ping` to test the receivers. Built only
 * on `@shrutik/plugin-sdk`.
 */
export const webhooksPlugin =
  (options: WebhooksOptions) =>
  (config: Config): Config => {
    const settings = sanitizeOptions(options)
    const withCollection: Config = { ...config, collections: [...(config.collections ?? []), deliveriesCollection] }
    const withMigrations = registerMigrations(withCollection, {
      plugin: 'webhooks',
      migrations,
      owns: { collections: [DELIVERIES] },
      directory: folderOf(import.meta.url, 'migrations'),
    })
    const withCommands = registerCommands(withMigrations, 'webhooks', [pingCommand(settings)])
    if (!settings.enabled || settings.urls.length === 0) return withCommands
    const listening = settings.events.reduce<Config>(
      (current, event) => listen(current, { plugin: 'webhooks', event, handler: onEvent(settings) as (context: EventContext<typeof event>) => Promise<void> }),
      withCommands,
    )
    return registerJobs(listening, [deliverJob(settings)])
  }

/** For tests and system code (not for a user's request: no access check): the deliveries of one event kind, newest first. */
export const recentDeliveries = async (payload: Payload, event?: WebhookEvent) =>
  (await payload.find({ collection: DELIVERIES as never, where: event ? { event: { equals: event } } : {}, sort: '-createdAt', limit: 100, depth: 0 })).docs as unknown as Delivery[]
