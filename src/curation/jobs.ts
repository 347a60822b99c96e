import { PermanentJobError, type JobDefinition } from '@shrutik/plugin-sdk'

import { ImportInputError, runImport } from './import'
import { IMPORT_JOB } from './jobNames'

/** Imports one uploaded or pasted file (src/curation/import.ts). A re-run after a crash starts the file over. */
export const importSentencesJob: JobDefinition<typeof IMPORT_JOB> = {
  name: IMPORT_JOB,
  validate: (data) => (Number.isInteger((data as { importId?: unknown }).importId) ? undefined : 'importId must be an integer'),
  concurrency: 1,
  retries: 2,
  // A million lines take minutes; the runtime heartbeats while the handler works.
  timeoutMs: 2 * 60 * 60 * 1000,
  async handler({ data, payload, touch, signal, log }) {
    try {
      // System job: the import was authorised when it was created.
      const counts = await runImport(payload, data.importId, {
        signal,
        onProgress: async ({ bytesRead, totalBytes }) => {
          await touch(totalBytes ? Math.floor((bytesRead / totalBytes) * 100) : undefined)
        },
      })
      log('sentence import finished', { importId: data.importId, ...counts })
    } catch (error) {
      if (error instanceof ImportInputError) throw new PermanentJobError(error.message)
      throw error
    }
  },
}
