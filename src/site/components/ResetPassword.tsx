'use client'

import { useMemo, useState, type FormEvent } from 'react'

import { translator, type Locale } from '../i18n'

/** The page the reset email links to: a new password for the token in the link. */
export const ResetPassword = ({ locale, token }: { locale: Locale; token: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const password = String(new FormData(event.currentTarget).get('password'))
    const response = await fetch('/api/users/reset-password', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'include',
      body: JSON.stringify({ token, password }),
    })
    const body = (await response.json().catch(() => ({}))) as { errors?: { message: string; data?: { errors?: { message: string }[] } }[] }
    setMessage(response.ok ? { text: t('profile.resetDone') } : { text: body.errors?.[0]?.data?.errors?.[0]?.message ?? body.errors?.[0]?.message ?? t('error.generic'), error: true })
  }
  return (
    <form className="card" onSubmit={submit}>
      <div className="field">
        <label htmlFor="new-password">{t('profile.newPassword')}</label>
        <input id="new-password" name="password" type="password" autoComplete="new-password" minLength={8} required />
      </div>
      <button type="submit" className="button">
        {t('profile.reset')}
      </button>
      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
        {message?.text}
      </p>
    </form>
  )
}
