import { listPending, removePending, savePending, type PendingTake } from './pendingStore'

export type UploadState = { pending: number; uploading: boolean; offline: boolean; uploaded: number; refused: PendingTake[] }

const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000]

/**
 * Sends every pending take, oldest first, and keeps trying with backoff while the network is
 * down; a take leaves IndexedDB only when the server has stored it (201). A 4xx other than a rate
 * limit is a refusal: kept with its message, not retried.
 */
export const createUploader = (onChange: (state: UploadState) => void) => {
  let uploading = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let uploaded = 0
  let offline = false

  const report = async () => {
    const all = await listPending()
    onChange({ pending: all.filter((take) => !take.error).length, uploading, offline, uploaded, refused: all.filter((take) => take.error) })
  }

  const send = async (take: PendingTake): Promise<'done' | 'retry' | 'refused'> => {
    const form = new FormData()
    form.append('file', take.blob, take.fileName)
    form.append(
      '_payload',
      JSON.stringify({
        language: take.languageId,
        mode: take.mode,
        sentence: take.sentenceId,
        scriptText: take.scriptText,
        consentVersion: take.consentVersion,
        uploadId: take.id,
      }),
    )
    let response: Response
    try {
      response = await fetch('/api/recordings?depth=0', { method: 'POST', body: form, credentials: 'include' })
    } catch {
      return 'retry'
    }
    // 409: an earlier attempt of this very take got through (its answer was lost).
    if (response.status === 201 || response.status === 409) return 'done'
    if (response.status === 429 || response.status >= 500 || response.status === 408) return 'retry'
    const body = (await response.json().catch(() => ({}))) as { errors?: { message?: string }[] }
    await savePending({ ...take, error: body.errors?.[0]?.message ?? `HTTP ${response.status}` })
    return 'refused'
  }

  const drain = async () => {
    if (uploading) return
    clearTimeout(timer)
    uploading = true
    await report()
    try {
      for (const take of await listPending()) {
        if (take.error) continue
        const outcome = await send(take)
        if (outcome === 'retry') {
          offline = true
          await savePending({ ...take, attempts: take.attempts + 1 })
          const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]
          failures++
          timer = setTimeout(() => void drain(), delay)
          return
        }
        failures = 0
        offline = false
        if (outcome === 'done') {
          uploaded++
          await removePending(take.id)
        }
        await report()
      }
    } finally {
      uploading = false
      await report()
    }
  }

  const online = () => void drain()
  window.addEventListener('online', online)
  return {
    add: async (take: PendingTake) => {
      await savePending(take)
      await drain()
    },
    drain,
    dismiss: async (id: string) => {
      await removePending(id)
      await report()
    },
    stop: () => {
      clearTimeout(timer)
      window.removeEventListener('online', online)
    },
  }
}
