'use client'

import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react'

import { translator, type Locale } from '../i18n'
import { hasConsent, postJson } from './contribution'
import { YourData } from './YourData'

interface Me {
  id: number
  email: string
  emailVerified?: boolean
  weeklySummary?: boolean
  demographics?: { ageBand?: string | null; gender?: string | null; accent?: string | null }
}

const AGE_BANDS = ['teens', 'twenties', 'thirties', 'forties', 'fifties', 'sixties', 'seventies', 'eighties', 'nineties']
const GENDERS = ['female', 'male', 'non-binary', 'other', 'prefer-not-to-say']


/**
 * Sign in or create an account (what this browser recorded anonymously is then claimed), see your
 * own counts, and set opt-in demographics.
 */
export const Profile = ({ locale }: { locale: Locale }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [me, setMe] = useState<Me | null | undefined>()
  const [count, setCount] = useState(0)
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>()

  const refresh = useCallback(async () => {
    const response = await fetch('/api/users/me?depth=0', { credentials: 'include' })
    const user = ((await response.json().catch(() => ({}))) as { user?: Me | null }).user ?? null
    setMe(user)
    if (user) {
      const mine = await fetch('/api/recordings?limit=1&depth=0', { credentials: 'include' })
      setCount(((await mine.json().catch(() => ({}))) as { totalDocs?: number }).totalDocs ?? 0)
    }
  }, [])
  useEffect(() => {
    void refresh()
  }, [refresh])

  const signIn = async (email: string, password: string) => {
    const response = await postJson('/api/users/login', { email, password })
    if (!response.ok) return setMessage({ text: t('profile.wrong'), error: true })
    const claim = await postJson('/api/site/claim', {})
    const moved = ((await claim.json().catch(() => ({}))) as { recordings?: number }).recordings ?? 0
    setMessage(moved ? { text: t('profile.kept', { count: moved }) } : undefined)
    await refresh()
  }

  const onAuth = (mode: 'in' | 'up') => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const email = String(form.get('email'))
    const password = String(form.get('password'))
    if (mode === 'up') {
      const created = await postJson('/api/users', { email, password })
      if (!created.ok) {
        const body = (await created.json().catch(() => ({}))) as { errors?: { message: string; data?: { errors?: { message: string }[] } }[] }
        return setMessage({ text: body.errors?.[0]?.data?.errors?.[0]?.message ?? body.errors?.[0]?.message ?? t('error.generic'), error: true })
      }
    }
    await signIn(email, password)
  }

  const forgot = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    await postJson('/api/users/forgot-password', { email: String(new FormData(event.currentTarget).get('email')) })
    setMessage({ text: t('profile.forgotSent') })
  }

  const resendVerification = async () => {
    const response = await postJson('/api/email/resend-verification', {})
    const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] }
    setMessage(response.ok ? { text: t('profile.verificationSent') } : { text: body.errors?.[0]?.message ?? t('error.generic'), error: true })
  }

  const setWeeklySummary = async (weeklySummary: boolean) => {
    if (!me) return
    const response = await fetch(`/api/users/${me.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'include',
      body: JSON.stringify({ weeklySummary }),
    })
    setMessage(response.ok ? { text: t('profile.saved') } : { text: t('error.generic'), error: true })
    if (response.ok) setMe({ ...me, weeklySummary })
  }

  const saveDemographics = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!me) return
    const form = new FormData(event.currentTarget)
    const value = (name: string) => String(form.get(name) ?? '') || null
    const response = await fetch(`/api/users/${me.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'include',
      body: JSON.stringify({ demographics: { ageBand: value('ageBand'), gender: value('gender'), accent: value('accent') } }),
    })
    setMessage(response.ok ? { text: t('profile.saved') } : { text: t('error.generic'), error: true })
  }

  if (me === undefined) return null
  const status = (
    <p role="status" aria-live="polite" className={message?.error ? 'status status--error' : 'status'}>
      {message?.text}
    </p>
  )
  if (!me) {
    return (
      <>
        <p>{t('profile.keep')}</p>
        {status}
        {(['in', 'up'] as const).map((mode) => (
          <form key={mode} className="card" onSubmit={onAuth(mode)} aria-label={mode === 'in' ? t('profile.signIn') : t('profile.signUp')}>
            <h2 style={{ marginBlockStart: 0 }}>{mode === 'in' ? t('profile.signIn') : t('profile.signUp')}</h2>
            <div className="field">
              <label htmlFor={`email-${mode}`}>{t('profile.email')}</label>
              <input id={`email-${mode}`} name="email" type="email" autoComplete="email" required />
            </div>
            <div className="field">
              <label htmlFor={`password-${mode}`}>{t('profile.password')}</label>
              <input id={`password-${mode}`} name="password" type="password" autoComplete={mode === 'in' ? 'current-password' : 'new-password'} minLength={8} required />
            </div>
            <button type="submit" className="button">
              {mode === 'in' ? t('profile.signIn') : t('profile.signUp')}
            </button>
          </form>
        ))}
        {/* An anonymous browser that contributed manages its own data too. */}
        {hasConsent() && <YourData t={t} onWithdrawn={() => void refresh()} />}
        <form className="card" onSubmit={forgot}>
          <div className="field">
            <label htmlFor="email-forgot">{t('profile.forgot')}</label>
            <input id="email-forgot" name="email" type="email" autoComplete="email" required />
          </div>
          <button type="submit" className="button button--quiet">
            {t('profile.forgot')}
          </button>
        </form>
      </>
    )
  }
  return (
    <>
      <p>{me.email}</p>
      <p>{t('profile.counts', { count })}</p>
      {me.emailVerified === false && (
        <div className="card">
          <p>{t('profile.unverified')}</p>
          <button type="button" className="button button--quiet" onClick={() => void resendVerification()}>
            {t('profile.resendVerification')}
          </button>
        </div>
      )}
      <div className="field">
        <label>
          <input type="checkbox" checked={me.weeklySummary === true} onChange={(event) => void setWeeklySummary(event.currentTarget.checked)} /> {t('profile.weeklySummary')}
        </label>
      </div>
      {status}
      <form className="card" onSubmit={saveDemographics}>
        <h2 style={{ marginBlockStart: 0 }}>{t('profile.demographics')}</h2>
        <p>{t('profile.demographicsHelp')}</p>
        <div className="field">
          <label htmlFor="ageBand">{t('profile.ageBand')}</label>
          <select id="ageBand" name="ageBand" defaultValue={me.demographics?.ageBand ?? ''}>
            <option value="">{t('profile.notSaid')}</option>
            {AGE_BANDS.map((band) => (
              <option key={band} value={band}>
                {band}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="gender">{t('profile.gender')}</label>
          <select id="gender" name="gender" defaultValue={me.demographics?.gender ?? ''}>
            <option value="">{t('profile.notSaid')}</option>
            {GENDERS.map((gender) => (
              <option key={gender} value={gender}>
                {gender}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="accent">{t('profile.accent')}</label>
          <input id="accent" name="accent" type="text" maxLength={120} defaultValue={me.demographics?.accent ?? ''} />
        </div>
        <button type="submit" className="button">
          {t('profile.save')}
        </button>
      </form>
      <YourData t={t} onWithdrawn={() => void refresh()} />
      <button
        type="button"
        className="button button--quiet"
        onClick={async () => {
          await postJson('/api/users/logout', {})
          await refresh()
        }}
      >
        {t('profile.signOut')}
      </button>
    </>
  )
}
