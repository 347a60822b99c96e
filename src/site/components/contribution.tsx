'use client'

import { useState } from 'react'

import type { Translate } from '../i18n'
import { CONSENT_COOKIE, TERMS_VERSION } from '../terms'

/** What every contribution page (speak, long reading, listen, transcribe) shares. */

export interface ContributionLanguage {
  id: number
  code: string
  nativeName: string
}

export const postJson = (path: string, body: unknown) =>
  fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'include' })

/** The server's refusal message, if it sent one. */
export const errorMessageOf = async (response: Response): Promise<string | undefined> =>
  ((await response.json().catch(() => ({}))) as { errors?: { message: string }[] }).errors?.[0]?.message

/**
 * A button label that changes with state (Record / Stop / Record again) without changing the
 * button's width: every label takes the same grid cell, only the current one is visible (and
 * named for assistive technology), so the controls beside it never move.
 */
export const StableLabel = ({ labels, current }: { labels: string[]; current: string }) => (
  <span className="stable-label">
    {labels.map((label) => (
      <span key={label} data-current={label === current}>
        {label}
      </span>
    ))}
  </span>
)

/** The microphone level, for sight and for assistive technology. */
export const LevelMeter = ({ t, level }: { t: Translate; level: number }) => (
  <div className="meter" role="meter" aria-label={t('speak.level')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)}>
    <div className="meter__bar" style={{ inlineSize: `${Math.round(level * 100)}%` }} />
  </div>
)

/** Record / Stop / Record again: one button, one width. */
export const RecordButton = ({ t, recording, hasTake, onClick }: { t: Translate; recording: boolean; hasTake: boolean; onClick: () => void }) => (
  <button type="button" className={recording ? 'button button--danger' : 'button'} onClick={onClick} data-testid="record">
    <StableLabel labels={[t('speak.record'), t('speak.stop'), t('speak.rerecord')]} current={recording ? t('speak.stop') : hasTake ? t('speak.rerecord') : t('speak.record')} />
  </button>
)

/** The current terms were accepted in this browser (a cookie the consent endpoint sets). */
export const hasConsent = (): boolean => document.cookie.split(';').some((part) => part.trim() === `${CONSENT_COOKIE}=${TERMS_VERSION}`)

/** The terms, before the first contribution; `onAccepted` once the server recorded the consent. */
export const ConsentCard = ({ locale, t, onAccepted }: { locale: string; t: Translate; onAccepted: () => void }) => {
  const [failed, setFailed] = useState(false)
  const accept = async () => {
    const response = await postJson('/api/site/consent', { termsVersion: TERMS_VERSION })
    if (response.ok) onAccepted()
    else setFailed(true)
  }
  return (
    <section className="card" aria-labelledby="consent-title">
      <h2 id="consent-title">{t('speak.consentTitle')}</h2>
      <p>
        {t('speak.consentText')} <a href={`/${locale}/about/terms`}>{t('nav.terms')}</a>
      </p>
      <button type="button" className="button" onClick={() => void accept()} data-testid="consent">
        {t('speak.consentAccept')}
      </button>
      {failed ? <p className="status status--error">{t('error.generic')}</p> : null}
    </section>
  )
}

/** The language a contributor reads or judges (separate from the site's language). */
export const LanguagePicker = ({
  t,
  languages,
  value,
  onChange,
  disabled,
}: {
  t: Translate
  languages: ContributionLanguage[]
  value: string | undefined
  onChange: (code: string) => void
  disabled?: boolean
}) => (
  <div className="field">
    <label htmlFor="contribution-language">{t('speak.contributeIn')}</label>
    <select id="contribution-language" value={value} onChange={(event) => onChange(event.target.value)} disabled={disabled}>
      {languages.map((option) => (
        <option key={option.code} value={option.code} lang={option.code}>
          {option.nativeName}
        </option>
      ))}
    </select>
  </div>
)

/** The language asked for in the URL when it is open, else the first one. */
export const pickLanguage = (languages: ContributionLanguage[], wanted?: string): string | undefined =>
  wanted && languages.some((language) => language.code === wanted) ? wanted : languages[0]?.code
