'use client'

import { useDocumentInfo } from '@payloadcms/ui'
import { useEffect, useState } from 'react'

import { useRecordingAudio } from './AudioPanel'

interface Segment {
  id: number
  index: number
  startMs: number
  endMs: number
  durationMs: number
  file: string
  expectedText?: string | null
}

const clock = (ms: number) => {
  const total = ms / 1000
  return `${Math.floor(total / 60)}:${(total % 60).toFixed(1).padStart(4, '0')}`
}

/** The recording's segments, each with its own player (long recordings are cut at pauses). */
export const SegmentsList = () => {
  const { id } = useDocumentInfo()
  const { audio } = useRecordingAudio(id)
  const [segments, setSegments] = useState<Segment[] | undefined>()
  const processedAt = audio?.processedAt
  useEffect(() => {
    if (id === undefined) return
    let cancelled = false
    void (async () => {
      const response = await fetch(`/api/segments?where[recording][equals]=${id}&sort=index&limit=100&depth=0`, { credentials: 'include' })
      if (!response.ok || cancelled) return
      setSegments(((await response.json()) as { docs: Segment[] }).docs)
    })()
    return () => {
      cancelled = true
    }
  }, [id, processedAt])
  if (id === undefined) return null
  return (
    <section className="segments-list" aria-label="Segments" style={{ marginBottom: 'calc(var(--base) * 2)' }}>
      <h3 style={{ marginBottom: 'calc(var(--base) / 2)' }}>Segments{segments ? ` (${segments.length})` : ''}</h3>
      {!segments ? (
        <p>Loading…</p>
      ) : segments.length === 0 ? (
        <p>No segments yet: they appear once the recording is processed and accepted.</p>
      ) : (
        <table style={{ width: '100%', borderCollapse: 'collapse' }}>
          <thead>
            <tr style={{ textAlign: 'left' }}>
              <th scope="col">#</th>
              <th scope="col">From – to</th>
              <th scope="col">Listen</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((segment) => (
              <tr key={segment.id} data-segment={segment.index} style={{ borderTop: '1px solid var(--theme-elevation-100)' }}>
                <td>{segment.index + 1}</td>
                <td>
                  {clock(segment.startMs)} – {clock(segment.endMs)} ({(segment.durationMs / 1000).toFixed(1)} s)
                  {segment.expectedText ? <div style={{ color: 'var(--theme-elevation-600)' }}>{segment.expectedText}</div> : null}
                </td>
                <td>
                  <audio controls preload="none" src={`/api/audio-processing/files/${segment.file}`} aria-label={`Segment ${segment.index + 1}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
