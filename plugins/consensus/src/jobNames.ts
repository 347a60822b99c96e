/** Job names of this plugin (`<slug>.<verb-noun>`), and their data. */
export const EVALUATE_SEGMENT = 'consensus.evaluate-segment'
export const ESTIMATE_RELIABILITY = 'consensus.estimate-reliability'

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'consensus.evaluate-segment': { segmentId: number }
    'consensus.estimate-reliability': { reason?: string }
  }
}
