'use client'

import { Button, toast, useAuth, useDocumentInfo } from '@payloadcms/ui'
import { hasRole } from '@shrutik/plugin-sdk/admin'
import { useCallback, useEffect, useState } from 'react'

interface Check {
  code: string
  severity: 'error' | 'warning'
  message: string
}

interface AudioState {
  status?: string
  failureReason?: string | null
  durationMs?: number | null
  sampleRate?: number | null
  channels?: number | null
  codec?: string | null
  container?: string | null
  loudnessLufs?: number | null
  checks?: Check[] | null
  files?: { archive?: string | null; playback?: string | null; waveform?: string | null }
  processedAt?: string | null
}

const FILES = '/api/audio-processing/files/'
const STATUS_COLOURS: Record<string, string> = {
  ready: 'var(--theme-success-500)',
  rejected: 'var(--theme-error-500)',
  failed: 'var(--theme-error-500)',
  processing: 'var(--theme-warning-500)',
  pending: 'var(--theme-elevation-500)',
}

/** What a finished run changes: its status, its time, or the reason it was refused. */
const resultKey = (audio: AudioState | undefined) => `${audio?.status}|${audio?.processedAt}|${audio?.failureReason}`

const seconds = (ms?: number | null) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '—')

/** Reads the recording's processing state; polls while it is still pending or processing, or while `watch` says so. */
export const useRecordingAudio = (id: number | string | undefined, watch?: (audio: AudioState | undefined) => boolean) => {
  const [audio, setAudio] = useState<AudioState | undefined>()
  const load = useCallback(async () => {
    if (id === undefined) return
    const response = await fetch(`/api/recordings/${id}?depth=0`, { credentials: 'include' })
    if (response.ok) setAudio(((await response.json()) as { audio?: AudioState }).audio)
  }, [id])
  useEffect(() => {
    void load()
  }, [load])
  const busy = Boolean(watch?.(audio)) || !audio?.status || audio.status === 'pending' || audio.status === 'processing'
  useEffect(() => {
    if (!busy || id === undefined) return
    const timer = setInterval(() => void load(), 2000)
    return () => clearInterval(timer)
  }, [busy, id, load])
  return { audio, reload: load }
}

/**
 * Sidebar of a recording: processing status, the checks in plain language, the waveform and a
 * player for the playback copy; admins can re-run processing.
 */
export const AudioPanel = () => {
  const { id } = useDocumentInfo()
  const { user } = useAuth()
  // A reprocess of a ready recording keeps it `ready` until the new result (or a refusal) is
  // written: watch for that change after queueing one, so the admin sees it without a reload.
  // (For two minutes at most: a run refused again for the same reason changes nothing visible.)
  const [queued, setQueued] = useState<{ from: string; at: number } | undefined>()
  const { audio, reload } = useRecordingAudio(id, (current) => queued !== undefined && queued.from === resultKey(current) && Date.now() - queued.at < 120_000)
  if (id === undefined) return null
  const isAdmin = hasRole(user, 'admin')
  // A reprocess refused because it would delete judged segments says how many judgments would go.
  const judgmentsAtStake = Number(/with (\d+) judgments? \(votes, transcriptions\)/.exec(audio?.failureReason ?? '')?.[1] ?? NaN)
  const reprocess = async (confirmDeleteJudgments?: number) => {
    if (confirmDeleteJudgments !== undefined) {
      const sure = window.confirm(
        `Processing again will delete ${confirmDeleteJudgments} judgment${confirmDeleteJudgments === 1 ? '' : 's'} (votes and transcriptions) on segments whose spans changed. This cannot be undone. Continue?`,
      )
      if (!sure) return
    }
    const response = await fetch(`/api/audio-processing/recordings/${id}/reprocess`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(confirmDeleteJudgments === undefined ? {} : { confirmDeleteJudgments }),
    })
    const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
    if (!response.ok) return toast.error(body.errors?.[0]?.message ?? 'Could not queue the recording again.')
    toast.success('Processing queued again.')
    setQueued({ from: resultKey(audio), at: Date.now() })
    await reload()
  }
  const status = audio?.status ?? 'pending'
  const checks = audio?.checks ?? []
  return (
    <section className="audio-panel" aria-label="Audio processing" style={{ marginBottom: 'var(--base)' }}>
      <h4 style={{ margin: '0 0 calc(var(--base) / 2)' }}>Audio</h4>
      <p style={{ margin: 0 }}>
        <strong data-audio-status={status} style={{ color: STATUS_COLOURS[status] ?? 'inherit', textTransform: 'capitalize' }}>
          {status}
        </strong>
        {audio?.durationMs ? ` · ${seconds(audio.durationMs)}` : ''}
        {audio?.codec ? ` · ${audio.codec}, ${audio.sampleRate ?? '?'} Hz, ${audio.channels === 1 ? 'mono' : `${audio.channels ?? '?'} ch`}` : ''}
        {typeof audio?.loudnessLufs === 'number' ? ` · ${audio.loudnessLufs.toFixed(1)} LUFS` : ''}
      </p>
      {audio?.failureReason ? (
        <p role="alert" style={{ color: 'var(--theme-error-500)', margin: 'calc(var(--base) / 2) 0 0' }}>
          {audio.failureReason}
        </p>
      ) : null}
      {audio?.files?.waveform ? (
        <img
          src={`${FILES}${audio.files.waveform}`}
          alt="Waveform of the recording"
          width={600}
          height={96}
          style={{ width: '100%', height: 'auto', marginTop: 'calc(var(--base) / 2)', background: 'var(--theme-elevation-50)', borderRadius: 4 }}
        />
      ) : null}
      {audio?.files?.playback ? <audio controls preload="none" src={`${FILES}${audio.files.playback}`} style={{ width: '100%', marginTop: 'calc(var(--base) / 2)' }} /> : null}
      {checks.length ? (
        <ul className="audio-panel__checks" style={{ listStyle: 'none', padding: 0, margin: 'calc(var(--base) / 2) 0 0' }}>
          {checks.map((check) => (
            <li key={check.code} data-check={check.code} style={{ marginBottom: 4 }}>
              <span aria-hidden style={{ color: check.severity === 'error' ? 'var(--theme-error-500)' : 'var(--theme-warning-500)' }}>
                {check.severity === 'error' ? '✕ ' : '! '}
              </span>
              {check.message}
            </li>
          ))}
        </ul>
      ) : status === 'ready' ? (
        <p style={{ margin: 'calc(var(--base) / 2) 0 0' }}>All quality checks passed.</p>
      ) : null}
      {isAdmin ? (
        <Button buttonStyle="secondary" size="small" onClick={() => reprocess()}>
          Process again
        </Button>
      ) : null}
      {isAdmin && Number.isInteger(judgmentsAtStake) ? (
        <Button buttonStyle="error" size="small" onClick={() => reprocess(judgmentsAtStake)}>
          {`Process again and delete ${judgmentsAtStake} judgment${judgmentsAtStake === 1 ? '' : 's'}`}
        </Button>
      ) : null}
    </section>
  )
}
