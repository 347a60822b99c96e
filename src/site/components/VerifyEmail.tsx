'use client'

import { useMemo, useState } from 'react'

import { translator, type Locale } from '../i18n'
import { postJson } from './contribution'

/**
 * Where the verification email leads. Confirming takes a click, so a mail scanner that opens every
 * link does not confirm an address on its own.
 */
export const VerifyEmail = ({ locale, token }: { locale: Locale; token: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  const confirm = async () => {
    const response = await postJson('/api/email/verify', { token })
    const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
    setMessage(response.ok ? { text: t('profile.verifyDone') } : { text: body.errors?.[0]?.message ?? t('error.generic'), error: true })
  }
  return (
    <div className="card">
      {!message && (
        <button type="button" className="button" onClick={() => void confirm()}>
          {t('profile.verifyButton')}
        </button>
      )}
      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
        {message?.text}
      </p>
      {message && !message.error && <a href={`/${locale}/profile`}>{t('profile.title')}</a>}
    </div>
  )
}
