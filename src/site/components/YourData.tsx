'use client'

import { useCallback, useEffect, useState } from 'react'

import type { translator } from '../i18n'
import { postJson } from './contribution'

interface Takeout {
  id: number
  status: 'queued' | 'ready' | 'failed'
  downloadUrl: string | null
}

/**
 * Self-service on the profile, for an account or for the anonymous browser that contributed: a
 * copy of everything held about you (built by a job, then a download link), and withdrawal.
 */
export const YourData = ({ t, onWithdrawn }: { t: ReturnType<typeof translator>; onWithdrawn: () => void }) => {
  const [takeout, setTakeout] = useState<Takeout | undefined>()
  const [confirmed, setConfirmed] = useState(false)
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()

  const load = useCallback(async () => {
    const response = await fetch('/api/site/takeout', { credentials: 'include' })
    if (!response.ok) return setTakeout(undefined)
    setTakeout(((await response.json()) as { docs: Takeout[] }).docs[0])
  }, [])
  useEffect(() => {
    void load()
  }, [load])
  // While a download is being prepared, look again every few seconds.
  useEffect(() => {
    if (takeout?.status !== 'queued') return
    const timer = setInterval(() => void load(), 3000)
    return () => clearInterval(timer)
  }, [takeout?.status, load])

  const ask = async () => {
    const response = await postJson('/api/site/takeout', {})
    if (!response.ok) return setMessage({ text: t('error.generic'), error: true })
    setTakeout(((await response.json()) as { takeout: Takeout }).takeout)
  }

  const withdraw = async () => {
    const response = await postJson('/api/site/withdraw', { confirm: true })
    const body = (await response.json().catch(() => ({}))) as { recordings?: number; errors?: { message: string }[] }
    if (!response.ok) return setMessage({ text: body.errors?.[0]?.message ?? t('error.generic'), error: true })
    setMessage({ text: t('profile.withdrawn', { count: body.recordings ?? 0 }) })
    setTakeout(undefined)
    onWithdrawn()
  }

  return (
    <>
      <section className="card" aria-labelledby="your-data">
        <h2 id="your-data" style={{ marginBlockStart: 0 }}>
          {t('profile.dataTitle')}
        </h2>
        <p>{t('profile.dataHelp')}</p>
        {takeout?.status === 'ready' && takeout.downloadUrl ? (
          <a className="button" href={takeout.downloadUrl} data-testid="takeout-download">
            {t('profile.dataReady')}
          </a>
        ) : takeout?.status === 'queued' ? (
          <p role="status">{t('profile.dataPreparing')}</p>
        ) : (
          <button type="button" className="button button--quiet" onClick={() => void ask()} data-testid="takeout">
            {t('profile.dataAsk')}
          </button>
        )}
      </section>
      <section className="card" aria-labelledby="withdraw">
        <h2 id="withdraw" style={{ marginBlockStart: 0 }}>
          {t('profile.withdrawTitle')}
        </h2>
        <p>{t('profile.withdrawHelp')}</p>
        <div className="field">
          <label>
            <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} /> {t('profile.withdrawConfirm')}
          </label>
        </div>
        <button type="button" className="button button--quiet" disabled={!confirmed} onClick={() => void withdraw()} data-testid="withdraw">
          {t('profile.withdraw')}
        </button>
        <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
          {message?.text}
        </p>
      </section>
    </>
  )
}
