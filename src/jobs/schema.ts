export { DEDUPE_TABLE, ensureJobSchema, JOBS_CHANNEL, JOBS_TABLE } from '@shrutik/plugin-sdk/runtime'
