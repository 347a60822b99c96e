'use client'

import { Button, toast, useDocumentInfo } from '@payloadcms/ui'
import { useCallback, useEffect, useState } from 'react'

interface ExportState {
  status?: string
  phase?: string | null
  clipsDone?: number | null
  clipsTotal?: number | null
  error?: string | null
  archiveFile?: string | null
  archiveBytes?: number | null
  sha256?: string | null
}

const ACTIVE = new Set(['queued', 'running'])

/** Sidebar panel of an export: progress bar (clips done / total, phase), Cancel while it runs, Download when done. */
export const ExportProgress = () => {
  const { id } = useDocumentInfo()
  const [state, setState] = useState<ExportState | undefined>()
  const load = useCallback(async () => {
    if (!id) return
    const response = await fetch(`/api/dataset-exports/${id}?depth=0`, { credentials: 'include' })
    if (response.ok) setState((await response.json()) as ExportState)
  }, [id])
  useEffect(() => {
    void load()
    const timer = setInterval(() => {
      if (!state || ACTIVE.has(state.status ?? '')) void load()
    }, 1500)
    return () => clearInterval(timer)
  }, [load, state])
  if (!id) return <p>Save to start the export.</p>
  if (!state) return null
  const total = state.clipsTotal ?? 0
  const done = state.clipsDone ?? 0
  const percent = total > 0 ? Math.min(100, Math.round((100 * done) / total)) : 0
  const cancel = async () => {
    const response = await fetch(`/api/export/exports/${id}/cancel`, { method: 'POST', credentials: 'include' })
    if (response.ok) toast.success('Export cancelled.')
    else toast.error(((await response.json()) as { errors?: { message: string }[] }).errors?.[0]?.message ?? 'Could not cancel.')
    void load()
  }
  return (
    <div style={{ marginBottom: 24 }}>
      <p>
        <strong>{state.status}</strong>
        {state.phase ? ` — ${state.phase}` : ''}
      </p>
      <div role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} style={{ height: 10, background: 'var(--theme-elevation-100)', borderRadius: 5, overflow: 'hidden' }}>
        <div style={{ width: `${state.status === 'done' ? 100 : percent}%`, height: '100%', background: 'var(--theme-success-500)' }} />
      </div>
      <p>
        {done} / {total} clips
      </p>
      {state.error ? <p style={{ color: 'var(--theme-error-500)' }}>{state.error}</p> : null}
      {ACTIVE.has(state.status ?? '') ? (
        <Button buttonStyle="secondary" size="small" onClick={cancel}>
          Cancel export
        </Button>
      ) : null}
      {state.status === 'done' && state.archiveFile ? (
        <p>
          <a href={`/api/export/exports/${id}/download`} download>
            Download {state.archiveFile}
          </a>
          {state.archiveBytes ? ` (${(state.archiveBytes / 1e6).toFixed(1)} MB)` : ''}
        </p>
      ) : null}
    </div>
  )
}
