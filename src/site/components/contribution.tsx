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
