export { webhooksPlugin, recentDeliveries, DELIVERIES, DELIVER } from './plugin'
export { sanitizeOptions, WEBHOOK_EVENTS, WebhooksOptionsError, type WebhooksOptions, type WebhookEvent } from './options'
export { deliver, signatureOf, type DeliveryResult } from './deliver'
export { isPrivateAddress } from './addresses'
