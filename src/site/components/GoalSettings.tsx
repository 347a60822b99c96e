'use client'

import { useEffect, useMemo, useState, type FormEvent } from 'react'

import { translator, type Locale } from '../i18n'
import { errorMessageOf, postJson } from './contribution'
import { useMyProgress } from './ProgressRing'

type Message = { text: string; error?: boolean } | undefined

/**
 * The profile's goals and leaderboard card: weekly goals for anyone with a contributor id (anonymous
 * too), your own numbers, and for signed-in accounts the choice to appear on leaderboards under a
 * display name.
 */
export const GoalSettings = ({ locale }: { locale: Locale }) => {
  const t = useMemo(() => translator(locale), [locale])
  const [saves, setSaves] = useState(0)
  const progress = useMyProgress(saves)
  const [recorded, setRecorded] = useState('')
  const [validated, setValidated] = useState('')
  const [optIn, setOptIn] = useState(false)
  const [displayName, setDisplayName] = useState('')
  const [goalMessage, setGoalMessage] = useState<Message>()
  const [boardMessage, setBoardMessage] = useState<Message>()

  useEffect(() => {
    if (!progress) return
    setRecorded(String(progress.goals.recorded))
    setValidated(String(progress.goals.validated))
    setOptIn(progress.leaderboard.optIn)
    setDisplayName(progress.leaderboard.displayName ?? '')
  }, [progress])

  if (progress === undefined) return null
  if (progress === null) {
    return (
      <section className="card" aria-labelledby="goals-title">
        <h2 id="goals-title">{t('goals.title')}</h2>
        <p>{t('goals.needConsent')}</p>
      </section>
    )
  }

  const saveGoals = async (event: FormEvent) => {
    event.preventDefault()
    const response = await postJson('/api/site/me/goals', { recorded: Number(recorded), validated: Number(validated) })
    setGoalMessage(response.ok ? { text: t('goals.saved') } : { text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    if (response.ok) setSaves((count) => count + 1)
  }

  const saveBoard = async (event: FormEvent) => {
    event.preventDefault()
    const response = await postJson('/api/site/me/leaderboard', { optIn, ...(displayName.trim() ? { displayName } : {}) })
    setBoardMessage(response.ok ? { text: t('goals.saved') } : { text: (await errorMessageOf(response)) ?? t('error.generic'), error: true })
    if (response.ok) setSaves((count) => count + 1)
  }

  return (
    <section className="card" aria-labelledby="goals-title" data-testid="goal-settings">
      <h2 id="goals-title">{t('goals.title')}</h2>
      <p>{t('leaderboard.yourWeek', { recorded: progress.week.recorded, validated: progress.week.validated })}</p>
      <p>{t('leaderboard.yourAll', { recorded: progress.allTime.recorded, validated: progress.allTime.validated })}</p>
      {progress.streak.days > 0 && <p>{t('goals.streak', { count: progress.streak.days })}</p>}
      <form onSubmit={saveGoals}>
        <label className="field">
          {t('goals.recordedGoal')}
          <input type="number" inputMode="numeric" min={0} max={10000} step={1} required value={recorded} onChange={(event) => setRecorded(event.target.value)} />
        </label>
        <label className="field">
          {t('goals.validatedGoal')}
          <input type="number" inputMode="numeric" min={0} max={10000} step={1} required value={validated} onChange={(event) => setValidated(event.target.value)} />
        </label>
        <p className="status">{t('goals.zeroHelp')} {t('goals.dayNote')}</p>
        <button type="submit" className="button">
          {t('goals.save')}
        </button>
        <p aria-live="polite" className={goalMessage?.error ? 'status status--error' : 'status'}>
          {goalMessage?.text}
        </p>
      </form>

      <h3>{t('leaderboard.optInTitle')}</h3>
      {progress.leaderboard.canJoin ? (
        <form onSubmit={saveBoard}>
          <label>
            <input type="checkbox" checked={optIn} onChange={(event) => setOptIn(event.target.checked)} /> {t('leaderboard.optIn')}
          </label>
          <label className="field">
            {t('leaderboard.displayName')}
            <input type="text" maxLength={32} minLength={2} value={displayName} onChange={(event) => setDisplayName(event.target.value)} aria-describedby="display-name-help" />
          </label>
          <p id="display-name-help" className="status">
            {t('leaderboard.displayNameHelp')}
          </p>
          <button type="submit" className="button">
            {t('leaderboard.save')}
          </button>
          <p aria-live="polite" className={boardMessage?.error ? 'status status--error' : 'status'}>
            {boardMessage?.text}
          </p>
        </form>
      ) : (
        <p>{t('leaderboard.signInToJoin')}</p>
      )}
    </section>
  )
}
