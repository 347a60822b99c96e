/** Job names of sentence curation (`curation.<verb-noun>`), in a module of their own so collections can enqueue without importing the handlers. */
export const IMPORT_JOB = 'curation.import-sentences' as const

declare module '@shrutik/plugin-sdk' {
  interface JobDataMap {
    'curation.import-sentences': { importId: number }
  }
}
