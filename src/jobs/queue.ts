export { createPostgresQueue, META_KEY, type JobMeta } from '@shrutik/plugin-sdk/runtime'
