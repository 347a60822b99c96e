'use client'

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

import { translator, type Locale, type MessageKey } from '../i18n'
import { ConsentCard, errorMessageOf, hasConsent, LanguagePicker, pickLanguage, postJson, type ContributionLanguage } from './contribution'
import { ProgressRing } from './ProgressRing'

interface Clip {
  id: number
  audioUrl: string
  expectedText: string | null
  durationMs: number
}

const REASONS = ['does-not-match', 'noisy', 'wrong-language', 'offensive', 'other'] as const
const SPEEDS = [0.75, 1, 1.25, 1.5]

/**
 * Listen (validate a clip against its sentence) or transcribe (write what a segment says), served
 * by the consensus plugin: never your own recordings, never twice, decided items no more.
 * Keyboard first; "valid" unlocks only once the clip has played to its end.
 */
export const Judge = ({ locale, languages, initialLanguage, task }: { locale: Locale; languages: ContributionLanguage[]; initialLanguage?: string; task: 'listen' | 'transcribe' }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [languageCode, setLanguageCode] = useState(pickLanguage(languages, initialLanguage))
  const language = languages.find((candidate) => candidate.code === languageCode)
  const [consented, setConsented] = useState<boolean | undefined>()
  const [clips, setClips] = useState<Clip[] | undefined>()
  const [heardToEnd, setHeardToEnd] = useState(false)
  const [speed, setSpeed] = useState(1)
  const [asking, setAsking] = useState(false)
  const [text, setText] = useState('')
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  /** Votes sent from this page: refreshes the weekly ring. */
  const [judged, setJudged] = useState(0)
  const player = useRef<HTMLAudioElement | null>(null)
  const clip = clips?.[0]

  useEffect(() => setConsented(hasConsent()), [])

  const load = useCallback(async () => {
    if (!language) return
    setClips(undefined)
    const endpoint = task === 'listen' ? 'next-validation' : 'next-transcription'
    const response = await fetch(`/api/consensus/${endpoint}?language=${language.id}&limit=5`, { credentials: 'include' })
    if (!response.ok) return setMessage({ text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    setClips(((await response.json()) as { docs: Clip[] }).docs)
  }, [language, task, t])

  useEffect(() => {
    if (consented) void load()
  }, [consented, load])

  useEffect(() => {
    setHeardToEnd(false)
    setAsking(false)
    setText('')
  }, [clip?.id])

  useEffect(() => {
    if (player.current) player.current.playbackRate = speed
  }, [speed, clip?.id])

  const next = () => {
    const rest = clips?.slice(1) ?? []
    setClips(rest)
    if (rest.length === 0) void load()
  }

  const togglePlay = () => {
    const audio = player.current
    if (!audio) return
    if (audio.paused) void audio.play()
    else audio.pause()
  }

  const vote = async (valid: boolean, reason?: (typeof REASONS)[number]) => {
    if (!clip || (valid && !heardToEnd)) return setMessage({ text: t('listen.playFirst'), error: true })
    const response = await postJson('/api/votes', { segment: clip.id, valid, ...(reason ? { reason } : {}) })
    if (!response.ok) return setMessage({ text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    setMessage({ text: t('listen.thanks') })
    setJudged((count) => count + 1)
    next()
  }

  const transcribe = async () => {
    if (!clip || !language || !text.trim()) return
    const response = await postJson('/api/transcriptions', { item: clip.id, language: language.id, text })
    if (!response.ok) return setMessage({ text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    setMessage({ text: t('listen.thanks') })
    next()
  }

  const skip = async (reason?: string) => {
    if (!clip) return
    await postJson('/api/consensus/skip', { segment: clip.id, ...(reason ? { reason } : {}) })
    next()
  }

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const tag = (event.target as HTMLElement).tagName
      const typing = tag === 'TEXTAREA' || tag === 'INPUT' || tag === 'SELECT'
      if (task === 'transcribe') {
        if (event.ctrlKey && event.key === ' ') {
          event.preventDefault()
          togglePlay()
        } else if (event.ctrlKey && event.key === 'Enter') {
          event.preventDefault()
          void transcribe()
        }
        return
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return
      const key = event.key.toLowerCase()
      if (key === ' ' && tag !== 'BUTTON') {
        event.preventDefault()
        togglePlay()
      } else if (key === 'y') void vote(true)
      else if (key === 'n') setAsking(true)
      else if (key === 's') void skip()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  if (consented === undefined) return null
  if (!consented) return <ConsentCard locale={locale} t={t} onAccepted={() => setConsented(true)} />
  return (
    <section>
      <LanguagePicker t={t} languages={languages} value={languageCode} onChange={setLanguageCode} />
      {task === 'listen' && <ProgressRing locale={locale} kind="validated" refreshKey={judged} />}
      {!clips ? (
        <p>{t('speak.loading')}</p>
      ) : !clip ? (
        <p>{t(task === 'listen' ? 'listen.none' : 'transcribe.none')}</p>
      ) : (
        <div className="card" data-clip={clip.id}>
          {task === 'listen' ? (
            <>
              <p>{t('listen.question')}</p>
              <p className="sentence" lang={language?.code}>
                {clip.expectedText}
              </p>
            </>
          ) : (
            <p>{t('transcribe.help')}</p>
          )}
          <audio ref={player} src={clip.audioUrl} controls preload="auto" onEnded={() => setHeardToEnd(true)} style={{ inlineSize: '100%' }} />
          <div className="actions">
            <label>
              {t('listen.speed')}{' '}
              <select value={speed} onChange={(event) => setSpeed(Number(event.target.value))}>
                {SPEEDS.map((value) => (
                  <option key={value} value={value}>
                    {value}×
                  </option>
                ))}
              </select>
            </label>
          </div>
          {task === 'listen' ? (
            <>
              <div className="actions">
                <button type="button" className="button" disabled={!heardToEnd} onClick={() => void vote(true)} data-testid="valid">
                  {t('listen.valid')}
                </button>
                <button type="button" className="button button--quiet" onClick={() => setAsking(!asking)} aria-expanded={asking}>
                  {t('listen.invalid')}
                </button>
                <button type="button" className="button button--quiet" onClick={() => void skip()}>
                  {t('speak.skip')}
                </button>
              </div>
              {asking ? (
                <fieldset className="card">
                  <legend>{t('listen.whyNot')}</legend>
                  <div className="actions">
                    {REASONS.map((reason) => (
                      <button key={reason} type="button" className="button button--quiet" onClick={() => void vote(false, reason)}>
                        {t(`listen.reason.${reason}` as MessageKey)}
                      </button>
                    ))}
                  </div>
                </fieldset>
              ) : null}
              <p className="status" style={{ color: 'var(--color-muted)' }}>
                {t('listen.shortcuts')}
              </p>
            </>
          ) : (
            <>
              <div className="field">
                <label htmlFor="transcript">{t('transcribe.text')}</label>
                <textarea id="transcript" lang={language?.code} rows={3} value={text} onChange={(event) => setText(event.target.value)} maxLength={5000} style={{ font: 'inherit', inlineSize: '100%' }} />
              </div>
              <div className="actions">
                <button type="button" className="button" disabled={!text.trim()} onClick={() => void transcribe()}>
                  {t('transcribe.send')}
                </button>
                <button type="button" className="button button--quiet" onClick={() => void skip()}>
                  {t('speak.skip')}
                </button>
              </div>
              <p className="status" style={{ color: 'var(--color-muted)' }}>
                {t('transcribe.shortcuts')}
              </p>
            </>
          )}
        </div>
      )}
      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
        {message?.text}
      </p>
    </section>
  )
}
