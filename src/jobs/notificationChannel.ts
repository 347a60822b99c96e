export { ResilientNotificationChannel, reconnectDelayMs, type ReconnectDelayOptions, type ResilientChannelOptions } from '@shrutik/plugin-sdk/runtime'
