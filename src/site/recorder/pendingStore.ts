/**
 * Takes waiting for upload, kept in IndexedDB until the server confirms them, so a reload, a closed
 * tab or a dropped connection loses nothing. No dependency: a few lines over the raw API.
 */
export interface PendingTake {
  id: string
  blob: Blob
  fileName: string
  languageId: number
  mode: 'prompt' | 'long'
  sentenceId?: number
  scriptText?: string
  consentVersion: string
  createdAt: number
  attempts: number
  /** A refusal the server gave (4xx): not retried, shown to the contributor. */
  error?: string
}

const DB = 'shrutik'
const STORE = 'pending-takes'

const open = (): Promise<IDBDatabase> =>
  new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1)
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' })
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })

const run = async <T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode)
      const request = action(transaction.objectStore(STORE))
      transaction.oncomplete = () => resolve(request.result)
      transaction.onerror = () => reject(transaction.error)
      transaction.onabort = () => reject(transaction.error)
    })
  } finally {
    db.close()
  }
}

export const savePending = (take: PendingTake) => run('readwrite', (store) => store.put(take))
export const listPending = async (): Promise<PendingTake[]> => ((await run('readonly', (store) => store.getAll())) as PendingTake[]).sort((a, b) => a.createdAt - b.createdAt)
export const removePending = (id: string) => run('readwrite', (store) => store.delete(id))
