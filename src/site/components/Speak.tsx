'use client'

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

import { translator, type Locale, type MessageKey } from '../i18n'
import { checkTake, PROMPT_LIMITS, type TakeProblem } from '../recorder/takeChecks'
import { createUploader, type UploadState } from '../recorder/uploader'
import { useRecorder, type Take } from '../recorder/useRecorder'
import { TERMS_VERSION } from '../terms'
import { ConsentCard, hasConsent, LanguagePicker, pickLanguage, LevelMeter, postJson, RecordButton, type ContributionLanguage } from './contribution'
import { ProgressRing } from './ProgressRing'

interface Sentence {
  id: number
  text: string
}

const REPORT_REASONS = ['offensive', 'grammar-spelling', 'different-language', 'hard-to-pronounce'] as const
const PROBLEM_KEYS: Record<TakeProblem, MessageKey> = { tooShort: 'speak.tooShort', tooLong: 'speak.tooLong', silent: 'speak.silent', clipped: 'speak.clipped' }

const extensionOf = (mimeType: string) => (mimeType.includes('mp4') ? 'm4a' : mimeType.includes('ogg') ? 'ogg' : 'webm')

/**
 * Prompt mode: five sentences at a time; record each (level meter, checks in the browser), listen,
 * re-record, skip or report; submit puts the takes in IndexedDB and uploads them with retries.
 */
