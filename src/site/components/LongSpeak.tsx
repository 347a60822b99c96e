'use client'

import { useEffect, useMemo, useRef, useState } from 'react'

import { translator, type Locale } from '../i18n'
import { checkTake, LONG_LIMITS } from '../recorder/takeChecks'
import { createUploader, type UploadState } from '../recorder/uploader'
import { useRecorder, type Take } from '../recorder/useRecorder'
import { TERMS_VERSION } from '../terms'
import { ConsentCard, hasConsent, LanguagePicker, LevelMeter, pickLanguage, RecordButton, StableLabel, type ContributionLanguage } from './contribution'


/**
 * Long-script mode: a passage of about 2, 5 or 10 minutes read in one go, with pause and resume;
 * the server cuts it into segments at the pauses. Uploads go through the same queue as prompts.
 */
export const LongSpeak = ({ locale, languages, initialLanguage }: { locale: Locale; languages: ContributionLanguage[]; initialLanguage?: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [languageCode, setLanguageCode] = useState(pickLanguage(languages, initialLanguage))
  const language = languages.find((candidate) => candidate.code === languageCode)
  const [consented, setConsented] = useState<boolean | undefined>()
  const [passage, setPassage] = useState<string | undefined>()
  const [take, setTake] = useState<Take | undefined>()
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  const [upload, setUpload] = useState<UploadState>({ pending: 0, uploading: false, offline: false, uploaded: 0, refused: [] })
  const uploader = useRef<ReturnType<typeof createUploader> | undefined>(undefined)
  const mic = useRecorder()

  useEffect(() => {
    setConsented(hasConsent())
    uploader.current = createUploader(setUpload)
    void uploader.current.drain()
    return () => uploader.current?.stop()
  }, [])

  const choose = async (minutes: number) => {
    if (!language) return
    setTake(undefined)
    const response = await fetch(`/api/site/passage?language=${encodeURIComponent(language.code)}&minutes=${minutes}`, { credentials: 'include' })
    const body = (await response.json().catch(() => ({}))) as { text?: string; errors?: { message: string }[] }
    if (!response.ok || !body.text) return setMessage({ text: body.errors?.[0]?.message ?? t('speak.none'), error: !response.ok })
    setPassage(body.text)
  }

  const startOrStop = async () => {
    if (mic.recording) {
      const finished = await mic.stop()
      if (!finished) return
      const problem = checkTake(finished, LONG_LIMITS)
      if (problem === 'silent') return setMessage({ text: t('speak.silent'), error: true })
      if (problem === 'clipped') return setMessage({ text: t('speak.clipped'), error: true })
      if (problem === 'tooShort') return setMessage({ text: t('speak.tooShort', { seconds: LONG_LIMITS.minMs / 1000 }), error: true })
      if (problem === 'tooLong') return setMessage({ text: t('speak.tooLong', { seconds: LONG_LIMITS.maxMs / 1000 }), error: true })
      setTake(finished)
      setMessage({ text: t('speak.recorded') })
      return
    }
    setMessage({ text: t('speak.recording') })
    if (!(await mic.start())) setMessage({ text: t(mic.problem === 'missing' ? 'speak.micMissing' : 'speak.micDenied'), error: true })
  }

  const send = async () => {
    if (!take || !language || !passage) return
    await uploader.current?.add({
      id: crypto.randomUUID(),
      blob: take.blob,
      fileName: take.mimeType.includes('mp4') ? 'passage.m4a' : 'passage.webm',
      languageId: language.id,
      mode: 'long',
      scriptText: passage,
      consentVersion: TERMS_VERSION,
      createdAt: Date.now(),
      attempts: 0,
    })
    setTake(undefined)
    setPassage(undefined)
    setMessage({ text: t('speak.uploaded', { count: 1 }) })
  }

  if (consented === undefined) return <p>{t('speak.loading')}</p>
  if (!consented) return <ConsentCard locale={locale} t={t} onAccepted={() => setConsented(true)} />
  return (
    <section>
      <LanguagePicker t={t} languages={languages} value={languageCode} onChange={setLanguageCode} disabled={mic.recording} />
      <fieldset className="card" disabled={mic.recording}>
        <legend>{t('long.choose')}</legend>
        <div className="actions">
          {[2, 5, 10].map((minutes) => (
            <button key={minutes} type="button" className="button button--quiet" onClick={() => void choose(minutes)} data-testid={`minutes-${minutes}`}>
              {t('long.minutes', { count: minutes })}
            </button>
          ))}
        </div>
      </fieldset>
      {passage ? (
        <div className="card">
          <p className="sentence" lang={language?.code} style={{ maxBlockSize: '50vh', overflowY: 'auto' }} data-testid="passage">
            {passage}
          </p>
          <LevelMeter t={t} level={mic.level} />
          <div className="actions">
            <RecordButton t={t} recording={mic.recording} hasTake={Boolean(take)} onClick={() => void startOrStop()} />
            {/* Always there (disabled until recording), so starting never moves the row. */}
            <button type="button" className="button button--quiet" onClick={mic.paused ? mic.resume : mic.pause} disabled={!mic.recording} data-testid="pause" aria-pressed={mic.paused}>
              <StableLabel labels={[t('long.pause'), t('long.resume')]} current={mic.paused ? t('long.resume') : t('long.pause')} />
            </button>
            {take ? <audio controls src={take.url} /> : null}
            <button type="button" className="button" disabled={!take || mic.recording} onClick={() => void send()} data-testid="finish">
              {t('long.finish')}
            </button>
          </div>
        </div>
      ) : null}
      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'} data-testid="status">
        {message?.text}
      </p>
      <p aria-live="polite" className="status" data-testid="upload-status" data-pending={upload.pending} data-uploaded={upload.uploaded}>
        {upload.pending > 0 ? `${t('speak.pending', { count: upload.pending })}${upload.offline ? ` — ${t('speak.retrying')}` : ''}` : ''}
      </p>
    </section>
  )
}
