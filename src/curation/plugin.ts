import { getJobQueue, registerJobs } from '@shrutik/plugin-sdk'
import type { Config } from 'payload'

import { appendHooks, extendCollection } from '../lib/extendConfig'
import { curationEndpoints } from './endpoints'
import { IMPORT_JOB } from './jobNames'
import { importSentencesJob } from './jobs'

/**
 * Sentence curation, installed like a plugin: bulk imports run as jobs (each new sentence import
 * queues one), and the review, report and coverage endpoints under `/api/curation/`.
 */
export const curationModule =
  () =>
  (incoming: Config): Config => {
    const config = extendCollection(
      incoming,
      'sentence-imports',
      (imports) =>
        appendHooks(imports, {
          afterChange: [
            async ({ doc, operation, req }) => {
              // The import runs as a job, visible to workers once this document is committed.
              if (operation === 'create' && !req.context?.runInProcess) {
                await getJobQueue().enqueue(IMPORT_JOB, { importId: Number(doc.id) }, { req, dedupeKey: `import-${doc.id}` })
              }
              return doc
            },
          ],
        }),
      'The curation module (src/curation/plugin.ts)',
    )
    return registerJobs({ ...config, endpoints: [...(config.endpoints ?? []), ...curationEndpoints] }, [importSentencesJob])
  }