export const Speak = ({ locale, languages, initialLanguage }: { locale: Locale; languages: ContributionLanguage[]; initialLanguage?: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [languageCode, setLanguageCode] = useState(pickLanguage(languages, initialLanguage))
  const language = languages.find((candidate) => candidate.code === languageCode)
  const [consented, setConsented] = useState<boolean | undefined>()
  const [sentences, setSentences] = useState<Sentence[] | undefined>()
  const [current, setCurrent] = useState(0)
  const [takes, setTakes] = useState<Record<number, Take>>({})
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  const [reporting, setReporting] = useState(false)
  const [upload, setUpload] = useState<UploadState>({ pending: 0, uploading: false, offline: false, uploaded: 0, refused: [] })
  const uploader = useRef<ReturnType<typeof createUploader> | undefined>(undefined)
  const player = useRef<HTMLAudioElement | null>(null)
  const mic = useRecorder()

  useEffect(() => {
    setConsented(hasConsent())
    uploader.current = createUploader(setUpload)
    // Takes left from an earlier visit (reload, lost connection) go first.
    void uploader.current.drain()
    return () => uploader.current?.stop()
  }, [])

  const load = useCallback(async () => {
    if (!language) return
    setSentences(undefined)
    setTakes({})
    setCurrent(0)
    const response = await fetch(`/api/site/next-sentences?language=${encodeURIComponent(language.code)}&limit=5`, { credentials: 'include' })
    const body = (await response.json().catch(() => ({}))) as { sentences?: Sentence[]; errors?: { message: string }[] }
    if (!response.ok) return setMessage({ text: body.errors?.[0]?.message ?? t('error.generic'), error: true })
    setSentences(body.sentences ?? [])
  }, [language, t])

  useEffect(() => {
    if (consented) void load()
  }, [consented, load])

  const sentence = sentences?.[current]
  const take = sentence ? takes[sentence.id] : undefined
  const recordedCount = Object.keys(takes).length

  const toggleRecording = async () => {
    if (!sentence) return
    if (mic.recording) {
      const finished = await mic.stop()
      if (!finished) return
      const problem = checkTake(finished, PROMPT_LIMITS)
      if (problem) {
        URL.revokeObjectURL(finished.url)
        return setMessage({ text: t(PROBLEM_KEYS[problem], { seconds: (problem === 'tooLong' ? PROMPT_LIMITS.maxMs : PROMPT_LIMITS.minMs) / 1000 }), error: true })
      }
      setTakes((all) => ({ ...all, [sentence.id]: finished }))
      setMessage({ text: t('speak.recorded') })
      // On to the next sentence without a take, if any.
      const next = sentences?.findIndex((candidate, index) => index > current && !takes[candidate.id])
      if (next !== undefined && next >= 0) setCurrent(next)
      return
    }
    setMessage({ text: t('speak.recording') })
    if (!(await mic.start())) setMessage({ text: t(mic.problem === 'missing' ? 'speak.micMissing' : 'speak.micDenied'), error: true })
  }

  const play = () => {
    if (!take || !player.current) return
    player.current.src = take.url
    void player.current.play()
  }

  const skip = async (reason?: (typeof REPORT_REASONS)[number]) => {
    if (!sentence || !sentences) return
    setReporting(false)
    await postJson(`/api/site/sentences/${sentence.id}/skip`, { reason: reason ?? 'skip' })
    const remaining = sentences.filter((candidate) => candidate.id !== sentence.id)
    setSentences(remaining)
    setCurrent(Math.min(current, Math.max(0, remaining.length - 1)))
    if (remaining.length === 0) void load()
  }

  const submit = async () => {
    if (!language || recordedCount === 0 || mic.recording) return
    const batch = Object.entries(takes)
    for (const [sentenceId, recorded] of batch) {
      await uploader.current?.add({
        id: crypto.randomUUID(),
        blob: recorded.blob,
        fileName: `take.${extensionOf(recorded.mimeType)}`,
        languageId: language.id,
        mode: 'prompt',
        sentenceId: Number(sentenceId),
        consentVersion: TERMS_VERSION,
        createdAt: Date.now(),
        attempts: 0,
      })
      URL.revokeObjectURL(recorded.url)
    }
    setMessage({ text: t('speak.uploaded', { count: batch.length }) })
    void load()
  }

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const tag = (event.target as HTMLElement).tagName
      if (!consented || ['INPUT', 'SELECT', 'TEXTAREA'].includes(tag) || event.ctrlKey || event.metaKey || event.altKey) return
      // On a focused button, Space and Enter press that button; letters still work.
      const onButton = tag === 'BUTTON'
      const key = event.key.toLowerCase()
      if (key === 'r' || (key === ' ' && !onButton)) {
        event.preventDefault()
        void toggleRecording()
      } else if (key === 'p') play()
      else if (key === 's' && !mic.recording) void skip()
      else if (key === 'enter' && !onButton) void submit()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  if (consented === undefined) return <p>{t('speak.loading')}</p>
  if (!consented) return <ConsentCard locale={locale} t={t} onAccepted={() => setConsented(true)} />

  return (
    <section aria-label={t('speak.title')}>
      <LanguagePicker t={t} languages={languages} value={languageCode} onChange={setLanguageCode} disabled={mic.recording} />
      <ProgressRing locale={locale} kind="recorded" refreshKey={upload.uploaded} />

      {!sentences ? (
        <p>{t('speak.loading')}</p>
      ) : sentences.length === 0 ? (
        <p>{t('speak.none')}</p>
      ) : (
        <div className="card">
          <ol className="takes" aria-label={t('speak.progress', { current: current + 1, total: sentences.length })}>
            {sentences.map((candidate, index) => (
              <li key={candidate.id} data-state={takes[candidate.id] ? 'recorded' : 'empty'} aria-current={index === current ? 'step' : undefined}>
                <button type="button" className="takes__pick" onClick={() => !mic.recording && setCurrent(index)} aria-label={t('speak.progress', { current: index + 1, total: sentences.length })}>
                  {(index + 1).toLocaleString(locale === 'bn' ? 'bn' : 'en')}
                </button>
              </li>
            ))}
          </ol>
          <p className="sentence" lang={language?.code} data-testid="sentence" data-sentence-id={sentence?.id}>
            {sentence?.text}
          </p>
          <LevelMeter t={t} level={mic.level} />
          <div className="actions">
            <RecordButton t={t} recording={mic.recording} hasTake={Boolean(take)} onClick={() => void toggleRecording()} />
            <button type="button" className="button button--quiet" onClick={play} disabled={!take || mic.recording}>
              {t('speak.play')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => void skip()} disabled={mic.recording}>
              {t('speak.skip')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setReporting(!reporting)} disabled={mic.recording} aria-expanded={reporting}>
              {t('speak.report')}
            </button>
          </div>
          {reporting ? (
            <fieldset className="card">
              <legend>{t('speak.reportReason')}</legend>
              <div className="actions">
                {REPORT_REASONS.map((reason) => (
                  <button key={reason} type="button" className="button button--quiet" onClick={() => void skip(reason)}>
                    {t(`speak.reason.${reason}` as MessageKey)}
                  </button>
                ))}
              </div>
            </fieldset>
          ) : null}
          <audio ref={player} className="visually-hidden" />
          <button type="button" className="button" onClick={() => void submit()} disabled={recordedCount === 0 || mic.recording} data-testid="submit">
            {t('speak.submit', { count: recordedCount })}
          </button>
        </div>
      )}

      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'} data-testid="status">
        {message?.text}
      </p>
      <p aria-live="polite" className="status" data-testid="upload-status" data-pending={upload.pending} data-uploaded={upload.uploaded}>
        {upload.pending > 0 ? `${t('speak.pending', { count: upload.pending })}${upload.offline ? ` — ${t('speak.retrying')}` : upload.uploading ? ` — ${t('speak.uploading')}` : ''}` : ''}
      </p>
      {upload.refused.map((refused) => (
        <p key={refused.id} className="status status--error">
          {refused.error}{' '}
          <button type="button" className="button button--quiet" onClick={() => void uploader.current?.dismiss(refused.id)}>
            ✕
          </button>
        </p>
      ))}
      <p className="status" style={{ color: 'var(--color-muted)' }}>
        {t('speak.shortcuts')}
      </p>
    </section>
  )
}
