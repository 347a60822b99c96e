'use client'

import { useEffect, useMemo, useState, type FormEvent } from 'react'

import { translator, type Locale } from '../i18n'
import { postJson } from './contribution'

const ROLE_KEYS = { admin: 'email.role.admin', reviewer: 'email.role.reviewer', exporter: 'email.role.exporter' } as const

/** Where an invitation leads: the invited person chooses a password and is taken to the admin. */
export const AcceptInvitation = ({ locale, token }: { locale: Locale; token: string }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [invitation, setInvitation] = useState<{ email: string; role: string } | undefined>()
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()
  useEffect(() => {
    void (async () => {
      const response = await fetch(`/api/invitations/lookup?token=${encodeURIComponent(token)}`, { credentials: 'include' })
      const body = (await response.json().catch(() => ({}))) as { email?: string; role?: string; errors?: { message: string }[] }
      if (response.ok && body.email && body.role) setInvitation({ email: body.email, role: body.role })
      else setMessage({ text: body.errors?.[0]?.message ?? t('error.generic'), error: true })
    })()
  }, [token, t])

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const response = await postJson('/api/invitations/accept', { token, password: String(form.get('password')), name: String(form.get('name') ?? '') })
    const body = (await response.json().catch(() => ({}))) as { redirect?: string; errors?: { message: string; data?: { errors?: { message: string }[] } }[] }
    if (!response.ok) return setMessage({ text: body.errors?.[0]?.data?.errors?.[0]?.message ?? body.errors?.[0]?.message ?? t('error.generic'), error: true })
    setMessage({ text: t('invite.done') })
    window.location.assign(body.redirect ?? '/admin')
  }

  const role = invitation ? (invitation.role in ROLE_KEYS ? t(ROLE_KEYS[invitation.role as keyof typeof ROLE_KEYS]) : invitation.role) : ''
  return (
    <>
      {invitation && (
        <form className="card" onSubmit={submit}>
          <p>{t('invite.for', { email: invitation.email, role })}</p>
          <div className="field">
            <label htmlFor="invite-name">{t('invite.name')}</label>
            <input id="invite-name" name="name" type="text" autoComplete="name" maxLength={120} />
          </div>
          <div className="field">
            <label htmlFor="invite-password">{t('profile.password')}</label>
            <input id="invite-password" name="password" type="password" autoComplete="new-password" minLength={8} required />
          </div>
          <button type="submit" className="button">
            {t('invite.accept')}
          </button>
        </form>
      )}
      <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
        {message?.text}
      </p>
    </>
  )
}
