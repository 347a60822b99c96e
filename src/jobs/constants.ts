/** Names shared by the runtime, the queue and the admin endpoints (the SDK's import-free module: safe for the Next bundle). */
export { DEDUPE_TABLE, JOBS_CHANNEL, JOBS_TABLE, META_KEY } from '@shrutik/plugin-sdk/runtime/constants'
