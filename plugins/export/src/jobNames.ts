export const BUILD_DATASET = 'export.build-dataset'
export const ENCODE_SHARD = 'export.encode-shard'
export const FINALIZE_DATASET = 'export.finalize-dataset'
export const RUN_SCHEDULES = 'export.run-schedules'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'export.build-dataset': { exportId: number }
    'export.encode-shard': { exportId: number; runId: string; shard: number }
    'export.finalize-dataset': { exportId: number; runId: string }
    'export.run-schedules': Record<string, never>
  }
}
