'use client'

import { useCallback, useEffect, useMemo, useState } from 'react'

import { translator, type Locale } from '../i18n'
import { ConsentCard, errorMessageOf, hasConsent, LanguagePicker, pickLanguage, postJson, type ContributionLanguage } from './contribution'

interface PendingSentence {
  id: number
  text: string
  approvals: number
}

/**
 * "Review sentences": one pending sentence at a time; approve, or reject with a reason. The server
 * decides with the consensus plugin's vote rule once enough people agree (src/curation/review.ts).
 */
export const ReviewSentences = ({ locale, languages, initialLanguage }: { locale: Locale; languages: ContributionLanguage[]; initialLanguage?: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [languageCode, setLanguageCode] = useState(pickLanguage(languages, initialLanguage))
  const language = languages.find((candidate) => candidate.code === languageCode)
  const [consented, setConsented] = useState<boolean | undefined>()
  const [sentences, setSentences] = useState<PendingSentence[] | undefined>()
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  const sentence = sentences?.[0]

  useEffect(() => setConsented(hasConsent()), [])

  const load = useCallback(async () => {
    if (!language) return
    setSentences(undefined)
    const response = await fetch(`/api/curation/review/next?language=${language.id}&limit=10`, { credentials: 'include' })
    if (!response.ok) {
      setSentences([])
      return setMessage({ text: response.status === 403 ? ((await errorMessageOf(response)) ?? t('review.closed')) : ((await errorMessageOf(response)) ?? t('error.generic')), error: true })
    }
    setSentences(((await response.json()) as { sentences: PendingSentence[] }).sentences)
  }, [language, t])

  useEffect(() => {
    if (consented) void load()
  }, [consented, load])

  useEffect(() => {
    setAsking(false)
    setReason('')
  }, [sentence?.id])

  const next = () => {
    const rest = sentences?.slice(1) ?? []
    setSentences(rest)
    if (rest.length === 0) void load()
  }

  const review = async (approve: boolean) => {
    if (!sentence || (!approve && !reason.trim())) return
    const response = await postJson(`/api/curation/sentences/${sentence.id}/review`, approve ? { approve } : { approve, reason })
    if (!response.ok) return setMessage({ text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    setMessage({ text: t('review.thanks') })
    next()
  }

  if (consented === undefined) return null
  if (!consented) return <ConsentCard locale={locale} t={t} onAccepted={() => setConsented(true)} />
  return (
    <section>
      <LanguagePicker t={t} languages={languages} value={languageCode} onChange={setLanguageCode} />
      {!sentences ? (
        <p>{t('speak.loading')}</p>
      ) : !sentence ? (
        <p>{t('review.none')}</p>
      ) : (
        <div className="card" data-sentence={sentence.id}>
          <p>{t('review.question')}</p>
          <p className="sentence" lang={language?.code}>
            {sentence.text}
          </p>
          <p className="status" style={{ color: 'var(--color-muted)' }}>
            {t('review.votes', { approvals: sentence.approvals })}
          </p>
          <div className="actions">
            <button type="button" className="button" onClick={() => void review(true)} data-testid="approve">
              {t('review.approve')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setAsking(!asking)} aria-expanded={asking} data-testid="reject">
              {t('review.reject')}
            </button>
            <button type="button" className="button button--quiet" onClick={next}>
              {t('review.skip')}
            </button>
          </div>
          {asking ? (
            <div className="field">
              <label htmlFor="review-reason">{t('review.reason')}</label>
              <input id="review-reason" type="text" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} style={{ font: 'inherit', inlineSize: '100%' }} />
              <div className="actions">
                <button type="button" className="button" disabled={!reason.trim()} onClick={() => void review(false)}>
                  {t('review.send')}
                </button>
              </div>
            </div>
          ) : null}
        </div>
      )}
      {message ? (
        <p role={message.error ? 'alert' : 'status'} className="status">
          {message.text}
        </p>
      ) : null}
    </section>
  )
}
