import { spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'

import { PermanentJobError, type JobDefinition } from '@shrutik/plugin-sdk'

import { projectRoot } from '../lib/env'
import type { ImportCounts, ImportProgress } from './import'
import { IMPORT_JOB } from './jobNames'

/** The import's own process keeps a small heap: the worker's memory does not grow with the file. */
const IMPORT_PROCESS_HEAP_MB = Number(process.env.IMPORT_PROCESS_HEAP_MB ?? 96)

/**
 * Imports one uploaded or pasted file (src/curation/import.ts) in a child process
 * (src/curation/importProcess.ts), killed if the job is aborted. A re-run after a crash starts the
 * file over; nothing reaches the corpus before the import's final transaction.
 */
export const importSentencesJob: JobDefinition<typeof IMPORT_JOB> = {
  name: IMPORT_JOB,
  validate: (data) => (Number.isInteger((data as { importId?: unknown }).importId) ? undefined : 'importId must be an integer'),
  concurrency: 1,
  retries: 2,
  // A million lines take minutes; the runtime heartbeats while the handler works.
  timeoutMs: 2 * 60 * 60 * 1000,
  async handler({ data, touch, signal, log }) {
    // System job: the import was authorised when it was created.
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${IMPORT_PROCESS_HEAP_MB}`, '--conditions=source', '--import', 'tsx', path.join(projectRoot(), 'src', 'curation', 'importProcess.ts'), String(data.importId)],
      { cwd: projectRoot(), env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
    let counts: ImportCounts | undefined
    let inputError: string | undefined
    let failure: string | undefined
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { progress?: ImportProgress; counts?: ImportCounts; inputError?: string; error?: string }
      if (message.progress) {
        const { bytesRead, totalBytes } = message.progress
        void touch(totalBytes ? Math.floor((bytesRead / totalBytes) * 100) : undefined).catch(() => undefined)
      }
      if (message.counts) counts = message.counts
      if (message.inputError) inputError = message.inputError
      if (message.error) failure = message.error
    })
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', resolve)
    })
    if (inputError) throw new PermanentJobError(inputError)
    if (code !== 0 || !counts) throw new Error(`the import process failed (exit ${code}): ${failure ?? stderr.trim().split('\n').slice(-5).join(' ')}`)
    log('sentence import finished', { importId: data.importId, ...counts })
  },
}
