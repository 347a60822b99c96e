'use client'

import { useDocumentInfo } from '@payloadcms/ui'
import { useEffect, useState } from 'react'

interface ImportDoc {
  state?: string
  progress?: number
  lines?: number
  accepted?: number
  refused?: number
  duplicates?: number
  alreadyPresent?: number
  error?: string | null
}

/** An import's progress bar, counts and report download, refreshed every second while it runs. */
export const ImportStatus = () => {
  const { id } = useDocumentInfo()
  const [doc, setDoc] = useState<ImportDoc | undefined>()

  useEffect(() => {
    if (!id) return
    let stopped = false
    const load = async () => {
      const response = await fetch(`/api/sentence-imports/${id}?depth=0`, { credentials: 'include' })
      if (!response.ok || stopped) return
      const next = (await response.json()) as ImportDoc
      setDoc(next)
      if (next.state !== 'done' && next.state !== 'failed') setTimeout(() => void load(), 1000)
    }
    void load()
    return () => {
      stopped = true
    }
  }, [id])

  if (!id) return <p>Save to start the import; its progress and report appear here.</p>
  if (!doc) return null
  const percent = Math.max(0, Math.min(100, Number(doc.progress ?? 0)))
  return (
    <div id="import-status" style={{ marginBottom: 24 }}>
      <p>
        <strong>{doc.state}</strong>
      </p>
      <div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} style={{ height: 10, background: 'var(--theme-elevation-100)', borderRadius: 5 }}>
        <div style={{ width: `${percent}%`, height: '100%', background: 'var(--theme-success-500)', borderRadius: 5 }} />
      </div>
      {doc.state === 'failed' ? <p role="alert">{doc.error}</p> : null}
      {doc.state === 'done' ? (
        <>
          <ul>
            <li>Lines: {doc.lines}</li>
            <li>Accepted: {doc.accepted}</li>
            <li>Refused: {doc.refused}</li>
            <li>Duplicates in the file: {doc.duplicates}</li>
            <li>Already present: {doc.alreadyPresent}</li>
          </ul>
          <a className="btn btn--style-secondary btn--size-small" href={`/api/curation/imports/${id}/report`} download>
            Download the report (TSV)
          </a>
        </>
      ) : null}
    </div>
  )
}
